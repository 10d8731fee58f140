//! Table constraints: checks, keys, exclusions and foreign keys, added, validated, dropped.

use std::fmt::Write as _;

use super::foreign_key::referenced_key_changes;
use super::index::attach_index;
use super::inheritance::Inheritance;
use super::Change;
use crate::diff::{Differ, Ops, Phase};
use crate::render::objects;
use crate::schema::{Constraint, ConstraintKind, QualName, Table};
use crate::sql::quote_ident;

/// The constraints of a table that stays: those that go or change (or whose key or referenced
/// table is made again) dropped, then the new ones added, validated, attached or commented.
pub(super) fn alter_constraints(
    d: &Differ<'_>,
    ops: &mut Ops,
    t: &Change<'_>,
    inheritance: &Inheritance,
) {
    let name = t.name;
    for cname in &inheritance.checks_dropped_after_no_inherit {
        ops.push(
            Phase::DropColumn,
            format!("drop constraint {cname} on {name} (its own once no longer inherited)"),
            objects::drop_constraint(name, cname),
        );
    }
    let remade = crate::diff::cascade::remade_columns(t.old, t.new);
    drop_changed(d, ops, t, &remade);
    for (cname, c) in crate::render::constraints_in_name_order(t.new) {
        let o = t.old.constraints.get(cname);
        if o.is_some_and(|o| same_constraint(o, c) && !forced(d, &remade, o)) {
            keep(ops, t, cname, o.unwrap_or(c), c);
        } else if o.is_some_and(|o| only_validation_added(o, c) && !forced(d, &remade, o)) {
            ops.push(
                Phase::AddConstraint,
                format!("validate constraint {cname} on {name}"),
                format!(
                    "ALTER TABLE {} VALIDATE CONSTRAINT {};\n",
                    name.sql(),
                    quote_ident(cname)
                ),
            );
        } else if !(c.inherited || inheritance.checks_already_own.contains(cname)) {
            // Before the parent's NOT VALID check that merges into it.
            let early = crate::render::check_under_parents_not_valid(d.to, t.new, cname, c);
            add(ops, t, (cname, c), early, d.options.online);
        }
    }
}

/// Made again even if unchanged: it mentions what is made again, it is on a column dropped and
/// added again, or it is a foreign key whose referenced key changes.
fn forced(d: &Differ<'_>, remade: &[&str], c: &Constraint) -> bool {
    d.cascade.mentions_gone(&c.definition)
        || remade.iter().any(|r| c.columns.iter().any(|x| x == r))
        || (c.kind == ConstraintKind::ForeignKey && referenced_key_changes(d, c))
}

/// The old constraints that go or change (a partition's copy of its parent's goes with it).
fn drop_changed(d: &Differ<'_>, ops: &mut Ops, t: &Change<'_>, remade: &[&str]) {
    let name = t.name;
    for (cname, c) in &t.old.constraints {
        let n = t.new.constraints.get(cname);
        let same = n.is_some_and(|n| same_constraint(c, n));
        let validate_only = n.is_some_and(|n| only_validation_added(c, n));
        if (same || validate_only) && !forced(d, remade, c) {
            continue;
        }
        // A partition's own copy of its parent's constraint goes with the parent's.
        if c.inherited || c.parent_index.is_some() {
            continue;
        }
        let phase = if c.kind == ConstraintKind::ForeignKey {
            Phase::DropForeignKey
        } else {
            Phase::DropConstraint
        };
        ops.push(
            phase,
            format!("drop constraint {cname} on {name}"),
            objects::drop_constraint(name, cname),
        );
    }
}

/// A constraint that stays: attached to its new parent index, its comment changed.
fn keep(ops: &mut Ops, t: &Change<'_>, cname: &str, old: &Constraint, new: &Constraint) {
    if old.parent_index != new.parent_index {
        if let Some(pi) = &new.parent_index {
            attach_index(ops, Phase::AttachIndex, &t.name.schema, cname, pi);
        }
    }
    ops.comment(
        format!("comment on constraint {cname}"),
        &format!("CONSTRAINT {} ON {}", quote_ident(cname), t.name.sql()),
        old.comment.as_ref(),
        new.comment.as_ref(),
    );
    ops.comment(
        format!("comment on index {cname}"),
        &objects::constraint_index(t.name, cname),
        old.index_comment.as_ref(),
        new.index_comment.as_ref(),
    );
}

/// A new or changed constraint of a table that stays, and its attachment to a parent index.
fn add(ops: &mut Ops, t: &Change<'_>, (cname, c): (&str, &Constraint), early: bool, online: bool) {
    let name = t.name;
    if c.kind == ConstraintKind::ForeignKey {
        ops.push(
            Phase::AddForeignKey,
            format!("add foreign key {cname} on {name}"),
            add_constraint_sql(name, t.new, cname, c, online),
        );
        return;
    }
    ops.push(
        if early {
            Phase::AlterTable
        } else {
            Phase::AddConstraint
        },
        format!("add constraint {cname} on {name}"),
        add_constraint_sql(name, t.new, cname, c, online),
    );
    if let Some(pi) = &c.parent_index {
        attach_index(ops, Phase::AttachIndex, &name.schema, cname, pi);
    }
}

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
