//! What must be dropped and made again, beyond what changed itself: the cascade.
//!
//! A function whose signature or result type changes cannot be replaced in place; a view whose
//! columns change cannot be `CREATE OR REPLACE`d; an enum that loses a label is replaced by a new
//! type. Each drags along what depends on it: views and functions through the catalog's
//! dependencies (`depends_on`), and defaults, checks, indexes, triggers and policies through the
//! names their expressions print (PostgreSQL prints every name qualified, as introspection runs
//! with an empty `search_path`).

use std::collections::BTreeSet;

use super::DiffError;
use crate::schema::{CatalogObject, ConstraintKind, Dependent, QualName, Schema, Table};
use crate::sql::quote_ident_unless_plain;

/// Objects (of both sides, by name) that are dropped and made again.
#[derive(Debug, Default)]
pub(super) struct Cascade {
    pub functions: BTreeSet<QualName>,
    pub views: BTreeSet<QualName>,
    /// Domains whose base type changed.
    pub types: BTreeSet<QualName>,
    /// Enums replaced by a new type of the same name (a label removed or moved).
    pub enum_swaps: BTreeSet<QualName>,
    /// Tables dropped and made again (partitioning changed).
    pub tables: BTreeSet<QualName>,
    /// Catalog objects whose definition changed, or that use something replaced.
    pub objects: BTreeSet<QualName>,
    /// How gone or replaced functions and types appear in expressions: `public.f(`, `public.t`.
    gone_names: Vec<String>,
}

/// The name a replaced enum has until it is dropped.
pub(super) fn swapped_name(name: &QualName) -> QualName {
    let mut n = format!("{}__retort_old", name.name);
    while n.len() > 63 {
        // Keep the suffix: take a character off the original name.
        let cut = n
            .char_indices()
            .nth(name.name.chars().count().saturating_sub(1))
            .map_or(0, |(i, _)| i);
        n.remove(cut.min(n.len().saturating_sub(1)));
    }
    QualName::new(name.schema.clone(), n)
}

/// The first line of a function's definition (its name, arguments with names and defaults) and
/// its RETURNS line: what `CREATE OR REPLACE` cannot change.
fn function_header(definition: &str) -> (&str, &str) {
    let mut lines = definition.lines();
    let first = lines.next().unwrap_or_default();
    let returns = lines
        .find(|l| l.trim_start().starts_with("RETURNS "))
        .unwrap_or_default();
    (first, returns)
}

fn enum_keeps_order(old: &[String], new: &[String]) -> bool {
    let mut it = new.iter();
    old.iter().all(|o| it.any(|n| n == o))
}

/// Whether a table's columns change so that views reading it must be made again.
fn columns_change(old: &Table, new: &Table) -> bool {
    !remade_columns(old, new).is_empty()
        || old
            .columns
            .iter()
            .any(|c| match new.columns.iter().find(|n| n.name == c.name) {
                None => true,
                Some(n) => n.data_type != c.data_type || n.collation != c.collation,
            })
}

/// The columns of a table that stays whose type or collation changes.
pub(super) fn retyped_columns<'a>(old: &'a Table, new: &Table) -> Vec<&'a str> {
    old.columns
        .iter()
        .filter(|c| {
            new.columns.iter().any(|n| {
                n.name == c.name && (n.data_type != c.data_type || n.collation != c.collation)
            })
        })
        .map(|c| c.name.as_str())
        .collect()
}

/// The columns of a table that stays which are dropped and added again: a generated column
/// whose expression changes (or that becomes generated), or whose expression reads a column
/// whose type or collation changes (PostgreSQL changes neither in place). Their indexes and
/// constraints go with them, so those are made again too; views reading them are remade.
pub(super) fn remade_columns<'a>(old: &'a Table, new: &Table) -> Vec<&'a str> {
    let retyped = retyped_columns(old, new);
    old.columns
        .iter()
        .filter(|c| !c.inherited)
        .filter(|c| {
            new.columns.iter().any(|n| {
                n.name == c.name
                    && !n.inherited
                    && n.generated.as_deref().is_some_and(|expr| {
                        n.generated != c.generated
                            || retyped
                                .iter()
                                .any(|r| *r != n.name && mentions_ident(expr, r))
                    })
            })
        })
        .map(|c| c.name.as_str())
        .collect()
}

