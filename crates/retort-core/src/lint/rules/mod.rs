//! The rules, one file each. [`ALL`] lists them; ids are stable (squawk's where the meaning is
//! the same, so a team moving from squawk keeps its suppressions' names).

use super::ast::{Action, ColumnDef, QName, Stmt, TypeName};
use super::rule::Rule;

mod adding_field_with_default;
mod adding_foreign_key_constraint;
mod adding_not_nullable_field;
mod adding_required_field;
mod adding_serial_primary_key_field;
mod attaching_partition;
mod ban_alter_domain_with_add_constraint;
mod ban_alter_extension;
mod ban_alter_identity;
mod ban_char_field;
mod ban_concurrent_index_creation_in_transaction;
mod ban_create_domain_with_constraint;
mod ban_drop_column;
mod ban_drop_constraint;
mod ban_drop_database;
mod ban_drop_default;
mod ban_drop_domain;
mod ban_drop_extension;
mod ban_drop_function;
mod ban_drop_generated_expression;
mod ban_drop_not_null;
mod ban_drop_schema;
mod ban_drop_sequence;
mod ban_drop_table;
mod ban_drop_type;
mod ban_drop_view;
mod ban_replica_identity;
mod ban_set_schema;
mod ban_truncate_cascade;
mod ban_uncommitted_transaction;
mod changing_authorization;
mod changing_column_type;
mod changing_inheritance;
mod constraint_missing_not_valid;
mod disallowed_unique_constraint;
mod distributing_table;
mod prefer_bigint_over_int;
mod prefer_bigint_over_smallint;
mod prefer_identity;
mod prefer_robust_stmts;
mod prefer_text_field;
mod prefer_timestamp_tz;
mod renaming_column;
mod renaming_object;
mod renaming_table;
mod require_concurrent_index_creation;
mod require_concurrent_index_deletion;
mod require_concurrent_partition_detach;
mod require_concurrent_reindex;
mod require_enum_value_ordering;
mod require_lock_timeout;
mod require_statement_timeout;
mod rewriting_table;
mod transaction_nesting;
mod untracked_dependencies;

