//! Columns of a table that stays: dropped, added, altered (type, default, NOT NULL, identity,
//! generation), and their settings, grants and comments.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::column_type::{binary_coercible, using_cast};
use super::has_inheritance_children;
use super::inheritance::Inheritance;
use crate::diff::{comment_change, grant_changes, DiffError, Differ, Hazard, Phase};
use crate::render::objects;
use crate::schema::{Column, QualName, Table};
use crate::sql::{quote_ident, quote_literal};

pub(super) fn columns(
    d: &mut Differ<'_>,
    name: &QualName,
    old: &Table,
    new: &Table,
    parent: Option<&Table>,
    inheritance: &Inheritance,
) -> Result<(), DiffError> {
    let alter = format!("ALTER TABLE {}", name.sql());
    // A partition's columns come from its parent: only their defaults and NOT NULL are its own.
    // So do the types of an inheritance child's columns that a parent keeps.
    let inherited = |c: &str| {
        parent.is_some_and(|p| p.columns.iter().any(|pc| pc.name == c))
            || inheritance.type_from_parent.contains(c)
    };
    let dropped: Vec<&Column> = old
        .columns
        .iter()
        .filter(|c| !new.columns.iter().any(|n| n.name == c.name))
        .collect();
    let added: Vec<&Column> = new
        .columns
        .iter()
        .filter(|c| !old.columns.iter().any(|o| o.name == c.name))
        .collect();
    let mut hint = crate::diff::rename_hint(name, &dropped, &added);
    // Generated columns first: they depend on the columns they are computed from.
    let mut dropped = dropped;
    dropped.sort_by_key(|c| c.generated.is_none());
    for c in &dropped {
        let from_parent = old.partition_of.as_ref().is_some_and(|p| {
            d.from
                .tables
                .get(&p.parent)
                .is_some_and(|pt| pt.columns.iter().any(|pc| pc.name == c.name))
        });
        if from_parent || inheritance.dropped_by_parent.contains(&c.name) {
            continue;
        }
        d.ops.push_with(
            Phase::DropColumn,
            format!("drop column {name}.{}", c.name),
            format!("{alter} DROP COLUMN {};\n", quote_ident(&c.name)),
            &[Hazard::DeletesData],
        );
        // Said once, above the first drop.
        if let Some(h) = hint.take() {
            d.ops.note(h);
        }
    }
    // Columns a parent's drop takes away that the table has again, of its own.
    let added: Vec<&Column> = added
        .into_iter()
        .chain(
            new.columns
                .iter()
                .filter(|c| inheritance.dropped_by_parent.contains(&c.name)),
        )
        .collect();
    for c in &added {
        if inherited(&c.name) {
            continue;
        }
        if let Some(pc) = inheritance.added_by_parent.get(&c.name) {
            // Made by the parent's ADD COLUMN: only what differs from the parent's is set.
            let parent = Table {
                columns: vec![pc.clone()],
                ..Table::default()
            };
            let only_this = Table {
                columns: vec![(*c).clone()],
                ..Table::default()
            };
            d.ops.push(
                Phase::AlterTable,
                format!("alter column {name}.{}", c.name),
                objects::inherited_column_settings(name, &only_this, &[&parent]),
            );
            d.ops.push(
                Phase::Comment,
                format!("comment on column {name}.{}", c.name),
                comment_change(
                    &format!("COLUMN {}.{}", name.sql(), quote_ident(&c.name)),
                    None,
                    c.comment.as_ref(),
                ),
            );
            continue;
        }
        // Added before a parent adds it too, so that the parent's merges with it.
        let phase = if inheritance.added_before_parent.contains(&c.name) {
            Phase::CreateTable
        } else {
            Phase::AlterTable
        };
        let mut hazards = Vec::new();
        if c.not_null && c.default.is_none() && c.identity.is_none() && c.generated.is_none() {
            d.ops.push_with(
                phase,
                format!("add column {name}.{}", c.name),
                format!("{alter} ADD COLUMN {};\n", objects::column_definition(c)),
                &hazards,
            );
            d.ops
                .note("NOT NULL without a default: fails if the table has rows");
        } else {
            if c.generated.is_some() || c.identity.is_some() {
                hazards.push(Hazard::TableRewrite);
            }
            d.ops.push_with(
                phase,
                format!("add column {name}.{}", c.name),
                format!("{alter} ADD COLUMN {};\n", objects::column_definition(c)),
                &hazards,
            );
        }
        d.ops.push(
            Phase::Comment,
            format!("comment on column {name}.{}", c.name),
            comment_change(
                &format!("COLUMN {}.{}", name.sql(), quote_ident(&c.name)),
                None,
                c.comment.as_ref(),
            ),
        );
    }
    for n in &new.columns {
        let o = old.columns.iter().find(|o| o.name == n.name);
        column_settings(d, name, o, n);
        let Some(o) = o else {
            continue;
        };
        if inheritance.dropped_by_parent.contains(&n.name) {
            continue;
        }
        alter_column(d, name, o, n, inherited(&n.name), parent)?;
    }
    Ok(())
}

