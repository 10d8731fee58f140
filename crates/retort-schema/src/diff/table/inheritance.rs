//! Table inheritance (`INHERITS`) of a table that stays: its own `NO INHERIT` and `INHERIT`, and
//! what its parents' changes do to its columns and checks.

use std::collections::{BTreeMap, BTreeSet};

use super::constraint::{only_validation_added, same_constraint};
use super::table_stays;
use crate::diff::{DiffError, Differ, Phase};
use crate::schema::{Column, Constraint, ConstraintKind, QualName, Table};

/// What table inheritance means for an existing table's columns in this migration: PostgreSQL
/// propagates its parents' new and dropped columns and type changes, so those are not done again
/// on it.
#[derive(Default)]
pub(super) struct Inheritance {
    /// Old columns that go with a parent's (dropped from the parent).
    pub(super) dropped_by_parent: BTreeSet<String>,
    /// New columns that come with a parent's ADD COLUMN, and that parent's column.
    pub(super) added_by_parent: BTreeMap<String, Column>,
    /// New columns of its own that a parent adds in this migration too: added before the
    /// parent's (which then merges with them).
    pub(super) added_before_parent: BTreeSet<String>,
    /// Columns whose type comes from a parent (changed there).
    pub(super) type_from_parent: BTreeSet<String>,
    /// Checks inherited before that are the table's own once it no longer inherits them.
    pub(super) checks_already_own: BTreeSet<String>,
    /// Checks inherited before, the table's own once it no longer inherits them, that go (or
    /// change): dropped after `NO INHERIT`.
    pub(super) checks_dropped_after_no_inherit: BTreeSet<String>,
}

