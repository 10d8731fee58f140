//! Tables: columns, constraints, indexes, triggers, policies, partitions and settings.

mod alter_column;
mod column;
mod column_type;
mod constraint;
mod create;
mod foreign_key;
mod index;
mod inheritance;
mod partition;
mod policy;
mod settings;
mod trigger;
mod trigger_state;

use super::{cascade, DiffError, Differ, Ops, Phase};
use crate::render::{objects, table_order};
use crate::schema::{ConstraintKind, Index, Policy, QualName, Table, Trigger};
use column::columns;
use create::create_table;
use foreign_key::referenced_key_changes;
pub(super) use index::diff_indexes;
use index::{diff_indexes_forced, refuse_partition_index_changes, IndexDiff};
use inheritance::inheritance;
use policy::policies;
pub(super) use trigger::diff_triggers;

/// One table that stays, before and after.
#[derive(Clone, Copy)]
struct Change<'a> {
    name: &'a QualName,
    old: &'a Table,
    new: &'a Table,
}

pub(super) fn tables(d: &mut Differ<'_>) -> Result<(), DiffError> {
    let hints = super::table_rename_hints(d.from, d.to);
    // Drops: a partition goes with its parent.
    for name in table_order(d.from).iter().rev() {
        let Some(t) = d.from.tables.get(name) else {
            continue;
        };
        let goes = !d.to.tables.contains_key(name) || d.cascade.tables.contains(name);
        if !goes {
            continue;
        }
        // Its foreign keys on a key that goes too (a table dropped, a key or unique index
        // dropped or made again) are dropped first: before the key, whatever the order of the
        // drops.
        for (cname, c) in &t.constraints {
            let referenced_goes = c.kind == ConstraintKind::ForeignKey
                && c.references.as_ref() != Some(name)
                && referenced_key_changes(d, c);
            if referenced_goes {
                d.ops.push(
                    Phase::DropForeignKey,
                    format!("drop constraint {cname} on {name}"),
                    objects::drop_constraint(name, cname),
                );
            }
        }
        drop_reading_policies(&mut d.ops, name, t);
        let parent_goes = t.partition_of.as_ref().is_some_and(|p| {
            !d.to.tables.contains_key(&p.parent) || d.cascade.tables.contains(&p.parent)
        });
        if parent_goes {
            continue;
        }
        // A partition of a table that stays is detached first: foreign keys referencing the
        // parent hold on to each partition until then.
        if let Some(p) = &t.partition_of {
            partition::detach(&mut d.ops, name, &p.parent);
        }
        d.ops.push(
            Phase::DropTable,
            format!("drop table {name}"),
            objects::drop_table(name),
        );
        if let Some(hint) = hints.get(name) {
            d.ops.note(hint.clone());
        }
        if d.cascade.tables.contains(name) {
            d.ops.note(format!(
                "the partitioning of {name} changes: the table is made again, empty"
            ));
        }
    }
    for name in table_order(d.to) {
        let Some(t) = d.to.tables.get(&name) else {
            continue;
        };
        match d.from.tables.get(&name) {
            Some(old) if !d.cascade.tables.contains(&name) => alter_table(d, &name, old, t)?,
            _ => create_table(d, &name, t),
        }
        trigger_state::trigger_states(d, &name, t);
    }
    Ok(())
}

/// The policies of a table that goes whose expressions read other relations (a subquery): dropped
/// with the other policies, before the views and tables they read are dropped (PostgreSQL
/// refuses to drop a view or table a policy reads; the table's own drop comes later).
fn drop_reading_policies(ops: &mut Ops, name: &QualName, t: &Table) {
    for (pname, p) in &t.policies {
        let reads = [p.using.as_deref(), p.with_check.as_deref()]
            .into_iter()
            .flatten()
            .any(|x| x.contains("SELECT"));
        if reads {
            ops.push(
                Phase::DropPolicy,
                format!("drop policy {pname} on {name}"),
                objects::drop_policy(name, pname),
            );
        }
    }
}

/// Whether table `p` exists before the migration and stays (is not made again).
/// Whether `t` (new) inherits, directly or through new tables, from a table that stays.
fn descends_from_a_staying_table(d: &Differ<'_>, t: &Table) -> bool {
    t.inherits.iter().any(|p| {
        table_stays(d, p)
            || (!d.from.tables.contains_key(p)
                && d.to
                    .tables
                    .get(p)
                    .is_some_and(|pt| descends_from_a_staying_table(d, pt)))
    })
}

fn table_stays(d: &Differ<'_>, p: &QualName) -> bool {
    d.from.tables.contains_key(p) && d.to.tables.contains_key(p) && !d.cascade.tables.contains(p)
}