/// How an index definition names an operator class, collation or text search configuration
/// (`s.name`, quoted where PostgreSQL would; a configuration appears as `'s.name'::regconfig`),
/// from its catalog object key; `None` for other kinds.
fn index_visible_name(key: &QualName) -> Option<String> {
    let bare = [
        "operator class ",
        "collation ",
        "text search configuration ",
    ]
    .iter()
    .find_map(|k| key.name.strip_prefix(k))?;
    let bare = bare.split(" using ").next().unwrap_or(bare);
    Some(format!(
        "{}.{}",
        quote_ident_unless_plain(&key.schema),
        quote_ident_unless_plain(bare)
    ))
}

/// Whether a publication's column list or row filter names a column whose type or collation
/// changes: PostgreSQL refuses the change while the publication depends on the column, so the
/// publication is dropped and made again around it.
fn publication_names_retyped(o: &CatalogObject, from: &Schema, to: &Schema) -> bool {
    if o.kind != "publication" {
        return false;
    }
    let tables = o.definition.lines().filter_map(|l| {
        let rest = l.split_once(" ADD TABLE ONLY ")?.1;
        let cut = rest.find([' ', ';']).unwrap_or(rest.len());
        Some((&rest[..cut], &rest[cut..]))
    });
    tables.into_iter().any(|(table, tail)| {
        from.tables.iter().any(|(tn, old)| {
            let shown = format!(
                "{}.{}",
                quote_ident_unless_plain(&tn.schema),
                quote_ident_unless_plain(&tn.name)
            );
            shown == table
                && to.tables.get(tn).is_some_and(|new| {
                    old.columns.iter().any(|c| {
                        new.columns.iter().any(|n| {
                            n.name == c.name
                                && (n.data_type != c.data_type || n.collation != c.collation)
                        }) && mentions_ident(tail, &c.name)
                    })
                })
        })
    })
}

/// Whether table `name` (of both sides) has a primary key that is dropped or made again.
fn primary_key_changes(from: &Schema, to: &Schema, name: &QualName) -> bool {
    let (Some(old), Some(new)) = (from.tables.get(name), to.tables.get(name)) else {
        return false;
    };
    old.constraints
        .iter()
        .filter(|(_, c)| c.kind == ConstraintKind::PrimaryKey)
        .any(|(cname, c)| {
            new.constraints.get(cname).is_none_or(|n| {
                n.kind != c.kind
                    || n.definition != c.definition
                    || n.deferrable != c.deferrable
                    || n.initially_deferred != c.initially_deferred
            })
        })
}

/// Whether `text` names `name` as PostgreSQL prints it (`schema.name`, parts quoted as needed),
/// not as a part of a longer identifier.
pub(super) fn mentions(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(pos) = text[start..].find(name) {
        let at = start + pos;
        let end = at + name.len();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
        let before_ok = at == 0 || !(ident(bytes[at - 1]) || bytes[at - 1] == b'"');
        let last = name.as_bytes().last().copied().unwrap_or(b' ');
        let after_ok = !ident(last) || end >= bytes.len() || !ident(bytes[end]);
        if before_ok && after_ok {
            return true;
        }
        start = at + 1;
    }
    false
}

/// Whether `text` uses identifier `name` (plain or quoted) outside string literals.
pub(super) fn mentions_ident(text: &str, name: &str) -> bool {
    replace_ident(text, name, "\u{1}") != text
}

