//! Table constraints.

use std::fmt::Write as _;

use super::*;

/// `ALTER TABLE ... ADD CONSTRAINT` and its comment. A partitioned table's key constraints are
/// added `ONLY` to it: each partition's own is added to the partition and its index attached
/// (as pg_dump does), which keeps the partitions' constraint names. (`ONLY` elsewhere would mark
/// a key constraint `connoinherit`, unlike `CREATE TABLE`.)
pub fn add_constraint(table: &QualName, t: &Table, name: &str, c: &Constraint) -> String {
    let only = t.partition_key.is_some()
        && matches!(
            c.kind,
            ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclusion
        );
    let mut out = crate::render::tablespace::in_tablespace(
        c.tablespace.as_ref(),
        format!(
            "ALTER TABLE {}{} ADD CONSTRAINT {} {};\n",
            if only { "ONLY " } else { "" },
            table.sql(),
            quote_ident(name),
            crate::render::reparse::stable(&c.definition)
        ),
    );
    comment(&mut out, c.comment.as_ref(), || {
        format!("CONSTRAINT {} ON {}", quote_ident(name), table.sql())
    });
    comment(&mut out, c.index_comment.as_ref(), || {
        constraint_index(table, name)
    });
    out
}

/// What `COMMENT ON` names for the index of key or exclusion constraint `name` of `table` (it
/// has the constraint's name, in the table's schema).
pub fn constraint_index(table: &QualName, name: &str) -> String {
    format!(
        "INDEX {}",
        QualName::new(table.schema.clone(), name.to_string()).sql()
    )
}

/// For a check a partition (or inheritance child) inherited: `VALIDATE CONSTRAINT` when it is
/// valid on the partition but not on the parent (a partition made after a `NOT VALID` check was
/// added); else nothing.
pub fn inherited_check(
    table: &QualName,
    name: &str,
    c: &Constraint,
    parent: Option<&Table>,
) -> String {
    let parent_valid = parent
        .and_then(|p| p.constraints.get(name))
        .is_none_or(|pc| pc.validated);
    let mut out = String::new();
    if c.validated && !parent_valid {
        let _ = writeln!(
            out,
            "ALTER TABLE ONLY {} VALIDATE CONSTRAINT {};",
            table.sql(),
            quote_ident(name)
        );
    }
    comment(&mut out, c.comment.as_ref(), || {
        format!("CONSTRAINT {} ON {}", quote_ident(name), table.sql())
    });
    out
}

pub fn drop_constraint(table: &QualName, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT {};\n",
        table.sql(),
        quote_ident(name)
    )
}
