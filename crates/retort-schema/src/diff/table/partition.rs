//! Partition membership of a table: detached from its old parent, attached to its new one.

use super::Change;
use crate::diff::{Differ, Ops, Phase};
use crate::schema::{PartitionOf, QualName};

/// `DETACH PARTITION name` from `parent`.
pub(super) fn detach(ops: &mut Ops, name: &QualName, parent: &QualName) {
    ops.push(
        Phase::DetachPartition,
        format!("detach partition {name} from {parent}"),
        format!(
            "ALTER TABLE {} DETACH PARTITION {};\n",
            parent.sql(),
            name.sql()
        ),
    );
}

/// `ATTACH PARTITION name` to its parent, with its bound.
pub(super) fn attach(ops: &mut Ops, name: &QualName, p: &PartitionOf) {
    ops.push(
        Phase::AttachPartition,
        format!("attach partition {name} to {}", p.parent),
        format!(
            "ALTER TABLE {} ATTACH PARTITION {} {};\n",
            p.parent.sql(),
            name.sql(),
            p.bound
        ),
    );
}

/// A table that stays and changes parent: detached (when its old parent stays), then attached.
pub(super) fn alter_membership(d: &mut Differ<'_>, t: &Change<'_>) {
    if t.old.partition_of == t.new.partition_of {
        return;
    }
    if let Some(p) = &t.old.partition_of {
        if d.from.tables.contains_key(&p.parent) {
            detach(&mut d.ops, t.name, &p.parent);
        }
    }
    if let Some(p) = &t.new.partition_of {
        attach(&mut d.ops, t.name, p);
    }
}