/// Whether some table inherits from `name` (table inheritance, not partitions), before or after.
fn has_inheritance_children(d: &Differ<'_>, name: &QualName) -> bool {
    d.inheritance_parents.contains(name)
}

/// Whether a partition's parent exists before the migration (and stays).
fn parent_stays(d: &Differ<'_>, t: &Table) -> bool {
    t.partition_of.as_ref().is_some_and(|p| {
        d.from.tables.contains_key(&p.parent) && !d.cascade.tables.contains(&p.parent)
    })
}

/// A table that stays: what changes in its partitioning, inheritance, columns, constraints,
/// indexes, triggers, policies, settings, comment and grants, in that order.
fn alter_table(
    d: &mut Differ<'_>,
    name: &QualName,
    old: &Table,
    new: &Table,
) -> Result<(), DiffError> {
    d.typed_table_link(name, old, new)?;
    d.table_tablespaces(name, old, new);
    let t = Change { name, old, new };
    let parent_new = new
        .partition_of
        .as_ref()
        .and_then(|p| d.to.tables.get(&p.parent));
    partition::alter_membership(d, &t);
    let inheritance = inheritance(d, name, old, new)?;
    // Columns come from the parent only for a partition that stays attached to it; a table
    // attached in this migration must first have the parent's columns itself.
    let parent_parent = |t: &Table| t.partition_of.as_ref().map(|p| p.parent.clone());
    let stays = parent_parent(old) == parent_parent(new);
    columns(
        d,
        name,
        old,
        new,
        parent_new.filter(|_| stays),
        &inheritance,
    )?;
    let mut ops = Ops::default();
    constraint::alter_constraints(d, &mut ops, &t, &inheritance);
    refuse_partition_index_changes(d, name, old, new)?;
    alter_dependents(d, &mut ops, &t);
    d.ops.0.append(&mut ops.0);
    settings::alter_settings(d, &t);
    let what = format!("TABLE {}", name.sql());
    d.ops.comment(
        format!("comment on table {name}"),
        &what,
        old.comment.as_ref(),
        new.comment.as_ref(),
    );
    d.ops.grants(
        format!("change grants on {name}"),
        &what,
        &old.grants,
        &new.grants,
    );
    column::column_grants(d, name, old, new);
    Ok(())
}

/// Indexes, triggers and policies of a table that stays. A policy or trigger that names a column
/// dropped or changing type blocks that change: it is dropped first and made again after.
fn alter_dependents(d: &Differ<'_>, ops: &mut Ops, t: &Change<'_>) {
    let Change { name, old, new } = *t;
    let changing = column::changing(old, new);
    let names_changing = |text: &str| changing.iter().any(|c| cascade::mentions_ident(text, c));
    let remade = cascade::remade_columns(old, new);
    let gone = &d.cascade;
    diff_indexes_forced(
        ops,
        name,
        &old.indexes,
        &new.indexes,
        IndexDiff {
            create_phase: Phase::CreateIndex,
            online: d.options.online,
            detaching: old.partition_of.is_some() && old.partition_of != new.partition_of,
            parent_indexes_going: index::parent_indexes_going(d, old),
        },
        &|i: &Index| {
            gone.mentions_gone(&i.definition)
                || remade
                    .iter()
                    .any(|c| cascade::mentions_ident(&i.definition, c))
        },
    );
    diff_triggers(ops, name, &old.triggers, &new.triggers, &|t: &Trigger| {
        gone.mentions_gone(&t.definition) || names_changing(&t.definition)
    });
    policies(ops, name, &old.policies, &new.policies, &|p: &Policy| {
        [p.using.as_deref(), p.with_check.as_deref()]
            .into_iter()
            .flatten()
            .any(|x| {
                gone.mentions_gone(x) || names_changing(x) || names_changing_elsewhere(d, name, x)
            })
    });
}

/// Whether a policy's expression reads (in a subquery) a column of another table that is dropped
/// or changes type: PostgreSQL refuses that change while the policy depends on the column, so
/// the policy is dropped first and made again after.
fn names_changing_elsewhere(d: &Differ<'_>, own: &QualName, text: &str) -> bool {
    if !text.contains("SELECT") {
        return false;
    }
    d.from.tables.iter().any(|(other, old)| {
        other != own
            && cascade::mentions(text, &other.to_string())
            && d.to.tables.get(other).is_some_and(|new| {
                column::changing(old, new)
                    .iter()
                    .any(|c| cascade::mentions_ident(text, c))
            })
    })
}