/// A column's storage, statistics target, compression, options and privileges: set when it is
/// added, changed when they change.
pub(super) fn column_settings(
    d: &mut Differ<'_>,
    table: &QualName,
    old: Option<&Column>,
    new: &Column,
) {
    d.ops.push(
        Phase::TableSettings,
        format!(
            "set storage, statistics, compression or options of {table}.{}",
            new.name
        ),
        objects::column_settings(table, old, new),
    );
    let none = BTreeSet::new();
    let old_grants = old.map_or(none, objects::column_grants);
    d.ops.push_with(
        Phase::Grant,
        format!("change grants on column {table}.{}", new.name),
        grant_changes(
            &format!("TABLE {}", table.sql()),
            &old_grants,
            &objects::column_grants(new),
        ),
        &[Hazard::AuthzUpdate],
    );
    identity_sequence_settings(d, old, new);
}

/// The grants and comment of a column's identity sequence (under its new name).
pub(super) fn identity_sequence_settings(d: &mut Differ<'_>, old: Option<&Column>, new: &Column) {
    let Some(id) = &new.identity else {
        return;
    };
    let old = old.and_then(|o| o.identity.as_ref());
    let what = format!("SEQUENCE {}", id.sequence.sql());
    let none = BTreeSet::new();
    d.ops.push_with(
        Phase::Grant,
        format!("change grants on sequence {}", id.sequence),
        grant_changes(&what, old.map_or(&none, |o| &o.grants), &id.grants),
        &[Hazard::AuthzUpdate],
    );
    d.ops.push(
        Phase::Comment,
        format!("comment on sequence {}", id.sequence),
        comment_change(
            &what,
            old.and_then(|o| o.comment.as_ref()),
            id.comment.as_ref(),
        ),
    );
}