/// `text` with identifier `old` (plain or quoted) replaced by `new`, outside string literals.
pub(super) fn replace_ident(text: &str, old: &str, new: &str) -> String {
    let quoted = |n: &str| format!("\"{}\"", n.replace('"', "\"\""));
    let plain = |n: &str| {
        let mut chars = n.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let new_text = if plain(new) {
        new.to_string()
    } else {
        quoted(new)
    };
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.extend(&chars[start..i]);
        } else if c == '"' {
            let start = i;
            i += 1;
            let mut name = String::new();
            while i < chars.len() {
                if chars[i] == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        name.push('"');
                        i += 2;
                        continue;
                    }
                    break;
                }
                name.push(chars[i]);
                i += 1;
            }
            i = (i + 1).min(chars.len());
            if name == old {
                out.push_str(&new_text);
            } else {
                out.extend(&chars[start..i]);
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word == old {
                out.push_str(&new_text);
            } else {
                out.push_str(&word);
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

impl Cascade {
    pub fn new(from: &Schema, to: &Schema) -> Result<Cascade, DiffError> {
        let mut c = Cascade::default();
        c.changed_signatures(from, to);
        c.repartitioned(from, to);
        c.replaced_views_and_objects(from, to);
        c.set_gone_names(from, to);
        c.spread(from, to);
        c.set_gone_names(from, to);
        c.refuse_changes_under_users(from, to)?;
        Ok(c)
    }

    /// Functions whose signature or kind changes, enums whose labels change order, domains whose
    /// base type or collation changes.
    fn changed_signatures(&mut self, from: &Schema, to: &Schema) {
        for (name, new) in &to.functions {
            if let Some(old) = from.functions.get(name) {
                if old.procedure != new.procedure
                    || function_header(&old.definition) != function_header(&new.definition)
                {
                    self.functions.insert(name.clone());
                }
            }
        }
        for (name, new) in &to.enums {
            if let Some(old) = from.enums.get(name) {
                if !enum_keeps_order(&old.labels, &new.labels) {
                    self.enum_swaps.insert(name.clone());
                }
            }
        }
        for (name, new) in &to.domains {
            if let Some(old) = from.domains.get(name) {
                if old.base_type != new.base_type || old.collation != new.collation {
                    self.types.insert(name.clone());
                }
            }
        }
    }

    /// Tables whose partitioning changes, and their partitions.
    fn repartitioned(&mut self, from: &Schema, to: &Schema) {
        for (name, new) in &to.tables {
            if let Some(old) = from.tables.get(name) {
                let partitioning = old.partition_key != new.partition_key
                    || old.partition_of.is_some() != new.partition_of.is_some()
                        && old.partition_key.is_some();
                if partitioning {
                    self.tables.insert(name.clone());
                }
            }
        }
        // A partition goes with its parent.
        loop {
            let more: Vec<QualName> = to
                .tables
                .iter()
                .filter(|(n, t)| {
                    !self.tables.contains(*n)
                        && from.tables.contains_key(*n)
                        && t.partition_of
                            .as_ref()
                            .is_some_and(|p| self.tables.contains(&p.parent))
                })
                .map(|(n, _)| n.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            self.tables.extend(more);
        }
    }

    /// Views that cannot be replaced in place, catalog objects whose definition changes, and
    /// grouped views over a primary key that changes.
    fn replaced_views_and_objects(&mut self, from: &Schema, to: &Schema) {
        for (name, new) in &to.views {
            if let Some(old) = from.views.get(name) {
                let prefix = old.columns.len() <= new.columns.len()
                    && old
                        .columns
                        .iter()
                        .zip(&new.columns)
                        .all(|(o, n)| o.name == n.name && o.data_type == n.data_type);
                let replace = old.materialized != new.materialized
                    || (old.definition != new.definition && (new.materialized || !prefix));
                if replace {
                    self.views.insert(name.clone());
                }
            }
        }
        for (name, new) in &to.objects {
            if from.objects.get(name).is_some_and(|old| {
                old.definition != new.definition && !super::base_type::alterable(old, new)
            }) {
                self.objects.insert(name.clone());
            }
        }
        for (name, old) in &from.objects {
            if to.objects.contains_key(name) && publication_names_retyped(old, from, to) {
                self.objects.insert(name.clone());
            }
        }
        // A grouped query may use a table's primary key (a column not grouped by but
        // functionally dependent on the key): PostgreSQL then makes the view depend on the key
        // constraint, which the model does not record. A view that groups and reads a table whose
        // primary key is dropped or made again goes first (and is made again after).
        for (name, v) in &from.views {
            let grouped = v.definition.contains("GROUP BY");
            if grouped
                && to.views.contains_key(name)
                && v.depends_on
                    .iter()
                    .any(|t| primary_key_changes(from, to, t))
            {
                self.views.insert(name.clone());
            }
        }
    }

    /// Views, functions and catalog objects that depend on something gone or replaced, until
    /// nothing moves.
    fn spread(&mut self, from: &Schema, to: &Schema) {
        loop {
            let gone = |n: &QualName| -> bool {
                self.functions.contains(n)
                    || self.views.contains(n)
                    || self.tables.contains(n)
                    || self.types.contains(n)
                    || self.enum_swaps.contains(n)
                    || self.objects.contains(n)
                    || (from.objects.contains_key(n) && !to.objects.contains_key(n))
                    || (from.functions.contains_key(n) && !to.functions.contains_key(n))
                    || (from.views.contains_key(n) && !to.views.contains_key(n))
                    || from.tables.get(n).is_some_and(|t| {
                        to.tables.get(n).is_none_or(|nt| columns_change(t, nt))
                            || t.columns.iter().any(|col| {
                                let ty = col.data_type.trim_end_matches("[]");
                                self.enum_swaps.iter().any(|e| e.to_string() == ty)
                            })
                    })
            };
            let mut more_views = Vec::new();
            for (name, v) in &from.views {
                if to.views.contains_key(name)
                    && !self.views.contains(name)
                    && v.depends_on.iter().any(gone)
                {
                    more_views.push(name.clone());
                }
            }
            let mut more_functions = Vec::new();
            for (name, f) in &from.functions {
                if to.functions.contains_key(name) && !self.functions.contains(name) {
                    let header = function_header(&f.definition);
                    let by_type = self.enum_swaps.iter().chain(&self.types).any(|t| {
                        mentions(header.0, &t.to_string()) || mentions(header.1, &t.to_string())
                    });
                    if by_type || f.depends_on.iter().any(gone) {
                        more_functions.push(name.clone());
                    }
                }
            }
            let mut more_objects: Vec<QualName> = from
                .objects
                .iter()
                .filter(|(name, o)| {
                    to.objects.get(*name).is_some_and(|new| {
                        !self.objects.contains(*name)
                            && o.depends_on
                                .iter()
                                .any(|d| gone(d) && !super::base_type::stops_naming(o, new, d, to))
                    })
                })
                .map(|(name, _)| name.clone())
                .collect();
            more_objects.extend(super::shell_type::shells_made_again(
                from,
                to,
                &self.objects,
            ));
            if more_views.is_empty() && more_functions.is_empty() && more_objects.is_empty() {
                break;
            }
            self.views.extend(more_views);
            self.functions.extend(more_functions);
            self.objects.extend(more_objects);
        }
    }

    /// Refused: a catalog object made again while something that stays uses it; a domain's base
    /// type changed while a column uses it.
    fn refuse_changes_under_users(&self, from: &Schema, to: &Schema) -> Result<(), DiffError> {
        for name in &self.objects {
            let users = from.objects.get(name).map(|o| &o.used_by);
            let remade = |d: &&Dependent| self.index_remade(from, d);
            if let Some(used) = users
                .into_iter()
                .flatten()
                .find(|d| Self::keeps(d, to) && !remade(d))
            {
                return Err(DiffError::Unsupported {
                    what: format!(
                        "changing {}, which {} uses (drop and make it again by hand)",
                        crate::schema::CatalogObject::describe(name),
                        used.what
                    ),
                });
            }
        }
        for name in &self.types {
            let used = to.tables.values().any(|t| {
                t.columns
                    .iter()
                    .any(|col| col.data_type.trim_end_matches("[]") == name.to_string())
            });
            if used {
                return Err(DiffError::Unsupported {
                    what: format!("changing the base type of domain {name}, which a column uses"),
                });
            }
        }
        Ok(())
    }

    /// Whether `dependent` stays through the diff (so a change to what it uses would have to
    /// drop it): true unless its table or materialized view is gone from `to`.
    fn keeps(dependent: &Dependent, to: &Schema) -> bool {
        dependent
            .relation
            .as_ref()
            .is_none_or(|r| to.tables.contains_key(r) || to.views.contains_key(r))
    }

    fn set_gone_names(&mut self, from: &Schema, to: &Schema) {
        let mut names = Vec::new();
        for (key, f) in &from.functions {
            if self.functions.contains(key) || !to.functions.contains_key(key) {
                let q = QualName::new(key.schema.clone(), f.name.clone());
                names.push(format!("{q}("));
            }
        }
        for n in self.enum_swaps.iter().chain(&self.types) {
            names.push(n.to_string());
        }
        for (n, _) in from
            .enums
            .iter()
            .filter(|(n, _)| !to.enums.contains_key(*n))
        {
            names.push(n.to_string());
        }
        for (n, _) in from
            .domains
            .iter()
            .filter(|(n, _)| !to.domains.contains_key(*n))
        {
            names.push(n.to_string());
        }
        for (n, _) in from
            .sequences
            .iter()
            .filter(|(n, _)| !to.sequences.contains_key(*n))
        {
            names.push(n.to_string());
        }
        // Operator classes, collations and text search configurations that are dropped or
        // made again, as index definitions name them.
        for key in from.objects.keys() {
            if self.objects.contains(key) || !to.objects.contains_key(key) {
                names.extend(index_visible_name(key));
            }
        }
        names.sort();
        names.dedup();
        self.gone_names = names;
    }

    /// Whether a dependent is an index the diff makes again anyway (its definition names
    /// something dropped or made again), so it does not block the change.
    fn index_remade(&self, from: &Schema, d: &Dependent) -> bool {
        let (Some(index), Some(rel)) = (d.what.strip_prefix("index "), &d.relation) else {
            return false;
        };
        // PostgreSQL describes it qualified (`index s.name`) where the schema is not searched.
        let schema = format!("{}.", rel.schema);
        let index = index.strip_prefix(&schema).unwrap_or(index);
        from.tables
            .get(rel)
            .and_then(|t| t.indexes.get(index))
            .is_some_and(|i| self.mentions_gone(&i.definition))
    }

    /// Whether an expression names a function, type or sequence that is dropped or replaced.
    pub fn mentions_gone(&self, text: &str) -> bool {
        self.gone_names.iter().any(|n| mentions(text, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_whole_names_only() {
        assert!(mentions("public.f(1)", "public.f("));
        assert!(!mentions("public.ff(1)", "public.f("));
        assert!(mentions("'a'::public.status", "public.status"));
        assert!(!mentions("'a'::public.status2", "public.status"));
        assert!(!mentions("xpublic.status", "public.status"));
    }

    #[test]
    fn replaces_identifiers_outside_strings() {
        assert_eq!(
            replace_ident("CHECK ((a > 0) AND (\"a\" <> 'a'))", "a", "b"),
            "CHECK ((b > 0) AND (b <> 'a'))"
        );
        assert_eq!(replace_ident("(a_b, a)", "a", "New"), "(a_b, \"New\")");
    }

    #[test]
    fn swapped_names_fit() {
        let long = "x".repeat(63);
        assert!(swapped_name(&QualName::new("s", long)).name.len() <= 63);
        assert_eq!(
            swapped_name(&QualName::new("s", "mood")).name,
            "mood__retort_old"
        );
    }
}
