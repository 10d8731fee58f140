//! Tables: columns, constraints, indexes, triggers, policies, partitions and settings.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{cascade, comment_change, grant_changes, DiffError, Differ, Hazard, Ops, Phase};
use crate::render::{objects, table_order};
use crate::schema::{
    Column, Constraint, ConstraintKind, Grant, Index, Policy, QualName, Table, Trigger,
};
use crate::sql::{quote_ident, quote_literal};

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

/// What table inheritance means for an existing table's columns in this migration: PostgreSQL
/// propagates its parents' new and dropped columns and type changes, so those are not done again
/// on it.
#[derive(Default)]
struct Inheritance {
    /// Old columns that go with a parent's (dropped from the parent).
    dropped_by_parent: BTreeSet<String>,
    /// New columns that come with a parent's ADD COLUMN, and that parent's column.
    added_by_parent: BTreeMap<String, Column>,
    /// New columns of its own that a parent adds in this migration too: added before the
    /// parent's (which then merges with them).
    added_before_parent: BTreeSet<String>,
    /// Columns whose type comes from a parent (changed there).
    type_from_parent: BTreeSet<String>,
    /// Checks inherited before that are the table's own once it no longer inherits them.
    checks_already_own: BTreeSet<String>,
    /// Checks inherited before, the table's own once it no longer inherits them, that go (or
    /// change): dropped after `NO INHERIT`.
    checks_dropped_after_no_inherit: BTreeSet<String>,
}

/// The column `x` that a parent `p` adds in this migration, as the `ADD COLUMN` that makes it
/// on the descendants: its own, or (when it gets it from its own parent) that parent's.
fn added_column_origin(d: &Differ<'_>, p: &QualName, x: &str) -> Option<Column> {
    let pt = d.to.tables.get(p)?;
    let c = pt.columns.iter().find(|c| c.name == x)?;
    if c.is_local() {
        return Some(c.clone());
    }
    pt.inherits
        .iter()
        .filter(|g| table_stays(d, g))
        .filter(|g| d.from.tables[*g].columns.iter().all(|gc| gc.name != x))
        .find_map(|g| added_column_origin(d, g, x))
        .or_else(|| Some(c.clone()))
}

