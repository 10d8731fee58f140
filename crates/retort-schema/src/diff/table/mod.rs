//! Tables: columns, constraints, indexes, triggers, policies, partitions and settings.

mod column;
mod column_type;
mod constraint;
mod foreign_key;
mod index;
mod inheritance;
mod policy;
mod trigger;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{cascade, comment_change, grant_changes, DiffError, Differ, Hazard, Ops, Phase};
use crate::render::{objects, table_order};
use crate::schema::{Constraint, ConstraintKind, Grant, Index, Policy, QualName, Table, Trigger};
use crate::sql::quote_ident;
use column::columns;
use constraint::{add_constraint_sql, only_validation_added, same_constraint};
use foreign_key::referenced_key_changes;
pub(super) use index::diff_indexes;
use index::{
    create_index, diff_indexes_forced, refuse_partition_index_changes, IndexCreate, IndexDiff,
};
use inheritance::inheritance;
use policy::policies;
pub(super) use trigger::diff_triggers;

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
        let parent_goes = t.partition_of.as_ref().is_some_and(|p| {
            !d.to.tables.contains_key(&p.parent) || d.cascade.tables.contains(&p.parent)
        });
        if parent_goes {
            continue;
        }
        // A partition of a table that stays is detached first: foreign keys referencing the
        // parent hold on to each partition until then.
        if let Some(p) = &t.partition_of {
            d.ops.push(
                Phase::DetachPartition,
                format!("detach partition {name} from {}", p.parent),
                format!(
                    "ALTER TABLE {} DETACH PARTITION {};\n",
                    p.parent.sql(),
                    name.sql()
                ),
            );
        }
        d.ops.push_with(
            Phase::DropTable,
            format!("drop table {name}"),
            objects::drop_table(name),
            &[Hazard::DeletesData],
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
    }
    Ok(())
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
    [d.from, d.to]
        .iter()
        .any(|s| s.tables.values().any(|t| t.inherits.contains(name)))
}

/// Whether a partition's parent exists before the migration (and stays).
fn parent_stays(d: &Differ<'_>, t: &Table) -> bool {
    t.partition_of.as_ref().is_some_and(|p| {
        d.from.tables.contains_key(&p.parent) && !d.cascade.tables.contains(&p.parent)
    })
}

