//! Enums, domains and composite types that stay: altered in place, with their grants and
//! comments (new and dropped ones are made in dependency order, `ordered.rs`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::comment::member_comments;
use super::{cascade, comment_change, grant_changes, DiffError, Differ, Phase};
use crate::render::objects;
use crate::schema::{CompositeType, Domain, EnumType, Grant, QualName, Schema};
use crate::sql::{quote_ident, quote_literal};

/// The privileges set on an enum, domain or composite type of `s` (None: the default).
pub(super) fn type_acl<'a>(s: &'a Schema, name: &QualName) -> Option<&'a BTreeSet<Grant>> {
    s.enums
        .get(name)
        .and_then(|t| t.grants.as_ref())
        .or_else(|| s.domains.get(name).and_then(|t| t.grants.as_ref()))
        .or_else(|| s.composites.get(name).and_then(|t| t.grants.as_ref()))
}

impl Differ<'_> {
    /// The privileges of an enum, domain or composite type (made now when `created`).
    pub(super) fn type_grant_changes(&mut self, name: &QualName, created: bool) {
        let new = type_acl(self.to, name);
        let old = if created {
            None
        } else {
            type_acl(self.from, name)
        };
        let what = format!("TYPE {}", name.sql());
        let sql = match (old, new) {
            (_, _) if !created && old == new => String::new(),
            (None, new) => objects::type_grants(name, new),
            (Some(old), Some(new)) => grant_changes(&what, old, new),
            (Some(old), None) => {
                let default = BTreeSet::from([Grant {
                    grantee: "PUBLIC".to_string(),
                    privilege: "USAGE".to_string(),
                    with_grant_option: false,
                    owner: false,
                }]);
                grant_changes(&what, old, &default)
            }
        };
        self.ops
            .push(Phase::Grant, format!("change grants on type {name}"), sql);
    }

    /// Changes to enums, domains and composite types that stay (new and dropped ones are made
    /// with the functions, in dependency order).
    pub(super) fn types(&mut self) -> Result<(), DiffError> {
        for (name, new) in &self.to.enums {
            if let Some(old) = self.from.enums.get(name) {
                self.alter_enum(name, old, new);
            }
        }
        for (name, new) in &self.to.domains {
            if let Some(old) = self.from.domains.get(name) {
                if !self.cascade.types.contains(name) {
                    self.alter_domain(name, old, new);
                }
            }
        }
        for (name, new) in &self.to.composites {
            if let Some(old) = self.from.composites.get(name) {
                if !self.cascade.types.contains(name) {
                    self.alter_composite(name, old, new)?;
                }
            }
        }
        Ok(())
    }

    pub(super) fn alter_enum(&mut self, name: &QualName, old: &EnumType, new: &EnumType) {
        let what = format!("TYPE {}", name.sql());
        if self.cascade.enum_swaps.contains(name) {
            // A new type under the name; the columns move to it (table.rs), the old one goes last.
            let old_name = cascade::swapped_name(name);
            self.ops.push(
                Phase::CreateType,
                format!("replace enum {name} (labels removed or reordered)"),
                format!(
                    "ALTER TYPE {} RENAME TO {};\n{}",
                    name.sql(),
                    quote_ident(&old_name.name),
                    objects::create_enum(name, new)
                ),
            );
            self.ops.note(format!(
                "rows holding a removed label of {name} make the column change fail: update them first"
            ));
            self.ops.push(
                Phase::DropType,
                format!("drop the replaced enum {old_name}"),
                objects::drop_type(&old_name, false),
            );
            return;
        }
        let mut sql = String::new();
        let mut prev: Option<&String> = None;
        let first_old = old.labels.first();
        for label in &new.labels {
            if !old.labels.contains(label) {
                let position = match (prev, first_old) {
                    (Some(p), _) => format!(" AFTER {}", quote_literal(p)),
                    (None, Some(f)) => format!(" BEFORE {}", quote_literal(f)),
                    (None, None) => String::new(),
                };
                let _ = writeln!(
                    sql,
                    "ALTER TYPE {} ADD VALUE {}{position};",
                    name.sql(),
                    quote_literal(label)
                );
            }
            prev = Some(label);
        }
        self.ops
            .push(Phase::CreateType, format!("add values to enum {name}"), sql);
        self.ops.comment(
            format!("comment on type {name}"),
            &what,
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
    }

    pub(super) fn alter_domain(&mut self, name: &QualName, old: &Domain, new: &Domain) {
        let alter = format!("ALTER DOMAIN {}", name.sql());
        let mut sql = String::new();
        for (cname, def) in &old.checks {
            if new.checks.get(cname) != Some(def) {
                let _ = writeln!(sql, "{alter} DROP CONSTRAINT {};", quote_ident(cname));
            }
        }
        if old.default != new.default {
            objects::default_change(&mut sql, &alter, new.default.as_ref());
        }
        if old.not_null != new.not_null {
            let _ = writeln!(
                sql,
                "{alter} {} NOT NULL;",
                if new.not_null { "SET" } else { "DROP" }
            );
        }
        for (cname, def) in &new.checks {
            if old.checks.get(cname) != Some(def) {
                let _ = writeln!(sql, "{alter} ADD CONSTRAINT {} {def};", quote_ident(cname));
            }
        }
        self.ops
            .push(Phase::CreateType, format!("alter domain {name}"), sql);
        let mut comments = comment_change(
            &format!("DOMAIN {}", name.sql()),
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
        for cname in new.checks.keys() {
            let changed = old.checks.get(cname) != new.checks.get(cname);
            let old_c = if changed {
                None
            } else {
                old.constraint_comments.get(cname)
            };
            comments.push_str(&comment_change(
                &format!("CONSTRAINT {} ON DOMAIN {}", quote_ident(cname), name.sql()),
                old_c,
                new.constraint_comments.get(cname),
            ));
        }
        self.ops.push(
            Phase::Comment,
            format!("comment on domain {name}"),
            comments,
        );
    }

    /// PostgreSQL cannot change an attribute's type while a table column has the composite
    /// type (`cannot alter type ... because column ... uses it`): refused by name.
    fn refuse_retyping_used_attribute(&self, name: &QualName, attr: &str) -> Result<(), DiffError> {
        if let Some((table, col)) = super::column_of_type(self.from, name) {
            return Err(DiffError::Unsupported {
                what: format!(
                    "changing the type of attribute {attr} of composite type {name}, which column {table}.{} uses (PostgreSQL cannot: make a new type and move the column to it by hand)",
                    col.name
                ),
            });
        }
        Ok(())
    }

    pub(super) fn alter_composite(
        &mut self,
        name: &QualName,
        old: &CompositeType,
        new: &CompositeType,
    ) -> Result<(), DiffError> {
        let mut sql = String::new();
        let mut kept = Vec::new();
        let cascade = super::typed_table::alter_type_cascade(self.from, name);
        for a in &old.attributes {
            match new.attributes.iter().find(|n| n.name == a.name) {
                None => {
                    let _ = writeln!(
                        sql,
                        "ALTER TYPE {} DROP ATTRIBUTE {}{cascade};",
                        name.sql(),
                        quote_ident(&a.name)
                    );
                }
                Some(n) => {
                    if n.data_type != a.data_type || n.collation != a.collation {
                        self.refuse_retyping_used_attribute(name, &a.name)?;
                        let coll = n
                            .collation
                            .as_ref()
                            .map(|c| format!(" COLLATE {c}"))
                            .unwrap_or_default();
                        let _ = writeln!(
                            sql,
                            "ALTER TYPE {} ALTER ATTRIBUTE {} TYPE {}{coll}{cascade};",
                            name.sql(),
                            quote_ident(&a.name),
                            n.data_type
                        );
                    }
                    kept.push(a.name.clone());
                }
            }
        }
        for a in &new.attributes {
            if !old.attributes.iter().any(|o| o.name == a.name) {
                let coll = a
                    .collation
                    .as_ref()
                    .map(|c| format!(" COLLATE {c}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    sql,
                    "ALTER TYPE {} ADD ATTRIBUTE {} {}{coll}{cascade};",
                    name.sql(),
                    quote_ident(&a.name),
                    a.data_type
                );
                kept.push(a.name.clone());
            }
        }
        let wanted: Vec<String> = new.attributes.iter().map(|a| a.name.clone()).collect();
        if kept != wanted {
            return Err(DiffError::Unsupported {
                what: format!(
                    "reordering the attributes of composite type {name}, which is in use"
                ),
            });
        }
        self.ops
            .push(Phase::CreateType, format!("alter type {name}"), sql);
        let mut comments = comment_change(
            &format!("TYPE {}", name.sql()),
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
        fn members(t: &CompositeType) -> Vec<(&str, Option<&String>)> {
            t.attributes
                .iter()
                .map(|a| (a.name.as_str(), a.comment.as_ref()))
                .collect()
        }
        comments.push_str(&member_comments(name, &members(old), &members(new)));
        self.ops
            .push(Phase::Comment, format!("comment on type {name}"), comments);
        Ok(())
    }
}
