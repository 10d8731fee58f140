//! Catalog objects (`schema::CatalogObject`: collations, aggregates, operators, rules...): made,
//! dropped, or, when their definition changes, dropped and made again (the cascade then takes
//! along the views and functions that use them, and refuses when a column, index, constraint or
//! default does); comments and grants change in place.

use super::{comment_change, grant_changes, Differ, Hazard, Phase};
use crate::render::{last_objects, objects};
use crate::schema::{CatalogObject, QualName};

/// When a catalog object is dropped: one that needs tables before them; collations and range
/// types, which types and columns use, with the types; the rest (what functions make) with the
/// functions, dependents first.
fn drop_phase(o: &CatalogObject, late: bool) -> Phase {
    if o.last() {
        Phase::DropPolicy
    } else if late {
        Phase::DropView
    } else if matches!(o.kind.as_str(), "collation" | "range type") {
        Phase::DropType
    } else {
        Phase::DropFunction
    }
}

/// When a catalog object is made.
fn create_phase(o: &CatalogObject, late: bool) -> Phase {
    if o.last() {
        Phase::Grant
    } else if late {
        Phase::CreateView
    } else {
        Phase::CreateType
    }
}

impl Differ<'_> {
    /// Drops `name` of `from` (called in reverse creation order).
    pub(super) fn drop_object(&mut self, name: &QualName, late: bool) {
        let Some(o) = self.from.objects.get(name) else {
            return;
        };
        let phase = if o.kind == "default privileges" {
            // Restored before the new ones are set, after everything else is made.
            Phase::Grant
        } else {
            drop_phase(o, late)
        };
        self.ops.push_with(
            phase,
            format!("drop {}", CatalogObject::describe(name)),
            o.drop.clone(),
            &[Hazard::DeletesData],
        );
    }

    /// Makes `name` of `to`, or changes its comment and grants.
    pub(super) fn create_or_alter_object(&mut self, name: &QualName, late: bool, created: bool) {
        let Some(new) = self.to.objects.get(name) else {
            return;
        };
        let what = CatalogObject::describe(name);
        if created {
            self.ops.push(
                create_phase(new, late),
                format!("create {what}"),
                objects::create_object(new),
            );
            self.ops.push_with(
                Phase::Grant,
                format!("grant on {what}"),
                objects::object_grants(new),
                &[Hazard::AuthzUpdate],
            );
            return;
        }
        let Some(old) = self.from.objects.get(name) else {
            return;
        };
        if let Some(on) = &new.comment_on {
            self.ops.push(
                Phase::Comment,
                format!("comment on {what}"),
                comment_change(on, old.comment.as_ref(), new.comment.as_ref()),
            );
        }
        if let Some(on) = &new.grant_on {
            self.ops.push_with(
                Phase::Grant,
                format!("change grants on {what}"),
                grant_changes(on, &old.grants, &new.grants),
                &[Hazard::AuthzUpdate],
            );
        }
    }

    /// Event triggers and default privileges: dropped first, made last.
    pub(super) fn last_objects(&mut self) {
        for node in last_objects(self.from) {
            if self.dropped(&node) {
                self.drop_object(node.name(), true);
            }
        }
        for node in last_objects(self.to) {
            let created = self.created(&node);
            self.create_or_alter_object(node.name(), true, created);
        }
    }

    /// Whether catalog object `name` of `from` goes away: gone from `to`, or replaced.
    pub(super) fn object_dropped(&self, name: &QualName) -> bool {
        !self.to.objects.contains_key(name) || self.cascade.objects.contains(name)
    }

    /// Whether catalog object `name` of `to` is made: new, or replaced.
    pub(super) fn object_created(&self, name: &QualName) -> bool {
        !self.from.objects.contains_key(name) || self.cascade.objects.contains(name)
    }
}