fn create_table(d: &mut Differ<'_>, name: &QualName, t: &Table) {
    let parent = t
        .partition_of
        .as_ref()
        .and_then(|p| d.to.tables.get(&p.parent));
    // A new partition of a table that already has its indexes and keys is made on its own and
    // attached, so that its indexes keep their names (PARTITION OF would make the parent's
    // indexes on it under names of PostgreSQL's choosing).
    let standalone = parent_stays(d, t);
    let attach_phase = if standalone {
        Phase::AttachIndex
    } else {
        Phase::AttachIndexEarly
    };
    let sql = if standalone {
        let plain = Table {
            partition_of: None,
            ..t.clone()
        };
        objects::create_table(name, &plain, &[])
    } else if t.partition_of.is_some() {
        objects::create_table(name, t, parent.as_slice())
    } else {
        objects::create_table(name, t, &crate::render::parents(d.to, t))
    };
    // An inheritance child of a table that stays is made once its parents' columns are
    // altered (it copies their columns, defaults and NOT NULL as they are then); so is its own
    // new child, after it.
    let phase = if descends_from_a_staying_table(d, t) {
        Phase::AlterTable
    } else {
        Phase::CreateTable
    };
    d.ops.push(phase, format!("create table {name}"), sql);
    if let (true, Some(p)) = (standalone, &t.partition_of) {
        d.ops.push_with(
            Phase::AttachPartition,
            format!("attach partition {name} to {}", p.parent),
            format!(
                "ALTER TABLE {} ATTACH PARTITION {} {};\n",
                p.parent.sql(),
                name.sql(),
                p.bound
            ),
            &[Hazard::LockedScan],
        );
    }
    for (cname, c) in &t.constraints {
        if c.kind == ConstraintKind::ForeignKey {
            d.ops.push_with(
                Phase::AddForeignKey,
                format!("add foreign key {cname} on {name}"),
                add_constraint_sql(name, t, cname, c, d.options.online),
                &[Hazard::LockedScan],
            );
        } else if c.inherited && !standalone {
            let parent = parent.or_else(|| {
                crate::render::parents(d.to, t)
                    .into_iter()
                    .find(|p| p.constraints.contains_key(cname))
            });
            d.ops.push(
                Phase::AddConstraint,
                format!("validate inherited check {cname} on {name}"),
                objects::inherited_check(name, cname, c, parent),
            );
        } else {
            d.ops.push(
                Phase::AddConstraint,
                format!("add constraint {cname} on {name}"),
                objects::add_constraint(name, t, cname, c),
            );
            if let Some(pi) = &c.parent_index {
                d.ops.push(
                    attach_phase,
                    format!("attach index {cname} to {pi}"),
                    objects::attach_index(pi, &QualName::new(name.schema.clone(), cname.clone())),
                );
            }
        }
    }
    for (iname, i) in &t.indexes {
        let how = IndexCreate {
            phase: Phase::CreateIndex,
            attach_phase,
            online: false,
        };
        create_index(&mut d.ops, name, iname, i, &how);
    }
    d.ops.push(
        Phase::TableSettings,
        format!("set replica identity and clustering of {name}"),
        objects::table_settings(name, t),
    );
    for (tname, tr) in &t.triggers {
        d.ops.push_with(
            Phase::CreateTrigger,
            format!("create trigger {tname} on {name}"),
            objects::create_trigger(name, tname, tr),
            &[Hazard::UntrackedDependencies],
        );
    }
    d.ops.push_with(
        Phase::RowSecurity,
        format!("enable row-level security on {name}"),
        objects::row_security(name, t),
        &[Hazard::AuthzUpdate],
    );
    for (pname, p) in &t.policies {
        d.ops.push_with(
            Phase::CreatePolicy,
            format!("create policy {pname} on {name}"),
            objects::create_policy(name, pname, p),
            &[Hazard::AuthzUpdate],
        );
    }
    d.ops.push_with(
        Phase::Grant,
        format!("grant on {name}"),
        objects::grants(&format!("TABLE {}", name.sql()), &t.grants),
        &[Hazard::AuthzUpdate],
    );
    let column_grants: BTreeSet<Grant> =
        t.columns.iter().flat_map(objects::column_grants).collect();
    d.ops.push_with(
        Phase::Grant,
        format!("grant on columns of {name}"),
        objects::grants(&format!("TABLE {}", name.sql()), &column_grants),
        &[Hazard::AuthzUpdate],
    );
    d.ops.push_with(
        Phase::Grant,
        format!("grant on identity sequences of {name}"),
        objects::identity_grants(t),
        &[Hazard::AuthzUpdate],
    );
}

