//! Tablespace changes of what stays: `ALTER TABLE ... SET TABLESPACE` (the table's files are
//! copied under an ACCESS EXCLUSIVE lock; a partitioned table only changes where its new
//! partitions go) and `ALTER INDEX ... SET TABLESPACE` for indexes and key constraints. What is
//! made is made in its tablespace (`render::tablespace`). The database's default tablespace is
//! taken to be `pg_default` when something moves back to it.

use std::collections::BTreeMap;

use super::{Differ, Ops, Phase};
use crate::schema::{Index, QualName, Table};
use crate::sql::quote_ident;

/// `SET TABLESPACE name` (`pg_default` for the database's default).
fn set_tablespace(tablespace: Option<&String>) -> String {
    format!(
        "SET TABLESPACE {}",
        tablespace.map_or_else(|| "pg_default".to_string(), |t| quote_ident(t))
    )
}

/// `ALTER INDEX ... SET TABLESPACE` of index `name` (in `schema`) when it moves.
fn move_index(ops: &mut Ops, schema: &str, name: &str, old: Option<&String>, new: Option<&String>) {
    if old == new {
        return;
    }
    let index = QualName::new(schema, name);
    ops.push(
        Phase::TableSettings,
        format!(
            "move index {index} to tablespace {}",
            new.map_or("pg_default", |t| t)
        ),
        format!("ALTER INDEX {} {};\n", index.sql(), set_tablespace(new)),
    );
}

/// Indexes of a table or materialized view that stay and move (after they are made again, if
/// they are: then it changes nothing).
pub(super) fn index_tablespaces(
    ops: &mut Ops,
    owner: &QualName,
    old: &BTreeMap<String, Index>,
    new: &BTreeMap<String, Index>,
) {
    for (name, n) in new {
        if let Some(o) = old.get(name) {
            move_index(
                ops,
                &owner.schema,
                name,
                o.tablespace.as_ref(),
                n.tablespace.as_ref(),
            );
        }
    }
}

impl Differ<'_> {
    /// Table `name` and its key constraints' indexes, when they move.
    pub(super) fn table_tablespaces(&mut self, name: &QualName, old: &Table, new: &Table) {
        if old.tablespace != new.tablespace {
            self.ops.push(
                Phase::TableSettings,
                format!(
                    "move table {name} to tablespace {}",
                    new.tablespace.as_deref().unwrap_or("pg_default")
                ),
                format!(
                    "ALTER TABLE {} {};\n",
                    name.sql(),
                    set_tablespace(new.tablespace.as_ref())
                ),
            );
        }
        for (cname, c) in &new.constraints {
            if let Some(o) = old.constraints.get(cname) {
                let (a, b) = (o.tablespace.as_ref(), c.tablespace.as_ref());
                move_index(&mut self.ops, &name.schema, cname, a, b);
            }
        }
    }
}