/// Every rule, by id.
pub static ALL: &[&Rule] = &[
    &adding_field_with_default::RULE,
    &adding_foreign_key_constraint::RULE,
    &adding_not_nullable_field::RULE,
    &adding_required_field::RULE,
    &adding_serial_primary_key_field::RULE,
    &ban_alter_domain_with_add_constraint::RULE,
    &ban_char_field::RULE,
    &ban_concurrent_index_creation_in_transaction::RULE,
    &ban_create_domain_with_constraint::RULE,
    &ban_drop_column::RULE,
    &ban_drop_database::RULE,
    &ban_drop_not_null::RULE,
    &ban_drop_table::RULE,
    &ban_truncate_cascade::RULE,
    &ban_uncommitted_transaction::RULE,
    &changing_column_type::RULE,
    &constraint_missing_not_valid::RULE,
    &disallowed_unique_constraint::RULE,
    &prefer_bigint_over_int::RULE,
    &prefer_bigint_over_smallint::RULE,
    &prefer_identity::RULE,
    &prefer_robust_stmts::RULE,
    &prefer_text_field::RULE,
    &prefer_timestamp_tz::RULE,
    &renaming_column::RULE,
    &renaming_object::RULE,
    &renaming_table::RULE,
    &require_concurrent_index_creation::RULE,
    &require_concurrent_index_deletion::RULE,
    &require_lock_timeout::RULE,
    &require_statement_timeout::RULE,
    &ban_drop_constraint::RULE,
    &ban_drop_type::RULE,
    &ban_drop_schema::RULE,
    &require_concurrent_reindex::RULE,
    &require_enum_value_ordering::RULE,
    &transaction_nesting::RULE,
    &ban_drop_sequence::RULE,
    &ban_drop_domain::RULE,
    &ban_drop_extension::RULE,
    &ban_drop_view::RULE,
    &ban_drop_function::RULE,
    &changing_authorization::RULE,
    &ban_alter_extension::RULE,
    &ban_replica_identity::RULE,
    &untracked_dependencies::RULE,
    &rewriting_table::RULE,
    &attaching_partition::RULE,
    &changing_inheritance::RULE,
    &distributing_table::RULE,
    &ban_drop_default::RULE,
    &ban_drop_generated_expression::RULE,
    &require_concurrent_partition_detach::RULE,
    &ban_set_schema::RULE,
    &ban_alter_identity::RULE,
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

/// The table and actions of an ALTER TABLE.
fn alter(stmt: &Stmt) -> Option<(&QName, &[Action])> {
    match stmt {
        Stmt::AlterTable { name, actions, .. } => Some((name, actions)),
        _ => None,
    }
}

/// Every column a statement defines (CREATE TABLE's, ADD COLUMN's).
fn defined_columns(stmt: &Stmt) -> Vec<&ColumnDef> {
    match stmt {
        Stmt::CreateTable { columns, .. } => columns.iter().collect(),
        Stmt::AlterTable { actions, .. } => actions
            .iter()
            .filter_map(|a| match a {
                Action::AddColumn { column, .. } => Some(column),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Every type a statement gives a column (defined or changed), with the column's name.
fn column_types(stmt: &Stmt) -> Vec<(&str, &TypeName)> {
    let mut out: Vec<(&str, &TypeName)> = defined_columns(stmt)
        .into_iter()
        .filter_map(|c| c.ty.as_ref().map(|t| (c.name.as_str(), t)))
        .collect();
    if let Some((_, actions)) = alter(stmt) {
        for a in actions {
            if let Action::AlterType { column, ty, .. } = a {
                out.push((column, ty));
            }
        }
    }
    out
}

/// The table a statement takes a strong (SHARE or stronger) lock on, if it does, and where to
/// point: ALTER TABLE, CREATE INDEX without CONCURRENTLY, DROP TABLE/INDEX, TRUNCATE.
fn locks_table(stmt: &Stmt) -> Option<(Option<&QName>, usize)> {
    match stmt {
        Stmt::AlterTable { name, .. } => Some((Some(name), 0)),
        Stmt::CreateIndex {
            table,
            concurrently: false,
            at,
            ..
        } => Some((Some(table), *at)),
        Stmt::DropTable { names, .. } => Some((names.first(), 0)),
        Stmt::DropIndex {
            concurrently: false,
            ..
        }
        | Stmt::Reindex {
            concurrently: false,
        }
        | Stmt::Truncate { .. } => Some((None, 0)),
        _ => None,
    }
}

/// The type's last word, without a schema (`pg_catalog.int4` → `int4`).
fn is_type(ty: &TypeName, names: &[&str]) -> bool {
    names.contains(&ty.base.as_str())
}

#[cfg(test)]
pub(crate) mod testing {
    use super::super::engine::{lint_section, Section, Settings};

    /// Rule ids found in `sql` as the up section of a transactional revision.
    /// A section holding `-- transactional: false` is linted as a non-transactional revision.
    pub fn ids(sql: &str) -> Vec<&'static str> {
        ids_in(sql, !sql.contains("-- transactional: false"))
    }

    pub fn ids_in(sql: &str, transactional: bool) -> Vec<&'static str> {
        let section = Section {
            path: "t.sql".into(),
            text: sql,
            first_line: 1,
            transactional,
            revision: None,
        };
        // Opt-in rules (severity `off` by default) are checked too.
        let settings = Settings {
            severities: super::ALL
                .iter()
                .filter(|r| r.severity == super::super::rule::Severity::Off)
                .map(|r| (r.id.to_string(), super::super::rule::Severity::Warning))
                .collect(),
            ..Settings::default()
        };
        lint_section(&section, &settings)
            .expect("lints")
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::ids;
    use super::ALL;

    /// Every rule flags its bad example and not its good one (its documentation is true).
    #[test]
    fn every_rule_flags_its_bad_example_and_not_its_good_one() {
        for rule in ALL {
            assert!(
                ids(rule.bad).contains(&rule.id),
                "{}: bad example not flagged: {:?}",
                rule.id,
                ids(rule.bad)
            );
            assert!(
                !ids(rule.good).contains(&rule.id),
                "{}: good example flagged",
                rule.id
            );
        }
    }

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.id), "duplicate {}", rule.id);
            assert!(rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
        }
    }
}