fn alter_table(
    d: &mut Differ<'_>,
    name: &QualName,
    old: &Table,
    new: &Table,
) -> Result<(), DiffError> {
    let alter = format!("ALTER TABLE {}", name.sql());
    let parent_new = new
        .partition_of
        .as_ref()
        .and_then(|p| d.to.tables.get(&p.parent));

    // Partition membership.
    if old.partition_of != new.partition_of {
        if let Some(p) = &old.partition_of {
            if d.from.tables.contains_key(&p.parent) {
                d.ops.push(
                    Phase::DetachPartition,
                    format!("detach partition {name} from {}", p.parent),
                    format!(
                        "ALTER TABLE {} DETACH PARTITION {};\n",
                        p.parent.sql(),
                        name.sql()
                    ),
                );
            }
        }
        if let Some(p) = &new.partition_of {
            d.ops.push_with(
                Phase::AttachPartition,
                format!("attach partition {name} to {}", p.parent),
                format!(
                    "ALTER TABLE {} ATTACH PARTITION {} {};\n",
                    p.parent.sql(),
                    name.sql(),
                    p.bound
                ),
                &[Hazard::LockedScan],
            );
        }
    }

    let inheritance = inheritance(d, name, old, new)?;
    columns(d, name, old, new, parent_new, &inheritance)?;

    // Constraints.
    let forced = |c: &Constraint| -> bool {
        d.cascade.mentions_gone(&c.definition)
            || (c.kind == ConstraintKind::ForeignKey && referenced_key_changes(d, c))
    };
    let mut ops = Ops::default();
    for cname in &inheritance.checks_dropped_after_no_inherit {
        ops.push_with(
            Phase::DropColumn,
            format!("drop constraint {cname} on {name} (its own once no longer inherited)"),
            objects::drop_constraint(name, cname),
            &[Hazard::ExclusiveLock],
        );
    }
    for (cname, c) in &old.constraints {
        let n = new.constraints.get(cname);
        let same = n.is_some_and(|n| same_constraint(c, n));
        let validate_only = n.is_some_and(|n| only_validation_added(c, n));
        if (same || validate_only) && !forced(c) {
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
        let key = matches!(
            c.kind,
            ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclusion
        );
        ops.push_with(
            phase,
            format!("drop constraint {cname} on {name}"),
            objects::drop_constraint(name, cname),
            if key {
                &[Hazard::ExclusiveLock, Hazard::IndexDropped]
            } else {
                &[Hazard::ExclusiveLock]
            },
        );
    }
    for (cname, c) in &new.constraints {
        let o = old.constraints.get(cname);
        let keep = o.is_some_and(|o| same_constraint(o, c) && !forced(o));
        if keep {
            let o = o.unwrap_or(c);
            if o.parent_index != c.parent_index {
                if let Some(pi) = &c.parent_index {
                    ops.push(
                        Phase::AttachIndex,
                        format!("attach index {cname} to {pi}"),
                        objects::attach_index(
                            pi,
                            &QualName::new(name.schema.clone(), cname.clone()),
                        ),
                    );
                }
            }
            ops.push(
                Phase::Comment,
                format!("comment on constraint {cname}"),
                comment_change(
                    &format!("CONSTRAINT {} ON {}", quote_ident(cname), name.sql()),
                    o.comment.as_ref(),
                    c.comment.as_ref(),
                ),
            );
            continue;
        }
        if o.is_some_and(|o| only_validation_added(o, c) && !forced(o)) {
            ops.push_with(
                Phase::AddConstraint,
                format!("validate constraint {cname} on {name}"),
                format!("{alter} VALIDATE CONSTRAINT {};\n", quote_ident(cname)),
                &[],
            );
            continue;
        }
        if c.inherited || inheritance.checks_already_own.contains(cname) {
            continue;
        }
        if c.kind == ConstraintKind::ForeignKey {
            ops.push_with(
                Phase::AddForeignKey,
                format!("add foreign key {cname} on {name}"),
                add_constraint_sql(name, new, cname, c, d.options.online),
                if d.options.online {
                    &[]
                } else {
                    &[Hazard::LockedScan]
                },
            );
        } else {
            let scan = c.kind == ConstraintKind::Check && c.validated && !d.options.online;
            let build = matches!(
                c.kind,
                ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclusion
            );
            let hazards: &[Hazard] = if build {
                &[Hazard::IndexBuild]
            } else if scan {
                &[Hazard::LockedScan]
            } else {
                &[]
            };
            ops.push_with(
                Phase::AddConstraint,
                format!("add constraint {cname} on {name}"),
                add_constraint_sql(name, new, cname, c, d.options.online),
                hazards,
            );
            if let Some(pi) = &c.parent_index {
                ops.push(
                    Phase::AttachIndex,
                    format!("attach index {cname} to {pi}"),
                    objects::attach_index(pi, &QualName::new(name.schema.clone(), cname.clone())),
                );
            }
        }
    }

    // Indexes, triggers, policies. A policy or trigger that names a column dropped or changing
    // type blocks that change: it is dropped first and made again after.
    let changing: Vec<&str> = old
        .columns
        .iter()
        .filter(|c| {
            new.columns
                .iter()
                .find(|n| n.name == c.name)
                .is_none_or(|n| {
                    n.data_type != c.data_type
                        || n.collation != c.collation
                        || n.generated != c.generated
                })
        })
        .map(|c| c.name.as_str())
        .collect();
    let names_changing = |text: &str| changing.iter().any(|c| cascade::mentions_ident(text, c));
    refuse_partition_index_changes(d, name, old, new)?;
    let gone = &d.cascade;
    diff_indexes_forced(
        &mut ops,
        name,
        &old.indexes,
        &new.indexes,
        IndexDiff {
            create_phase: Phase::CreateIndex,
            online: d.options.online,
            detaching: old.partition_of.is_some() && old.partition_of != new.partition_of,
        },
        &|i: &Index| gone.mentions_gone(&i.definition),
    );
    diff_triggers(
        &mut ops,
        name,
        &old.triggers,
        &new.triggers,
        &|t: &Trigger| gone.mentions_gone(&t.definition) || names_changing(&t.definition),
    );
    policies(
        &mut ops,
        name,
        &old.policies,
        &new.policies,
        &|p: &Policy| {
            [p.using.as_deref(), p.with_check.as_deref()]
                .into_iter()
                .flatten()
                .any(|x| gone.mentions_gone(x) || names_changing(x))
        },
    );
    d.ops.0.append(&mut ops.0);

    // Settings.
    if old.options != new.options {
        let sql = crate::sql::options_change(&alter, &old.options, &new.options);
        d.ops.push(
            Phase::AlterTable,
            format!("set storage options of {name}"),
            sql,
        );
    }
    if old.unlogged != new.unlogged {
        d.ops.push_with(
            Phase::AlterTable,
            format!(
                "make {name} {}",
                if new.unlogged { "unlogged" } else { "logged" }
            ),
            format!(
                "{alter} SET {};\n",
                if new.unlogged { "UNLOGGED" } else { "LOGGED" }
            ),
            &[Hazard::TableRewrite],
        );
    }
    let index_remade = |i: &String| {
        old.indexes.get(i).map(|x| &x.definition) != new.indexes.get(i).map(|x| &x.definition)
            || old.constraints.get(i).map(|x| &x.definition)
                != new.constraints.get(i).map(|x| &x.definition)
    };
    let replica_remade = new
        .replica_identity
        .as_ref()
        .and_then(|r| r.strip_prefix("USING INDEX "))
        .is_some_and(|i| index_remade(&i.trim_matches('"').replace("\"\"", "\"")));
    if old.replica_identity != new.replica_identity || replica_remade {
        let r = new.replica_identity.as_deref().unwrap_or("DEFAULT");
        d.ops.push_with(
            Phase::TableSettings,
            format!("set replica identity of {name}"),
            format!("ALTER TABLE ONLY {} REPLICA IDENTITY {r};\n", name.sql()),
            &[Hazard::ReplicationChange],
        );
    }
    let cluster_remade = new.cluster_on.as_ref().is_some_and(index_remade);
    if old.cluster_on != new.cluster_on || cluster_remade {
        let sql = match &new.cluster_on {
            Some(i) => format!("{alter} CLUSTER ON {};\n", quote_ident(i)),
            None => format!("{alter} SET WITHOUT CLUSTER;\n"),
        };
        d.ops.push(
            Phase::TableSettings,
            format!("set clustering of {name}"),
            sql,
        );
    }
    let mut rls = String::new();
    if old.row_security != new.row_security {
        let _ = writeln!(
            rls,
            "{alter} {} ROW LEVEL SECURITY;",
            if new.row_security {
                "ENABLE"
            } else {
                "DISABLE"
            }
        );
    }
    if old.force_row_security != new.force_row_security {
        let _ = writeln!(
            rls,
            "{alter} {} ROW LEVEL SECURITY;",
            if new.force_row_security {
                "FORCE"
            } else {
                "NO FORCE"
            }
        );
    }
    d.ops.push_with(
        Phase::RowSecurity,
        format!("change row-level security of {name}"),
        rls,
        &[Hazard::AuthzUpdate],
    );
    d.ops.push(
        Phase::Comment,
        format!("comment on table {name}"),
        comment_change(
            &format!("TABLE {}", name.sql()),
            old.comment.as_ref(),
            new.comment.as_ref(),
        ),
    );
    d.ops.push_with(
        Phase::Grant,
        format!("change grants on {name}"),
        grant_changes(&format!("TABLE {}", name.sql()), &old.grants, &new.grants),
        &[Hazard::AuthzUpdate],
    );
    Ok(())
}