/// The table's own `NO INHERIT` and `INHERIT`, and what its parents' changes do to it, worked out
/// as PostgreSQL does them (counting each column's and check's parents, and whether it is the
/// table's own); whatever would not end as `new` has it is refused.
fn inheritance(
    d: &mut Differ<'_>,
    name: &QualName,
    old: &Table,
    new: &Table,
) -> Result<Inheritance, DiffError> {
    let mut plan = Inheritance::default();
    if old.inherits.is_empty() && new.inherits.is_empty() {
        return Ok(plan);
    }
    let refuse = |why: String| -> Result<Inheritance, DiffError> {
        Err(DiffError::Unsupported {
            what: format!("table inheritance of {name}: {why}"),
        })
    };
    // Parents kept: the common prefix (INHERIT appends; an order change is NO INHERIT and
    // INHERIT again), of tables that stay.
    let kept_len = old
        .inherits
        .iter()
        .zip(&new.inherits)
        .take_while(|(a, b)| a == b && table_stays(d, a))
        .count();
    let kept: Vec<(&Table, &Table)> = old.inherits[..kept_len]
        .iter()
        .filter_map(|p| Some((d.from.tables.get(p)?, d.to.tables.get(p)?)))
        .collect();
    let removed = &old.inherits[kept_len..];
    let added = &new.inherits[kept_len..];
    let mut added_tables = Vec::new();
    for p in added {
        match d.to.tables.get(p) {
            Some(t) => added_tables.push((p, t)),
            None => return refuse(format!("its parent {p} is not part of the schema compared")),
        }
    }
    if removed.iter().any(|p| !d.from.tables.contains_key(p)) {
        return refuse("a parent is not part of the schema compared".to_string());
    }
    for p in removed {
        d.ops.push(
            Phase::NoInherit,
            format!("{name} no longer inherits from {p}"),
            format!(
                "ALTER TABLE {} NO INHERIT {};
",
                name.sql(),
                p.sql()
            ),
        );
    }
    for p in added {
        d.ops.push_with(
            Phase::Inherit,
            format!("{name} inherits from {p}"),
            format!(
                "ALTER TABLE {} INHERIT {};
",
                name.sql(),
                p.sql()
            ),
            &[Hazard::ExclusiveLock],
        );
    }

    let col = |t: &'_ Table, x: &str| -> Option<Column> {
        t.columns.iter().find(|c| c.name == x).cloned()
    };
    let mut names: Vec<&str> = old.columns.iter().map(|c| c.name.as_str()).collect();
    for c in &new.columns {
        if !names.contains(&c.name.as_str()) {
            names.push(&c.name);
        }
    }
    for x in names {
        let (old_c, new_c) = (col(old, x), col(new, x));
        // After NO INHERIT: columns no parent gives any more are the table's own.
        let mut count = kept.iter().filter(|(po, _)| col(po, x).is_some()).count();
        let mut exists = old_c.is_some();
        let mut local = old_c.as_ref().is_some_and(Column::is_local) || count == 0;
        // Parents dropping it.
        let drops = kept
            .iter()
            .filter(|(po, pn)| col(po, x).is_some() && col(pn, x).is_none())
            .count();
        if exists && drops > 0 {
            count -= drops;
            if count == 0 && !local {
                exists = false;
                plan.dropped_by_parent.insert(x.to_string());
            }
        }
        if exists && new_c.is_none() {
            if count > 0 {
                return refuse(format!("column {x} is inherited and stays in a parent"));
            }
            exists = false;
        }
        // Parents adding it.
        let adds: Vec<Column> = old.inherits[..kept_len]
            .iter()
            .filter(|p| d.from.tables.get(*p).is_some_and(|po| col(po, x).is_none()))
            .filter_map(|p| added_column_origin(d, p, x))
            .collect();
        if kept
            .iter()
            .any(|(po, pn)| col(po, x).is_some() && col(pn, x).is_some())
        {
            plan.type_from_parent.insert(x.to_string());
        }
        let Some(n) = new_c else {
            continue;
        };
        if !exists {
            if n.is_local() {
                if !adds.is_empty() {
                    plan.added_before_parent.insert(x.to_string());
                }
                local = true;
                count = 0;
            } else if let Some(pc) = adds.first() {
                plan.added_by_parent.insert(x.to_string(), pc.clone());
                local = false;
            } else {
                return refuse(format!(
                    "column {x} would have to be inherited only, but PostgreSQL can only merge an existing column into an inherited one (write the table with {x} as its own column, or make it by hand)"
                ));
            }
            exists = true;
        } else if !adds.is_empty() && old_c.as_ref().is_some_and(|o| o.data_type != n.data_type) {
            return refuse(format!(
                "column {x} changes type while a parent adds it (the types must match first)"
            ));
        }
        count += adds.len();
        for (p, pt) in &added_tables {
            if let Some(pc) = col(pt, x) {
                if pc.not_null && !n.not_null {
                    return refuse(format!(
                        "column {x} must be NOT NULL to inherit from {p}, as it is there"
                    ));
                }
                count += 1;
            }
        }
        let _ = exists;
        let ends = (count > 0, count > 0 && local);
        if ends != (n.inherited, n.inherited && n.merged) {
            let what = |inherited: bool, merged: bool| match (inherited, merged) {
                (false, _) => "its own only",
                (true, false) => "inherited only",
                (true, true) => "both its own and inherited",
            };
            return refuse(format!(
                "column {x} would end {} but is {} in the target (PostgreSQL cannot change that)",
                what(ends.0, ends.1),
                what(n.inherited, n.merged)
            ));
        }
    }

    // Checks, the same way (a check the child has of its own is merged by ADD CONSTRAINT).
    let check = |t: &'_ Table, x: &str| -> Option<Constraint> {
        t.constraints
            .get(x)
            .filter(|c| c.kind == ConstraintKind::Check && !c.no_inherit)
            .cloned()
    };
    let mut checks: BTreeSet<&str> = BTreeSet::new();
    for t in [old, new] {
        checks.extend(
            t.constraints
                .iter()
                .filter(|(_, c)| c.kind == ConstraintKind::Check)
                .map(|(n, _)| n.as_str()),
        );
    }
    let same =
        |a: &Constraint, b: &Constraint| same_constraint(a, b) || only_validation_added(a, b);
    for x in checks {
        let (old_c, new_c) = (old.constraints.get(x), new.constraints.get(x));
        let mut count = kept.iter().filter(|(po, _)| check(po, x).is_some()).count();
        let mut exists = old_c.is_some();
        let mut local = old_c.is_some_and(|c| !c.inherited) || count == 0;
        let changed_in_parent = |po: &Table, pn: &Table| match (check(po, x), check(pn, x)) {
            (Some(a), Some(b)) => !same(&a, &b),
            (a, b) => a.is_some() != b.is_some(),
        };
        let drops = kept
            .iter()
            .filter(|(po, pn)| check(po, x).is_some() && changed_in_parent(po, pn))
            .count();
        if exists && drops > 0 {
            count -= drops;
            if count == 0 && !local {
                exists = false;
            }
        }
        let own_after_no_inherit = exists && local && old_c.is_some_and(|o| o.inherited);
        let differs = |o: &Constraint| {
            new_c.is_none_or(|n| {
                n.inherited
                    || !same(
                        &Constraint {
                            inherited: false,
                            ..o.clone()
                        },
                        n,
                    )
            })
        };
        // A parent let go of that drops or changes it drops it first, before NO INHERIT.
        let gone_with_removed_parent = removed.iter().filter(|p| table_stays(d, p)).any(|p| {
            let (po, pn) = (&d.from.tables[p], &d.to.tables[p]);
            check(po, x).is_some() && changed_in_parent(po, pn)
        });
        if own_after_no_inherit && gone_with_removed_parent && count == 0 {
            exists = false;
        } else if own_after_no_inherit && old_c.is_some_and(differs) && count == 0 {
            plan.checks_dropped_after_no_inherit.insert(x.to_string());
            exists = false;
        }
        let child_drops =
            exists && old_c.is_some_and(|o| !o.inherited && new_c.is_none_or(|n| !same(o, n)));
        if child_drops {
            if count > 0 {
                return refuse(format!(
                    "check {x} is inherited from a parent that keeps it"
                ));
            }
            exists = false;
        }
        let adds = kept
            .iter()
            .filter(|(po, pn)| check(pn, x).is_some() && changed_in_parent(po, pn))
            .count();
        if adds > 0 {
            if !exists {
                local = false;
                exists = true;
            }
            count += adds;
        }
        let child_adds = new_c.is_some_and(|n| !n.inherited && old_c.is_none_or(|o| !same(o, n)));
        if child_adds && exists && local {
            // Its own already (NO INHERIT made it so): kept if it is the same.
            let unchanged = old_c.zip(new_c).is_some_and(|(o, n)| {
                same(
                    &Constraint {
                        inherited: false,
                        ..o.clone()
                    },
                    n,
                )
            });
            if !unchanged {
                return refuse(format!(
                    "check {x} changes while the parent it came from is removed"
                ));
            }
            plan.checks_already_own.insert(x.to_string());
        } else if child_adds {
            if !exists {
                count = 0;
            }
            local = true;
            exists = true;
        }
        for (p, pt) in &added_tables {
            if check(pt, x).is_some() {
                if !exists {
                    return refuse(format!(
                        "check {x} of {p} would have to be inherited only, but INHERIT needs the table to have it already (write it as the table's own check too)"
                    ));
                }
                count += 1;
            }
        }
        let ends = exists.then_some(count > 0 && !local);
        if ends != new_c.map(|n| n.inherited) {
            return refuse(format!(
                "check {x} cannot be made {} as the target has it",
                match new_c {
                    None => "to go".to_string(),
                    Some(n) if n.inherited => "inherited only".to_string(),
                    Some(_) => "the table's own".to_string(),
                }
            ));
        }
    }
    Ok(plan)
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

