//! A table made in this migration: the table, its constraints, indexes, triggers, policies and
//! grants.

use std::collections::BTreeSet;

use super::constraint::add_constraint_sql;
use super::index::{attach_index, create_index, IndexCreate};
use super::{descends_from_a_staying_table, parent_stays, partition};
use crate::diff::{Differ, Phase};
use crate::render::objects;
use crate::schema::{ConstraintKind, Grant, QualName, Table};

/// A table being made, and how.
struct NewTable<'a> {
    name: &'a QualName,
    table: &'a Table,
    /// Its partitioned table, if it is a partition.
    parent: Option<&'a Table>,
    /// A partition made on its own and attached after.
    standalone: bool,
    /// When its indexes and keys are attached to their parent's.
    attach_phase: Phase,
}

pub(super) fn create_table(d: &mut Differ<'_>, name: &QualName, t: &Table) {
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
        partition::attach(&mut d.ops, name, p);
    }
    let new = NewTable {
        name,
        table: t,
        parent,
        standalone,
        attach_phase,
    };
    create_constraints(d, &new);
    create_the_rest(d, &new);
}

/// Its constraints: foreign keys, inherited checks (validated), the others.
fn create_constraints(d: &mut Differ<'_>, new: &NewTable<'_>) {
    let NewTable { name, table: t, .. } = *new;
    for (cname, c) in crate::render::constraints_in_name_order(t) {
        if c.kind == ConstraintKind::ForeignKey {
            d.ops.push(
                Phase::AddForeignKey,
                format!("add foreign key {cname} on {name}"),
                add_constraint_sql(name, t, cname, c, d.options.online),
            );
        } else if c.inherited && !new.standalone {
            let parent = new.parent.or_else(|| {
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
            // Before the parent's NOT VALID check that merges into it.
            let under_not_valid = crate::render::check_under_parents_not_valid(d.to, t, cname, c);
            d.ops.push(
                if under_not_valid {
                    Phase::AlterTable
                } else {
                    Phase::AddConstraint
                },
                format!("add constraint {cname} on {name}"),
                objects::add_constraint(name, t, cname, c),
            );
            if let Some(pi) = &c.parent_index {
                attach_index(&mut d.ops, new.attach_phase, &name.schema, cname, pi);
            }
        }
    }
}

/// Its indexes, settings, triggers, row-level security, policies and grants.
fn create_the_rest(d: &mut Differ<'_>, new: &NewTable<'_>) {
    let NewTable { name, table: t, .. } = *new;
    for (iname, i) in &t.indexes {
        let how = IndexCreate {
            phase: Phase::CreateIndex,
            attach_phase: new.attach_phase,
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
        d.ops.push(
            Phase::CreateTrigger,
            format!("create trigger {tname} on {name}"),
            objects::create_trigger(name, tname, tr),
        );
    }
    d.ops.push(
        Phase::RowSecurity,
        format!("enable row-level security on {name}"),
        objects::row_security(name, t),
    );
    for (pname, p) in &t.policies {
        d.ops.push(
            Phase::CreatePolicy,
            format!("create policy {pname} on {name}"),
            objects::create_policy(name, pname, p),
        );
    }
    create_grants(d, name, t);
}

/// Grants on the table, its columns and its identity sequences.
fn create_grants(d: &mut Differ<'_>, name: &QualName, t: &Table) {
    d.ops.push(
        Phase::Grant,
        format!("grant on {name}"),
        objects::grants(&format!("TABLE {}", name.sql()), &t.grants),
    );
    let column_grants: BTreeSet<Grant> =
        t.columns.iter().flat_map(objects::column_grants).collect();
    d.ops.push(
        Phase::Grant,
        format!("grant on columns of {name}"),
        objects::grants(&format!("TABLE {}", name.sql()), &column_grants),
    );
    d.ops.push(
        Phase::Grant,
        format!("grant on identity sequences of {name}"),
        objects::identity_grants(t),
    );
}
