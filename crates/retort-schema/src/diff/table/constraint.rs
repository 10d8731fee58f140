//! Table constraints: checks, keys, exclusions and foreign keys, added, validated, dropped.

use std::fmt::Write as _;

use crate::render::objects;
use crate::schema::{Constraint, ConstraintKind, QualName, Table};
use crate::sql::quote_ident;

/// `ADD CONSTRAINT`; online, a foreign key or check is added `NOT VALID` and validated after
/// (the scan then takes only a SHARE UPDATE EXCLUSIVE lock).
pub(super) fn add_constraint_sql(
    table: &QualName,
    t: &Table,
    cname: &str,
    c: &Constraint,
    online: bool,
) -> String {
    let can_defer_validation = matches!(c.kind, ConstraintKind::ForeignKey | ConstraintKind::Check)
        && c.validated
        && t.partition_key.is_none();
    if online && can_defer_validation {
        let not_valid = Constraint {
            definition: format!("{} NOT VALID", c.definition),
            ..c.clone()
        };
        let mut sql = objects::add_constraint(table, t, cname, &not_valid);
        let _ = writeln!(
            sql,
            "ALTER TABLE {} VALIDATE CONSTRAINT {};",
            table.sql(),
            quote_ident(cname)
        );
        sql
    } else {
        objects::add_constraint(table, t, cname, c)
    }
}

pub(super) fn same_constraint(a: &Constraint, b: &Constraint) -> bool {
    a.kind == b.kind
        && a.definition == b.definition
        && a.deferrable == b.deferrable
        && a.initially_deferred == b.initially_deferred
        && a.no_inherit == b.no_inherit
        && a.inherited == b.inherited
}

/// `NOT VALID` on the old side only: a VALIDATE makes it the new one.
pub(super) fn only_validation_added(old: &Constraint, new: &Constraint) -> bool {
    !old.validated
        && new.validated
        && old.definition.strip_suffix(" NOT VALID") == Some(new.definition.as_str())
}