/// The column `x` that a parent `p` adds in this migration, as the `ADD COLUMN` that makes it
/// on the descendants: its own, or (when it gets it from its own parent) that parent's.
pub(super) fn added_column_origin(d: &Differ<'_>, p: &QualName, x: &str) -> Option<Column> {
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
pub(super) fn inheritance(
    d: &mut Differ<'_>,
    name: &QualName,
    old: &Table,
    new: &Table,
) -> Result<Inheritance, DiffError> {
    let mut plan = Inheritance::default();
    if old.inherits.is_empty() && new.inherits.is_empty() {
        return Ok(plan);
    }
    let parents = Parents::of(d, name, old, new)?;
    for p in parents.removed {
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
    for (p, _) in &parents.added {
        d.ops.push(
            Phase::Inherit,
            format!("{name} inherits from {p}"),
            format!(
                "ALTER TABLE {} INHERIT {};
",
                name.sql(),
                p.sql()
            ),
        );
    }
    let mut names: Vec<&str> = old.columns.iter().map(|c| c.name.as_str()).collect();
    for c in &new.columns {
        if !names.contains(&c.name.as_str()) {
            names.push(&c.name);
        }
    }
    for x in names {
        parents.column(d, &mut plan, x)?;
    }
    let mut checks: BTreeSet<&str> = BTreeSet::new();
    for t in [old, new] {
        checks.extend(
            t.constraints
                .iter()
                .filter(|(_, c)| c.kind == ConstraintKind::Check)
                .map(|(n, _)| n.as_str()),
        );
    }
    for x in checks {
        let m = parents.check_after_drops(d, &mut plan, x)?;
        parents.check_after_adds(&mut plan, x, m)?;
    }
    Ok(plan)
}

/// A table's parents in this migration, before (`old`) and after (`new`).
struct Parents<'a> {
    name: &'a QualName,
    old: &'a Table,
    new: &'a Table,
    /// How many of the old parents stay (a common prefix: INHERIT appends; an order change is
    /// NO INHERIT and INHERIT again).
    kept_len: usize,
    /// The kept parents, before and after.
    kept: Vec<(&'a Table, &'a Table)>,
    /// The parents let go of.
    removed: &'a [QualName],
    /// The new parents.
    added: Vec<(&'a QualName, &'a Table)>,
}

/// Where a column or check stands while its parents' changes are counted: how many parents give
/// it, whether the table has it, and whether it is the table's own.
#[derive(Clone, Copy)]
struct Membership {
    count: usize,
    exists: bool,
    local: bool,
}

fn col(t: &Table, x: &str) -> Option<Column> {
    t.columns.iter().find(|c| c.name == x).cloned()
}

/// Check `x` of `t`, if it is one a child inherits.
fn check(t: &Table, x: &str) -> Option<Constraint> {
    t.constraints
        .get(x)
        .filter(|c| c.kind == ConstraintKind::Check && !c.no_inherit)
        .cloned()
}

fn same(a: &Constraint, b: &Constraint) -> bool {
    same_constraint(a, b) || only_validation_added(a, b)
}

/// Whether a parent's check `x` goes, comes or changes.
fn changed_in_parent(po: &Table, pn: &Table, x: &str) -> bool {
    match (check(po, x), check(pn, x)) {
        (Some(a), Some(b)) => !same(&a, &b),
        (a, b) => a.is_some() != b.is_some(),
    }
}

/// `c` as the table's own (no longer inherited).
fn own(c: &Constraint) -> Constraint {
    Constraint {
        inherited: false,
        ..c.clone()
    }
}

impl<'a> Parents<'a> {
    fn of(
        d: &Differ<'a>,
        name: &'a QualName,
        old: &'a Table,
        new: &'a Table,
    ) -> Result<Parents<'a>, DiffError> {
        let (from, to) = (d.from, d.to);
        let kept_len = old
            .inherits
            .iter()
            .zip(&new.inherits)
            .take_while(|(a, b)| a == b && table_stays(d, a))
            .count();
        let kept = old.inherits[..kept_len]
            .iter()
            .filter_map(|p| Some((from.tables.get(p)?, to.tables.get(p)?)))
            .collect();
        let parents = Parents {
            name,
            old,
            new,
            kept_len,
            kept,
            removed: &old.inherits[kept_len..],
            added: Vec::new(),
        };
        let mut added = Vec::new();
        for p in &new.inherits[kept_len..] {
            match to.tables.get(p) {
                Some(t) => added.push((p, t)),
                None => {
                    return Err(parents
                        .refuse(format!("its parent {p} is not part of the schema compared")))
                }
            }
        }
        if parents.removed.iter().any(|p| !from.tables.contains_key(p)) {
            return Err(parents.refuse("a parent is not part of the schema compared".to_string()));
        }
        Ok(Parents { added, ..parents })
    }

    fn refuse(&self, why: String) -> DiffError {
        DiffError::Unsupported {
            what: format!("table inheritance of {}: {why}", self.name),
        }
    }

    /// Column `x`: counted through the parents' drops and adds, and refused unless it ends as
    /// the new table has it.
    fn column(&self, d: &Differ<'_>, plan: &mut Inheritance, x: &str) -> Result<(), DiffError> {
        let (old_c, new_c) = (col(self.old, x), col(self.new, x));
        // After NO INHERIT: columns no parent gives any more are the table's own.
        let mut count = self
            .kept
            .iter()
            .filter(|(po, _)| col(po, x).is_some())
            .count();
        let mut exists = old_c.is_some();
        let mut local = old_c.as_ref().is_some_and(Column::is_local) || count == 0;
        // Parents dropping it.
        let drops = self
            .kept
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
                return Err(self.refuse(format!("column {x} is inherited and stays in a parent")));
            }
            exists = false;
        }
        // Parents adding it.
        let adds: Vec<Column> = self.old.inherits[..self.kept_len]
            .iter()
            .filter(|p| d.from.tables.get(*p).is_some_and(|po| col(po, x).is_none()))
            .filter_map(|p| added_column_origin(d, p, x))
            .collect();
        if self
            .kept
            .iter()
            .any(|(po, pn)| col(po, x).is_some() && col(pn, x).is_some())
        {
            plan.type_from_parent.insert(x.to_string());
        }
        let Some(n) = new_c else {
            return Ok(());
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
                return Err(self.refuse(format!(
                    "column {x} would have to be inherited only, but PostgreSQL can only merge an existing column into an inherited one (write the table with {x} as its own column, or make it by hand)"
                )));
            }
        } else if !adds.is_empty() && old_c.as_ref().is_some_and(|o| o.data_type != n.data_type) {
            return Err(self.refuse(format!(
                "column {x} changes type while a parent adds it (the types must match first)"
            )));
        }
        count += adds.len();
        for (p, pt) in &self.added {
            if let Some(pc) = col(pt, x) {
                if pc.not_null && !n.not_null {
                    return Err(self.refuse(format!(
                        "column {x} must be NOT NULL to inherit from {p}, as it is there"
                    )));
                }
                count += 1;
            }
        }
        let ends = (count > 0, count > 0 && local);
        if ends != (n.inherited, n.inherited && n.merged) {
            let what = |inherited: bool, merged: bool| match (inherited, merged) {
                (false, _) => "its own only",
                (true, false) => "inherited only",
                (true, true) => "both its own and inherited",
            };
            return Err(self.refuse(format!(
                "column {x} would end {} but is {} in the target (PostgreSQL cannot change that)",
                what(ends.0, ends.1),
                what(n.inherited, n.merged)
            )));
        }
        Ok(())
    }

    /// Check `x` (merged by ADD CONSTRAINT when the child has it of its own) after its parents'
    /// drops and changes, the parents let go of, and the table's own drop.
    fn check_after_drops(
        &self,
        d: &Differ<'_>,
        plan: &mut Inheritance,
        x: &str,
    ) -> Result<Membership, DiffError> {
        let (old_c, new_c) = (self.old.constraints.get(x), self.new.constraints.get(x));
        let mut m = Membership {
            count: self
                .kept
                .iter()
                .filter(|(po, _)| check(po, x).is_some())
                .count(),
            exists: old_c.is_some(),
            local: false,
        };
        m.local = old_c.is_some_and(|c| !c.inherited) || m.count == 0;
        let drops = self
            .kept
            .iter()
            .filter(|(po, pn)| check(po, x).is_some() && changed_in_parent(po, pn, x))
            .count();
        if m.exists && drops > 0 {
            m.count -= drops;
            if m.count == 0 && !m.local {
                m.exists = false;
            }
        }
        let own_after_no_inherit = m.exists && m.local && old_c.is_some_and(|o| o.inherited);
        let differs = |o: &Constraint| new_c.is_none_or(|n| n.inherited || !same(&own(o), n));
        // A parent let go of that drops or changes it drops it first, before NO INHERIT.
        let gone_with_removed_parent = self.removed.iter().filter(|p| table_stays(d, p)).any(|p| {
            let (po, pn) = (&d.from.tables[p], &d.to.tables[p]);
            check(po, x).is_some() && changed_in_parent(po, pn, x)
        });
        if own_after_no_inherit && gone_with_removed_parent && m.count == 0 {
            m.exists = false;
        } else if own_after_no_inherit && old_c.is_some_and(differs) && m.count == 0 {
            plan.checks_dropped_after_no_inherit.insert(x.to_string());
            m.exists = false;
        }
        let child_drops =
            m.exists && old_c.is_some_and(|o| !o.inherited && new_c.is_none_or(|n| !same(o, n)));
        if child_drops {
            if m.count > 0 {
                return Err(self.refuse(format!(
                    "check {x} is inherited from a parent that keeps it"
                )));
            }
            m.exists = false;
        }
        Ok(m)
    }

    /// Check `x` after its parents' adds and changes, the table's own add and the new parents';
    /// refused unless it ends as the new table has it.
    fn check_after_adds(
        &self,
        plan: &mut Inheritance,
        x: &str,
        mut m: Membership,
    ) -> Result<(), DiffError> {
        let (old_c, new_c) = (self.old.constraints.get(x), self.new.constraints.get(x));
        let adds = self
            .kept
            .iter()
            .filter(|(po, pn)| check(pn, x).is_some() && changed_in_parent(po, pn, x))
            .count();
        if adds > 0 {
            if !m.exists {
                m.local = false;
                m.exists = true;
            }
            m.count += adds;
        }
        let child_adds = new_c.is_some_and(|n| !n.inherited && old_c.is_none_or(|o| !same(o, n)));
        if child_adds && m.exists && m.local {
            // Its own already (NO INHERIT made it so): kept if it is the same.
            let unchanged = old_c.zip(new_c).is_some_and(|(o, n)| same(&own(o), n));
            if !unchanged {
                return Err(self.refuse(format!(
                    "check {x} changes while the parent it came from is removed"
                )));
            }
            plan.checks_already_own.insert(x.to_string());
        } else if child_adds {
            if !m.exists {
                m.count = 0;
            }
            m.local = true;
            m.exists = true;
        }
        for (p, pt) in &self.added {
            if check(pt, x).is_some() {
                if !m.exists {
                    return Err(self.refuse(format!(
                        "check {x} of {p} would have to be inherited only, but INHERIT needs the table to have it already (write it as the table's own check too)"
                    )));
                }
                m.count += 1;
            }
        }
        let ends = m.exists.then_some(m.count > 0 && !m.local);
        if ends != new_c.map(|n| n.inherited) {
            return Err(self.refuse(format!(
                "check {x} cannot be made {} as the target has it",
                match new_c {
                    None => "to go".to_string(),
                    Some(n) if n.inherited => "inherited only".to_string(),
                    Some(_) => "the table's own".to_string(),
                }
            )));
        }
        Ok(())
    }
}