pub(super) fn alter_column(
    d: &mut Differ<'_>,
    table: &QualName,
    o: &Column,
    n: &Column,
    inherited: bool,
    parent: Option<&Table>,
) -> Result<(), DiffError> {
    let col = format!(
        "ALTER TABLE {} ALTER COLUMN {}",
        table.sql(),
        quote_ident(&n.name)
    );
    let only_col = format!(
        "ALTER TABLE ONLY {} ALTER COLUMN {}",
        table.sql(),
        quote_ident(&n.name)
    );
    // A parent's NOT NULL is its own: each inheritance child has its own (PostgreSQL 15 lets
    // them differ), set by the child's own changes.
    let not_null_col = if has_inheritance_children(d, table) {
        &only_col
    } else {
        &col
    };
    let summary = format!("alter column {table}.{}", n.name);
    // Generated columns: an expression can only be dropped; a new one means a new column.
    if o.generated != n.generated {
        if n.generated.is_none() && !inherited {
            d.ops.push_with(
                Phase::AlterTable,
                summary.clone(),
                format!("{col} DROP EXPRESSION;\n"),
                &[],
            );
        } else if !inherited {
            d.ops.push_with(
                Phase::DropColumn,
                format!("drop column {table}.{} (its generation changes)", n.name),
                format!(
                    "ALTER TABLE {} DROP COLUMN {};\n",
                    table.sql(),
                    quote_ident(&n.name)
                ),
                &[Hazard::DeletesData],
            );
            d.ops.push_with(
                Phase::AlterTable,
                format!("add column {table}.{}", n.name),
                format!(
                    "ALTER TABLE {} ADD COLUMN {};\n",
                    table.sql(),
                    objects::column_definition(n)
                ),
                &[Hazard::TableRewrite],
            );
            return Ok(());
        }
    }
    let swapped = d
        .cascade
        .enum_swaps
        .iter()
        .find(|e| n.data_type.trim_end_matches("[]") == e.to_string())
        .cloned();
    let type_changes =
        o.data_type != n.data_type || o.collation != n.collation || swapped.is_some();
    let default_gone = o
        .default
        .as_deref()
        .is_some_and(|x| d.cascade.mentions_gone(x));
    let default_changes =
        o.default != n.default || default_gone || (type_changes && o.default.is_some());
    let mut sql = String::new();
    let mut hazards = Vec::new();
    if default_changes && o.default.is_some() {
        let drop = format!("{only_col} DROP DEFAULT;\n");
        // A parent's type change recurses here: this default must go before it is cast.
        if default_gone || (type_changes && inherited) {
            d.ops.push(
                Phase::DropDefault,
                format!("drop default of {table}.{}", n.name),
                drop,
            );
        } else {
            sql.push_str(&drop);
        }
    }
    if o.identity.is_some() && n.identity.is_none() {
        // Early: its sequence goes with it, and a new sequence may take the name (serial).
        d.ops.push(
            Phase::DropDefault,
            format!("drop identity of {table}.{}", n.name),
            format!("{col} DROP IDENTITY;\n"),
        );
    }
    if type_changes && !inherited {
        let coll = n
            .collation
            .as_ref()
            .map(|c| format!(" COLLATE {c}"))
            .unwrap_or_default();
        let using = match &swapped {
            Some(_) if n.data_type.ends_with("[]") => {
                format!("{}::text[]::{}", quote_ident(&n.name), n.data_type)
            }
            Some(_) => format!("{}::text::{}", quote_ident(&n.name), n.data_type),
            None => using_cast(&n.name, &o.data_type, &n.data_type),
        };
        let _ = writeln!(sql, "{col} TYPE {}{coll} USING {using};", n.data_type);
        if !binary_coercible(&o.data_type, &n.data_type) || o.collation != n.collation {
            hazards.push(Hazard::TableRewrite);
        } else {
            hazards.push(Hazard::ExclusiveLock);
        }
    }
    let parent_col = parent.and_then(|p| p.columns.iter().find(|c| c.name == n.name));
    if default_changes && n.identity.is_none() && n.generated.is_none() {
        if let Some(def) = &n.default {
            // A partition's default equal to its parent's came with it (unless it was set
            // before and the parent's changes: then it is set on the partition alone).
            let _ = writeln!(sql, "{only_col} SET DEFAULT {def};");
        } else if o.default.is_some() && parent_col.is_some() && !sql.contains("DROP DEFAULT") {
            let _ = writeln!(sql, "{only_col} DROP DEFAULT;");
        }
    }
    if n.not_null && !o.not_null {
        if d.options.online && n.identity.is_none() {
            let check = format!("{}_not_null", n.name);
            let _ = writeln!(
                sql,
                "ALTER TABLE {t} ADD CONSTRAINT {c} CHECK ({col_q} IS NOT NULL) NOT VALID;\n\
                 ALTER TABLE {t} VALIDATE CONSTRAINT {c};\n{not_null_col} SET NOT NULL;\n\
                 ALTER TABLE {t} DROP CONSTRAINT {c};",
                t = table.sql(),
                c = quote_ident(&check),
                col_q = quote_ident(&n.name)
            );
        } else {
            let _ = writeln!(sql, "{not_null_col} SET NOT NULL;");
            hazards.push(Hazard::LockedScan);
        }
    }
    match (&o.identity, &n.identity) {
        (None, Some(id)) => {
            let _ = writeln!(
                sql,
                "{col} ADD GENERATED {} AS IDENTITY (SEQUENCE NAME {} START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {}{});",
                if id.always { "ALWAYS" } else { "BY DEFAULT" },
                id.sequence.sql(),
                id.options.start,
                id.options.increment,
                id.options.min,
                id.options.max,
                id.options.cache,
                if id.options.cycle { " CYCLE" } else { "" }
            );
            if id.options.increment > 0 {
                // The rows already there (a serial's, say) keep their values: the identity
                // continues after them, not at its START.
                let _ = writeln!(
                    sql,
                    "SELECT pg_catalog.setval({}, max({c})) FROM {} HAVING max({c}) >= {};",
                    quote_literal(&id.sequence.sql()),
                    table.sql(),
                    id.options.start,
                    c = quote_ident(&n.name),
                );
            }
        }
        (Some(a), Some(b)) => {
            if a.always != b.always {
                let _ = writeln!(
                    sql,
                    "{col} SET GENERATED {};",
                    if b.always { "ALWAYS" } else { "BY DEFAULT" }
                );
            }
            let changes = crate::diff::sequence_option_changes(&a.options, &b.options, true);
            if !changes.is_empty() {
                sql.push_str(&crate::diff::move_into_bounds(
                    &a.sequence,
                    &a.options,
                    &b.options,
                ));
                let _ = writeln!(sql, "{col}{changes};");
            }
            if a.sequence != b.sequence {
                let _ = writeln!(
                    sql,
                    "ALTER SEQUENCE {} RENAME TO {};",
                    QualName::new(b.sequence.schema.clone(), a.sequence.name.clone()).sql(),
                    quote_ident(&b.sequence.name)
                );
            }
        }
        _ => {}
    }
    if o.not_null && !n.not_null {
        let parent_requires = parent_col.is_some_and(|p| p.not_null);
        if !parent_requires {
            let _ = writeln!(sql, "{not_null_col} DROP NOT NULL;");
        }
    }
    d.ops.push_with(Phase::AlterTable, summary, sql, &hazards);
    d.ops.push(
        Phase::Comment,
        format!("comment on column {table}.{}", n.name),
        comment_change(
            &format!("COLUMN {}.{}", table.sql(), quote_ident(&n.name)),
            o.comment.as_ref(),
            n.comment.as_ref(),
        ),
    );
    Ok(())
}
