//! Citus distribution as SQL: `create_distributed_table`, `create_reference_table`,
//! `undistribute_table`, `alter_distributed_table` (Citus's functions, in `pg_catalog`), and the
//! whole schema's distribution in the order it can run: reference tables, then each colocation
//! group's first table (a new group: `colocate_with => 'none'` with its shard count), then the
//! rest of the group colocated with it. Explicit colocation keeps Citus from colocating tables
//! of one column type by itself, so a dump made again gives the same groups.

use crate::schema::distribution::Distribution;
use crate::schema::{QualName, Schema};
use crate::sql::quote_literal;

/// The `regclass` literal of a table: `'"public"."users"'`.
fn regclass(name: &QualName) -> String {
    quote_literal(&name.sql())
}

/// Makes a plain table distributed or a reference table. A distributed table joins the group of
/// `colocate_with` (already distributed), or starts a new one with its shard count.
pub fn distribute(name: &QualName, d: &Distribution, colocate_with: Option<&QualName>) -> String {
    match d {
        Distribution::Reference => format!("SELECT create_reference_table({});\n", regclass(name)),
        Distribution::Distributed {
            column,
            shard_count,
            ..
        } => {
            let placement = match colocate_with {
                Some(p) => format!("colocate_with => {}", regclass(p)),
                None => format!("colocate_with => 'none', shard_count => {shard_count}"),
            };
            format!(
                "SELECT create_distributed_table({}, {}, {placement});\n",
                regclass(name),
                quote_literal(column)
            )
        }
    }
}

/// Removes what distributing left on the coordinator: the rows the table held before, copied to
/// the shards and no longer visible, but still on disk.
pub fn truncate_local_data(name: &QualName) -> String {
    format!(
        "SELECT truncate_local_data_after_distributing_table({});\n",
        regclass(name)
    )
}

/// A distributed or reference table back to a plain table on the coordinator, its rows with it.
pub fn undistribute(name: &QualName) -> String {
    format!("SELECT undistribute_table({});\n", regclass(name))
}

/// `alter_distributed_table(name, <setting>)`: `setting` is Citus's named argument as SQL
/// (`distribution_column => 'a'`, `shard_count => 8, cascade_to_colocated => true`,
/// `colocate_with => '...'`).
pub fn alter(name: &QualName, setting: &str) -> String {
    format!(
        "SELECT alter_distributed_table({}, {setting});\n",
        regclass(name)
    )
}

/// Lets Citus make (or keep) triggers on distributed and reference tables, which it refuses by
/// default: said once before the first statement that needs it.
pub const ALLOW_TRIGGERS: &str = "SET citus.enable_unsafe_triggers = on;\n";

/// In a transaction that distributes tables and touches reference tables with foreign keys,
/// Citus needs one connection per node (it refuses the parallel default); outside a transaction
/// block the statement does nothing.
pub const SEQUENTIAL: &str = "SET LOCAL citus.multi_shard_modify_mode TO 'sequential';\n";

/// Whether a distributed or reference table of `schema` has triggers (then [`ALLOW_TRIGGERS`]
/// comes first).
pub fn needs_triggers_allowed(schema: &Schema) -> bool {
    schema
        .tables
        .values()
        .any(|t| t.distribution.is_some() && !t.triggers.is_empty())
}

/// The tables of `schema` in the order their distribution is made: reference tables by name,
/// then the distributed tables group by group (a group's first table first), each with the table
/// it is colocated with (None: it starts its group).
pub fn order(schema: &Schema) -> Vec<(&QualName, &Distribution, Option<&QualName>)> {
    let mut out: Vec<(&QualName, &Distribution, Option<&QualName>)> = Vec::new();
    for (name, t) in &schema.tables {
        if let Some(d @ Distribution::Reference) = &t.distribution {
            out.push((name, d, None));
        }
    }
    let mut groups: Vec<(&QualName, &Distribution, Option<&QualName>)> = schema
        .tables
        .iter()
        .filter_map(|(name, t)| match &t.distribution {
            Some(d @ Distribution::Distributed { colocate_with, .. }) => {
                Some((name, d, colocate_with.as_ref()))
            }
            _ => None,
        })
        .collect();
    // By group (its first table's name), the first table first, then by name.
    groups.sort_by_key(|(name, _, partner)| (partner.unwrap_or(name), partner.is_some(), *name));
    out.extend(groups);
    out
}

/// The whole schema's distribution (nothing when it has none).
pub fn render(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    if needs_triggers_allowed(schema) {
        out.push(ALLOW_TRIGGERS.to_string());
    }
    for (name, d, partner) in order(schema) {
        out.push(distribute(name, d, partner));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Table;

    #[test]
    fn groups_start_with_their_first_table() {
        let mut s = Schema::default();
        let users = QualName::new("public", "users");
        let dist = |partner: Option<&QualName>| Distribution::Distributed {
            column: "tenant_id".into(),
            shard_count: 8,
            colocate_with: partner.cloned(),
        };
        for (name, d) in [
            ("zeta", Some(dist(Some(&users)))),
            ("users", Some(dist(None))),
            ("tenants", Some(Distribution::Reference)),
            ("alone", Some(dist(None))),
            ("plain", None),
        ] {
            let t = Table {
                distribution: d,
                ..Table::default()
            };
            s.tables.insert(QualName::new("public", name), t);
        }
        insta::assert_snapshot!(render(&s).concat(), @r#"
        SELECT create_reference_table('"public"."tenants"');
        SELECT create_distributed_table('"public"."alone"', 'tenant_id', colocate_with => 'none', shard_count => 8);
        SELECT create_distributed_table('"public"."users"', 'tenant_id', colocate_with => 'none', shard_count => 8);
        SELECT create_distributed_table('"public"."zeta"', 'tenant_id', colocate_with => '"public"."users"');
        "#);
    }
}
