//! Catalog objects (`schema::CatalogObject`: collations, aggregates, operators, rules...): made,
//! dropped, or, when their definition changes, dropped and made again (the cascade then takes
//! along the views and functions that use them, and refuses when a column, index, constraint or
//! default does); comments and grants change in place.

use super::{Differ, Phase};
use crate::render::{last_objects, objects};
use crate::schema::{CatalogObject, QualName};

/// Statements as the diff's SQL holds them: each ending its line.
fn statements(sql: &str) -> String {
    if sql.trim().is_empty() {
        String::new()
    } else {
        format!("{}\n", sql.trim_end())
    }
}

/// When a catalog object is dropped: one that needs tables before them; collations and range
/// types that go for good, which domains may use, with the types; the rest (what functions
/// make, and what is made again) with the functions, dependents first.
fn drop_phase(o: &CatalogObject, late: bool, replaced: bool) -> Phase {
    if o.last() {
        Phase::DropPolicy
    } else if late {
        Phase::DropView
    } else if !replaced && o.goes_with_the_types() {
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
        let phase = drop_phase(o, late, self.to.objects.contains_key(name));
        // None of these kinds holds rows (a foreign table's are elsewhere).
        self.ops.push(
            phase,
            format!("drop {}", CatalogObject::describe(name)),
            statements(&o.drop),
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
            self.ops.push(
                Phase::Grant,
                format!("grant on {what}"),
                objects::object_grants(new),
            );
            return;
        }
        let Some(old) = self.from.objects.get(name) else {
            return;
        };
        // Functions it stops naming are unset before functions are dropped.
        self.ops.push(
            Phase::DropView,
            format!("unset functions of {what}"),
            super::base_type::alter_early(old, new),
        );
        self.ops.push(
            create_phase(new, late),
            format!("alter {what}"),
            super::base_type::alter_late(old, new),
        );
        self.ops.push(
            Phase::TableSettings,
            format!("keep the default storage of the columns of {what}"),
            super::base_type::columns_following_storage(self.from, self.to, old, new),
        );
        if let Some(on) = &new.comment_on {
            self.ops.comment(
                format!("comment on {what}"),
                on,
                old.comment.as_ref(),
                new.comment.as_ref(),
            );
        }
        if let Some(on) = &new.grant_on {
            self.ops.grants(
                format!("change grants on {what}"),
                on,
                &old.grants,
                &new.grants,
            );
        }
    }

    /// Default privileges that stay apply to what the migration makes, which the target holds
    /// without them: while anything is made, they are lifted first and set again last.
    pub(super) fn lift_default_privileges(&mut self) {
        let makes = self.ops.0.iter().any(|o| {
            matches!(
                o.phase,
                Phase::CreateSchema
                    | Phase::CreateType
                    | Phase::Sequence
                    | Phase::CreateTable
                    | Phase::CreateView
            )
        });
        if !makes {
            return;
        }
        for (name, o) in &self.from.objects {
            if o.kind != "default privileges" || self.object_dropped(name) {
                continue;
            }
            let what = CatalogObject::describe(name);
            self.ops.push(
                Phase::DropPolicy,
                format!("lift {what} while objects are made"),
                statements(&o.drop),
            );
            self.ops.push(
                Phase::Grant,
                format!("set {what} again"),
                statements(&o.definition),
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
