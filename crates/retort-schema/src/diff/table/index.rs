//! Indexes of a table or materialized view, and what PostgreSQL cannot do with partitioned ones.

use std::collections::{BTreeMap, BTreeSet};

use crate::diff::{DiffError, Differ, Ops, Phase};
use crate::render::objects;
use crate::schema::{Index, QualName, Table};

/// When and how a new index is made, and attached to its parent index.
#[derive(Clone, Copy)]
pub(super) struct IndexCreate {
    pub(super) phase: Phase,
    pub(super) attach_phase: Phase,
    pub(super) online: bool,
}

pub(super) fn create_index(
    ops: &mut Ops,
    owner: &QualName,
    iname: &str,
    i: &Index,
    how: &IndexCreate,
) {
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
    ops.push(phase, format!("create index {iname} on {owner}"), sql);
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
pub(in crate::diff) fn diff_indexes(
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
        parent_indexes_going: BTreeSet::new(),
    };
    diff_indexes_forced(ops, owner, old, new, how, &|_| false);
}

/// How one owner's indexes are diffed.
pub(super) struct IndexDiff {
    pub(super) create_phase: Phase,
    pub(super) online: bool,
    /// The owner is detached from its partitioned table in this migration.
    pub(super) detaching: bool,
    /// The indexes of that partitioned table that are dropped (before the detach, taking the
    /// owner's attached indexes with them).
    pub(super) parent_indexes_going: BTreeSet<QualName>,
}

/// The indexes of a partition's parent that the diff drops with DROP INDEX (gone or defined
/// anew) while the parent stays: that runs before the partition is detached and takes the
/// partition's attached index along. (A parent dropped or made again loses its indexes only
/// after the detach, which leaves the partition its own.)
pub(super) fn parent_indexes_going(d: &Differ<'_>, partition: &Table) -> BTreeSet<QualName> {
    let Some(parent) = partition.partition_of.as_ref().map(|p| &p.parent) else {
        return BTreeSet::new();
    };
    if d.cascade.tables.contains(parent) || !d.to.tables.contains_key(parent) {
        return BTreeSet::new();
    }
    let (Some(old), new) = (d.from.tables.get(parent), d.to.tables.get(parent)) else {
        return BTreeSet::new();
    };
    old.indexes
        .iter()
        .filter(|(name, i)| {
            new.and_then(|t| t.indexes.get(*name))
                .is_none_or(|n| n.definition != i.definition)
        })
        .map(|(name, _)| QualName::new(parent.schema.clone(), name.clone()))
        .collect()
}

pub(super) fn diff_indexes_forced(
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
        parent_indexes_going,
    } = how;
    let late = IndexCreate {
        phase: create_phase,
        attach_phase: Phase::AttachIndex,
        online,
    };
    crate::diff::tablespace::index_tablespaces(ops, owner, old, new);
    for (iname, i) in old {
        let changed = match new.get(iname) {
            None => true,
            Some(n) => n.definition != i.definition || forced(i),
        };
        // An index attached to a partitioned table's goes with it, unless the table is
        // detached first: then it is dropped once detached.
        let with_parent = i
            .parent_index
            .as_ref()
            .is_some_and(|pi| parent_indexes_going.contains(pi));
        if changed && (i.parent_index.is_none() || (detaching && !with_parent)) {
            ops.push(
                if i.parent_index.is_some() {
                    Phase::DropTable
                } else {
                    Phase::DropIndex
                },
                format!("drop index {iname} on {owner}"),
                objects::drop_index(&owner.schema, iname),
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
                ops.comment(
                    format!("comment on index {iname}"),
                    &format!("INDEX {}", QualName::new(owner.schema.clone(), iname).sql()),
                    o.comment.as_ref(),
                    i.comment.as_ref(),
                );
            }
            _ => create_index(ops, owner, iname, i, &late),
        }
    }
}

/// The definition of the index or key constraint named `q` in `schema`, if there is one.
fn index_definition<'a>(schema: &'a crate::schema::Schema, q: &QualName) -> Option<&'a str> {
    schema
        .tables
        .iter()
        .filter(|(t, _)| t.schema == q.schema)
        .find_map(|(_, t)| {
            t.indexes
                .get(&q.name)
                .map(|i| i.definition.as_str())
                .or_else(|| t.constraints.get(&q.name).map(|c| c.definition.as_str()))
        })
}

/// Whether an index or key constraint named `q` exists in `schema`.
pub(super) fn index_exists(schema: &crate::schema::Schema, q: &QualName) -> bool {
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
pub(super) fn refuse_partition_index_changes(
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
    let same_partition = new.partition_of.is_some() && old.partition_of == new.partition_of;
    for (cname, c) in old.constraints.iter().filter(|_| same_partition) {
        let Some(p) = &c.parent_index else { continue };
        let kept = new
            .constraints
            .get(cname)
            .is_some_and(|n| n.parent_index.as_ref() == Some(p));
        if !kept
            && index_definition(d.to, p).is_some_and(|t| index_definition(d.from, p) == Some(t))
        {
            return unsupported(format!(
                "detaching constraint {cname} of partition {name} from {p}, which stays (PostgreSQL cannot detach a partition's key from its parent's, nor drop it while it is attached)"
            ));
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

/// `ALTER INDEX parent ATTACH PARTITION schema.iname`.
pub(super) fn attach_index(
    ops: &mut Ops,
    phase: Phase,
    schema: &str,
    iname: &str,
    parent: &QualName,
) {
    ops.push(
        phase,
        format!("attach index {iname} to {parent}"),
        objects::attach_index(parent, &QualName::new(schema, iname)),
    );
}