/// `ADD CONSTRAINT`; online, a foreign key or check is added `NOT VALID` and validated after
/// (the scan then takes only a SHARE UPDATE EXCLUSIVE lock).
fn add_constraint_sql(
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

/// When and how a new index is made, and attached to its parent index.
#[derive(Clone, Copy)]
struct IndexCreate {
    phase: Phase,
    attach_phase: Phase,
    online: bool,
}

fn create_index(ops: &mut Ops, owner: &QualName, iname: &str, i: &Index, how: &IndexCreate) {
    let IndexCreate {
        phase,
        attach_phase,
        online,
    } = *how;
    // CONCURRENTLY does not apply to a partitioned table's own index (`ON ONLY`).
    let concurrent = online && !i.definition.contains(" ON ONLY ");
    let sql = if concurrent {
        let mut s = objects::create_index(&owner.schema, iname, i);
        s = s.replacen(" INDEX ", " INDEX CONCURRENTLY ", 1);
        s
    } else {
        objects::create_index(&owner.schema, iname, i)
    };
    let hazards: &[Hazard] = if concurrent {
        &[]
    } else {
        &[Hazard::IndexBuild]
    };
    ops.push_with(
        phase,
        format!("create index {iname} on {owner}"),
        sql,
        hazards,
    );
    if concurrent {
        if let Some(op) = ops.0.last_mut() {
            op.transactional = false;
        }
    }
    if let Some(pi) = &i.parent_index {
        ops.push(
            attach_phase,
            format!("attach index {iname} to {pi}"),
            objects::attach_index(pi, &QualName::new(owner.schema.clone(), iname)),
        );
    }
}

/// Indexes of a table or materialized view.
pub(super) fn diff_indexes(
    ops: &mut Ops,
    owner: &QualName,
    old: &BTreeMap<String, Index>,
    new: &BTreeMap<String, Index>,
    create_phase: Phase,
    online: bool,
) {
    let how = IndexDiff {
        create_phase,
        online,
        detaching: false,
    };
    diff_indexes_forced(ops, owner, old, new, how, &|_| false);
}

/// How one owner's indexes are diffed.
struct IndexDiff {
    create_phase: Phase,
    online: bool,
    /// The owner is detached from its partitioned table in this migration.
    detaching: bool,
}

fn diff_indexes_forced(
    ops: &mut Ops,
    owner: &QualName,
    old: &BTreeMap<String, Index>,
    new: &BTreeMap<String, Index>,
    how: IndexDiff,
    forced: &dyn Fn(&Index) -> bool,
) {
    let IndexDiff {
        create_phase,
        online,
        detaching,
    } = how;
    let late = IndexCreate {
        phase: create_phase,
        attach_phase: Phase::AttachIndex,
        online,
    };
    super::tablespace::index_tablespaces(ops, owner, old, new);
    for (iname, i) in old {
        let changed = match new.get(iname) {
            None => true,
            Some(n) => n.definition != i.definition || forced(i),
        };
        // An index attached to a partitioned table's goes with it, unless the table is
        // detached first: then it is dropped once detached.
        if changed && (i.parent_index.is_none() || detaching) {
            ops.push_with(
                if i.parent_index.is_some() {
                    Phase::DropTable
                } else {
                    Phase::DropIndex
                },
                format!("drop index {iname} on {owner}"),
                objects::drop_index(&owner.schema, iname),
                &[Hazard::IndexDropped],
            );
        }
    }
    for (iname, i) in new {
        match old.get(iname) {
            // Attached to a parent index that goes (it goes with it): made again on its own.
            Some(o) if o.parent_index.is_some() && i.parent_index.is_none() => {
                create_index(ops, owner, iname, i, &late)
            }
            Some(o) if o.definition == i.definition && !forced(o) => {
                if o.parent_index != i.parent_index {
                    if let Some(pi) = &i.parent_index {
                        ops.push(
                            Phase::AttachIndex,
                            format!("attach index {iname} to {pi}"),
                            objects::attach_index(pi, &QualName::new(owner.schema.clone(), iname)),
                        );
                    }
                }
                ops.push(
                    create_phase,
                    format!("set statistics of index {iname}"),
                    objects::index_statistics(&owner.schema, iname, Some(o), i),
                );
                ops.push(
                    Phase::Comment,
                    format!("comment on index {iname}"),
                    comment_change(
                        &format!("INDEX {}", QualName::new(owner.schema.clone(), iname).sql()),
                        o.comment.as_ref(),
                        i.comment.as_ref(),
                    ),
                );
            }
            _ => create_index(ops, owner, iname, i, &late),
        }
    }
}

/// Triggers of a table or view; `forced`: made again even if unchanged.
pub(super) fn diff_triggers(
    ops: &mut Ops,
    owner: &QualName,
    old: &BTreeMap<String, Trigger>,
    new: &BTreeMap<String, Trigger>,
    forced: &dyn Fn(&Trigger) -> bool,
) {
    for (tname, t) in old {
        let changed = new
            .get(tname)
            .is_none_or(|n| n.definition != t.definition || forced(t));
        if changed {
            ops.push_with(
                Phase::DropTrigger,
                format!("drop trigger {tname} on {owner}"),
                objects::drop_trigger(owner, tname),
                &[Hazard::UntrackedDependencies],
            );
        }
    }
    for (tname, t) in new {
        match old.get(tname) {
            Some(o) if o.definition == t.definition && !forced(o) => {
                if o.enabled != t.enabled {
                    let state = match t.enabled.as_str() {
                        "D" => "DISABLE TRIGGER",
                        "R" => "ENABLE REPLICA TRIGGER",
                        "A" => "ENABLE ALWAYS TRIGGER",
                        _ => "ENABLE TRIGGER",
                    };
                    ops.push(
                        Phase::CreateTrigger,
                        format!("set trigger {tname} on {owner}: {state}"),
                        format!(
                            "ALTER TABLE {} {state} {};\n",
                            owner.sql(),
                            quote_ident(tname)
                        ),
                    );
                }
                ops.push(
                    Phase::Comment,
                    format!("comment on trigger {tname}"),
                    comment_change(
                        &format!("TRIGGER {} ON {}", quote_ident(tname), owner.sql()),
                        o.comment.as_ref(),
                        t.comment.as_ref(),
                    ),
                );
            }
            _ => ops.push_with(
                Phase::CreateTrigger,
                format!("create trigger {tname} on {owner}"),
                objects::create_trigger(owner, tname, t),
                &[Hazard::UntrackedDependencies],
            ),
        }
    }
}

/// Whether an index or key constraint named `q` exists in `schema`.
fn index_exists(schema: &crate::schema::Schema, q: &QualName) -> bool {
    schema
        .tables
        .iter()
        .filter(|(t, _)| t.schema == q.schema)
        .any(|(_, t)| t.indexes.contains_key(&q.name) || t.constraints.contains_key(&q.name))
}

/// What PostgreSQL gives no way to do on partitioned indexes, refused before any SQL is made:
/// an index detached from a parent index that stays; a parent index dropped while a partition's
/// key constraint is attached to it; a table attached as a partition with more than one index
/// matching a parent index (PostgreSQL attaches one of its choosing).
fn refuse_partition_index_changes(
    d: &Differ<'_>,
    name: &QualName,
    old: &Table,
    new: &Table,
) -> Result<(), DiffError> {
    let unsupported = |what: String| Err(DiffError::Unsupported { what });
    for (iname, i) in &new.indexes {
        if let Some(o) = old.indexes.get(iname) {
            if let (Some(p), None) = (&o.parent_index, &i.parent_index) {
                if index_exists(d.to, p) {
                    return unsupported(format!(
                        "detaching index {iname} of {name} from {p}, which stays"
                    ));
                }
            }
        }
    }
    for (iname, i) in &old.indexes {
        let goes = new
            .indexes
            .get(iname)
            .is_none_or(|n| n.definition != i.definition);
        if !goes {
            continue;
        }
        let q = QualName::new(name.schema.clone(), iname.clone());
        for (tname, t) in &d.from.tables {
            for (cname, c) in &t.constraints {
                if c.parent_index.as_ref() == Some(&q) {
                    return unsupported(format!(
                        "dropping index {q} of partitioned table {name} while constraint {cname} of partition {tname} is attached to it"
                    ));
                }
            }
        }
    }
    let attaching = new.partition_of.is_some() && old.partition_of != new.partition_of;
    if attaching {
        let shape = |def: &str| def.split_once(" ON ").map(|(_, r)| r.to_string());
        for (iname, i) in new.indexes.iter().filter(|(_, i)| i.parent_index.is_some()) {
            let twins = new
                .indexes
                .iter()
                .filter(|(n, x)| *n != iname && shape(&x.definition) == shape(&i.definition))
                .count();
            if twins > 0 {
                return unsupported(format!(
                    "attaching {name} as a partition: more than one of its indexes matches {}, and PostgreSQL attaches one of its own choosing",
                    i.parent_index.as_ref().map(|p| p.to_string()).unwrap_or_default()
                ));
            }
        }
    }
    Ok(())
}

/// Whether what foreign key `fk` depends on goes away or is made again, so that it must be
/// dropped first and made again after: the referenced table (gone or made again), a referenced
/// column (gone, or its type changes), or a unique index or key constraint on exactly the
/// referenced columns (PostgreSQL makes the foreign key depend on one of those, of its
/// choosing). Nothing else of the referenced table matters: its other columns, indexes,
/// constraints and comments change under the foreign key.
fn referenced_key_changes(d: &Differ<'_>, fk: &Constraint) -> bool {
    let Some(referenced) = &fk.references else {
        return false;
    };
    if d.cascade.tables.contains(referenced) {
        return true;
    }
    let (Some(old), Some(new)) = (d.from.tables.get(referenced), d.to.tables.get(referenced))
    else {
        return true;
    };
    let Some(columns) = referenced_columns(&fk.definition) else {
        return true;
    };
    let column_changes = columns.iter().any(|name| {
        let find = |t: &'_ Table| t.columns.iter().find(|c| &c.name == name).cloned();
        match (find(old), find(new)) {
            (Some(o), Some(n)) => {
                o.data_type != n.data_type
                    || o.collation != n.collation
                    || o.generated != n.generated
                    || d.cascade
                        .enum_swaps
                        .iter()
                        .any(|e| e.to_string() == n.data_type.trim_end_matches("[]"))
            }
            _ => true,
        }
    });
    let wanted: BTreeSet<&str> = columns.iter().map(String::as_str).collect();
    let key_goes = old.constraints.iter().any(|(cname, c)| {
        matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
            && c.columns
                .iter()
                .map(String::as_str)
                .collect::<BTreeSet<_>>()
                == wanted
            && (new
                .constraints
                .get(cname)
                .is_none_or(|n| !same_constraint(c, n))
                || d.cascade.mentions_gone(&c.definition))
    });
    let index_goes = old.indexes.iter().any(|(iname, i)| {
        i.unique
            && i.predicate.is_none()
            && index_columns(&i.definition).is_some_and(|cols| {
                cols.iter().map(String::as_str).collect::<BTreeSet<_>>() == wanted
            })
            && (new
                .indexes
                .get(iname)
                .is_none_or(|n| n.definition != i.definition)
                || d.cascade.mentions_gone(&i.definition))
    });
    column_changes || key_goes || index_goes
}

/// The items of the parenthesised list opening at byte `open` of `text` (at the top level of
/// the list, outside quotes), and the byte after its closing parenthesis.
fn list_at(text: &str, open: usize) -> Option<(Vec<&str>, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(open) != Some(&b'(') {
        return None;
    }
    let (mut depth, mut quote, mut start) = (0usize, None::<u8>, open + 1);
    let mut items = Vec::new();
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') => {
                depth -= 1;
                if depth == 0 {
                    items.push(text[start..i].trim());
                    return Some((items, i + 1));
                }
            }
            (None, b',') if depth == 1 => {
                items.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// The column an index or list item names (`a`, `"A b" DESC`, `a text_pattern_ops`), or None
/// for an expression.
fn item_column(item: &str) -> Option<String> {
    let (name, rest) = if let Some(quoted) = item.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = quoted.char_indices().peekable();
        loop {
            let (i, c) = chars.next()?;
            if c == '"' {
                if chars.peek().map(|(_, c)| *c) == Some('"') {
                    chars.next();
                    name.push('"');
                    continue;
                }
                break (name, &quoted[i + 1..]);
            }
            name.push(c);
        }
    } else {
        let end = item
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(item.len());
        (item[..end].to_string(), &item[end..])
    };
    let plain = !name.is_empty() && (rest.is_empty() || rest.starts_with(char::is_whitespace));
    (plain && !rest.contains('(')).then_some(name)
}

/// The position of the first `(` of `text` outside double quotes.
fn first_paren(text: &str, from: usize) -> Option<usize> {
    let mut quoted = false;
    for (i, b) in text.bytes().enumerate().skip(from) {
        match b {
            b'"' => quoted = !quoted,
            b'(' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// A foreign key's referenced columns: `FOREIGN KEY (a) REFERENCES s.t(b, "C") ...` gives `b`,
/// `C`.
fn referenced_columns(definition: &str) -> Option<Vec<String>> {
    let (_, after_own) = list_at(definition, first_paren(definition, 0)?)?;
    let (items, _) = list_at(definition, first_paren(definition, after_own)?)?;
    items.into_iter().map(item_column).collect()
}

/// An index's key columns (`CREATE UNIQUE INDEX i ON s.t USING btree (a, b DESC) INCLUDE (c)`
/// gives `a`, `b`), or None when one is an expression.
fn index_columns(definition: &str) -> Option<Vec<String>> {
    let (items, _) = list_at(definition, first_paren(definition, 0)?)?;
    items.into_iter().map(item_column).collect()
}

fn alter_table(
    d: &mut Differ<'_>,
    name: &QualName,
    old: &Table,
    new: &Table,
) -> Result<(), DiffError> {
    d.typed_table_link(name, old, new)?;
    d.table_tablespaces(name, old, new);
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

fn same_constraint(a: &Constraint, b: &Constraint) -> bool {
    a.kind == b.kind
        && a.definition == b.definition
        && a.deferrable == b.deferrable
        && a.initially_deferred == b.initially_deferred
        && a.no_inherit == b.no_inherit
        && a.inherited == b.inherited
}

/// `NOT VALID` on the old side only: a VALIDATE makes it the new one.
fn only_validation_added(old: &Constraint, new: &Constraint) -> bool {
    !old.validated
        && new.validated
        && old.definition.strip_suffix(" NOT VALID") == Some(new.definition.as_str())
}

fn policies(
    ops: &mut Ops,
    table: &QualName,
    old: &BTreeMap<String, Policy>,
    new: &BTreeMap<String, Policy>,
    forced: &dyn Fn(&Policy) -> bool,
) {
    let alterable = |o: &Policy, n: &Policy| {
        o.permissive == n.permissive
            && o.command == n.command
            && (o.using.is_none() || n.using.is_some())
            && (o.with_check.is_none() || n.with_check.is_some())
    };
    for (pname, p) in old {
        let remake = new.get(pname).is_none_or(|n| !alterable(p, n) || forced(p));
        if remake {
            ops.push_with(
                Phase::DropPolicy,
                format!("drop policy {pname} on {table}"),
                objects::drop_policy(table, pname),
                &[Hazard::AuthzUpdate],
            );
        }
    }
    for (pname, p) in new {
        match old.get(pname) {
            Some(o) if alterable(o, p) && !forced(o) => {
                let mut sql = String::new();
                if o.roles != p.roles {
                    let roles: Vec<String> = p.roles.iter().map(|r| super::role(r)).collect();
                    let roles = if roles.is_empty() {
                        "PUBLIC".to_string()
                    } else {
                        roles.join(", ")
                    };
                    let _ = write!(sql, " TO {roles}");
                }
                if o.using != p.using {
                    if let Some(u) = &p.using {
                        let _ = write!(sql, " USING ({u})");
                    }
                }
                if o.with_check != p.with_check {
                    if let Some(c) = &p.with_check {
                        let _ = write!(sql, " WITH CHECK ({c})");
                    }
                }
                if !sql.is_empty() {
                    ops.push_with(
                        Phase::CreatePolicy,
                        format!("alter policy {pname} on {table}"),
                        format!(
                            "ALTER POLICY {} ON {}{sql};\n",
                            quote_ident(pname),
                            table.sql()
                        ),
                        &[Hazard::AuthzUpdate],
                    );
                }
                ops.push(
                    Phase::Comment,
                    format!("comment on policy {pname}"),
                    comment_change(
                        &format!("POLICY {} ON {}", quote_ident(pname), table.sql()),
                        o.comment.as_ref(),
                        p.comment.as_ref(),
                    ),
                );
            }
            _ => ops.push_with(
                Phase::CreatePolicy,
                format!("create policy {pname} on {table}"),
                objects::create_policy(table, pname, p),
                &[Hazard::AuthzUpdate],
            ),
        }
    }
}

/// Whether changing a column from `old` to `new` type keeps its bytes (no rewrite): the same
/// type with a wider length, or varchar to text.
fn binary_coercible(old: &str, new: &str) -> bool {
    let base = |t: &str| t.split('(').next().unwrap_or(t).trim().to_string();
    let len = |t: &str| -> Option<u32> {
        t.split_once('(')?
            .1
            .trim_end_matches(')')
            .split(',')
            .next()?
            .trim()
            .parse()
            .ok()
    };
    if old.ends_with("[]") != new.ends_with("[]") {
        return false;
    }
    (base(old) == "character varying"
        && (new == "text" || (base(new) == base(old) && !new.contains('('))))
        || (base(old) == base(new)
            && matches!(base(old).as_str(), "character varying" | "bit varying")
            && matches!((len(old), len(new)), (Some(a), Some(b)) if b >= a))
}

/// The type family of a type, for choosing a cast.
fn family(t: &str) -> &'static str {
    let base = t.split('(').next().unwrap_or(t).trim();
    match base {
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" | "money" => {
            "number"
        }
        "text" | "character varying" | "character" | "\"char\"" | "name" | "citext" => "text",
        "date" | "timestamp without time zone" | "timestamp with time zone" => "datetime",
        "time without time zone" | "time with time zone" => "time",
        "json" | "jsonb" => "json",
        "bit" | "bit varying" => "bits",
        "inet" | "cidr" => "network",
        _ => "other",
    }
}

/// `USING col::new`, or through text (PostgreSQL's I/O cast) where the two types have no cast
/// between them (bigint to timestamp).
fn using_cast(column: &str, old: &str, new: &str) -> String {
    let col = quote_ident(column);
    let (fo, fnew) = (family(old), family(new));
    let array = old.ends_with("[]") || new.ends_with("[]");
    let direct = array
        || fo == "text"
        || fnew == "text"
        || (fo == fnew && fo != "other")
        || (old == "integer" && new == "boolean")
        || (old == "boolean" && new == "integer");
    if direct {
        format!("{col}::{new}")
    } else {
        format!("{col}::text::{new}")
    }
}

fn columns(
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
    // A typed table's come from its type.
    let from_type = super::typed_table::columns_follow_type(old, new);
    let inherited = |c: &str| {
        from_type
            || parent.is_some_and(|p| p.columns.iter().any(|pc| pc.name == c))
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
    let mut hint = super::rename_hint(name, &dropped, &added);
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
        if from_parent || from_type || inheritance.dropped_by_parent.contains(&c.name) {
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
fn column_settings(d: &mut Differ<'_>, table: &QualName, old: Option<&Column>, new: &Column) {
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
fn identity_sequence_settings(d: &mut Differ<'_>, old: Option<&Column>, new: &Column) {
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

fn alter_column(
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
            let changes = super::sequence_option_changes(&a.options, &b.options, true);
            if !changes.is_empty() {
                sql.push_str(&super::move_into_bounds(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referenced_columns_of_foreign_keys() {
        let cols = |d: &str| referenced_columns(d).map(|v| v.join("|"));
        assert_eq!(
            cols("FOREIGN KEY (a, b) REFERENCES public.t(x, \"Y, z\") ON DELETE SET NULL (a)"),
            Some("x|Y, z".to_string())
        );
        assert_eq!(
            cols("FOREIGN KEY (\"a(\") REFERENCES \"s(\".\"t)\"(id) MATCH FULL"),
            Some("id".to_string())
        );
    }

    #[test]
    fn key_columns_of_indexes() {
        let cols = |d: &str| index_columns(d).map(|v| v.join("|"));
        assert_eq!(
            cols("CREATE UNIQUE INDEX \"i (x)\" ON public.t USING btree (a DESC NULLS LAST, \"B\" text_pattern_ops) INCLUDE (c)"),
            Some("a|B".to_string())
        );
        assert_eq!(
            cols("CREATE UNIQUE INDEX i ON public.t USING btree (lower(a))"),
            None
        );
        assert_eq!(
            cols("CREATE UNIQUE INDEX i ON public.t USING btree (a, ((b + 1)))"),
            None
        );
    }
}
