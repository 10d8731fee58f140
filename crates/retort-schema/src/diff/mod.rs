//! The schema diff: [`diff`] compares two [`Schema`]s and returns the [`Operation`]s that turn
//! the first into the second, ordered by their dependencies, each with its [`Hazard`]s.
//!
//! How: objects are matched by name. What changed in a way `ALTER` can express is altered in
//! place (columns, defaults, enum labels, sequences, policies, grants, comments...); the rest is
//! dropped and made again, and so is everything that depends on it (a view reading a column whose
//! type changes, a default calling a function whose signature changes): the cascade (`cascade.rs`) finds
//! those first. Then every operation gets a [`Phase`]; drops run first, dependents before what
//! they depend on, then creations in the order a whole schema is rendered. The down section of a
//! migration is the diff the other way.
//!
//! Invariant: pure; never touches a connection. `diff(s, s)` is empty.

mod base_type;
pub(crate) mod cascade;
mod object;
mod op;
mod shell_type;
mod table;
mod tablespace;
mod typed_table;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::render::{creation_order, objects, Node};
use crate::schema::{
    CompositeType, Domain, EnumType, Extension, Function, Grant, QualName, Schema, Sequence,
    SequenceOptions, Table, View,
};
use crate::sql::{quote_ident, quote_literal};

pub use op::{Diff, Hazard, Operation, Phase};

use cascade::Cascade;

/// What the diff cannot do, said plainly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum DiffError {
    #[error("unsupported: {what}")]
    #[diagnostic(help("write this part of the migration by hand (retort revision -m ...)"))]
    Unsupported { what: String },

    #[error("rename {rename}: {problem}")]
    #[diagnostic(help(
        "a rename is `schema.table=schema.new_table` or `schema.table.column=new_column`"
    ))]
    BadRename { rename: String, problem: String },
}

/// A rename the user asked for, instead of the drop and add the diff would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rename {
    Table {
        from: QualName,
        to: QualName,
    },
    Column {
        table: QualName,
        from: String,
        to: String,
    },
}

impl Rename {
    /// `schema.table=new_table` (or `=schema.new_table`) or `schema.table.column=new_column`.
    pub fn parse(text: &str) -> Result<Rename, DiffError> {
        let bad = |problem: &str| DiffError::BadRename {
            rename: text.to_string(),
            problem: problem.to_string(),
        };
        let (old, new) = text
            .split_once('=')
            .ok_or_else(|| bad("expected old=new"))?;
        let parts: Vec<&str> = old.split('.').collect();
        let new = new.trim();
        if new.is_empty() {
            return Err(bad("the new name is empty"));
        }
        match parts.as_slice() {
            [schema, table] => {
                let to = match new.split_once('.') {
                    Some((s, n)) => QualName::new(s, n),
                    None => QualName::new(*schema, new),
                };
                Ok(Rename::Table {
                    from: QualName::new(*schema, *table),
                    to,
                })
            }
            [schema, table, column] => Ok(Rename::Column {
                table: QualName::new(*schema, *table),
                from: column.to_string(),
                to: new.to_string(),
            }),
            _ => Err(bad(
                "the old name must be schema.table or schema.table.column",
            )),
        }
    }
}

/// How to diff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Renames to make instead of drop + add.
    pub renames: Vec<Rename>,
    /// The online-safe forms where one exists: CREATE INDEX CONCURRENTLY (outside a
    /// transaction), foreign keys and checks added NOT VALID then validated, SET NOT NULL through
    /// a validated check.
    pub online: bool,
}

/// The operations that turn `from` into `to`.
pub fn diff(from: &Schema, to: &Schema, options: &DiffOptions) -> Result<Diff, DiffError> {
    refuse_unmodelled_changes(from, to)?;
    shell_type::refuse_type_becoming_shell(from, to)?;
    let mut ops = Ops::default();
    let renamed;
    let from = if options.renames.is_empty() {
        from
    } else {
        renamed = apply_renames(from, to, &options.renames, &mut ops)?;
        &renamed
    };
    let cascade = Cascade::new(from, to)?;
    let mut d = Differ {
        from,
        to,
        options,
        cascade,
        ops,
    };
    d.schemas();
    d.extensions();
    d.types()?;
    d.functions_and_views();
    d.last_objects();
    d.sequences();
    table::tables(&mut d)?;
    d.lift_default_privileges();
    let mut operations = d.ops.0;
    operations.sort_by_key(|o| o.phase);
    Ok(Diff { operations })
}

/// What the model does not cover may be on both sides, the same: the diff leaves it alone. When
/// it differs, the diff cannot make the change and says so, naming it.
fn refuse_unmodelled_changes(from: &Schema, to: &Schema) -> Result<(), DiffError> {
    let old: BTreeSet<&String> = from.unsupported.iter().collect();
    let new: BTreeSet<&String> = to.unsupported.iter().collect();
    let differing: Vec<String> = old
        .symmetric_difference(&new)
        .map(|u| {
            let side = if old.contains(u) { "from" } else { "to" };
            format!("{u} (only in {side})")
        })
        .collect();
    if differing.is_empty() {
        return Ok(());
    }
    Err(DiffError::Unsupported {
        what: format!(
            "objects retort does not model differ between the two sides: {}",
            differing.join("; ")
        ),
    })
}

/// Operations as they are found (sorted by phase at the end).
#[derive(Default)]
struct Ops(Vec<Operation>);

impl Ops {
    fn push(&mut self, phase: Phase, summary: impl Into<String>, sql: impl Into<String>) {
        self.push_with(phase, summary, sql, &[]);
    }

    fn push_with(
        &mut self,
        phase: Phase,
        summary: impl Into<String>,
        sql: impl Into<String>,
        hazards: &[Hazard],
    ) {
        let sql = sql.into();
        if sql.trim().is_empty() {
            return;
        }
        self.0.push(Operation {
            phase,
            summary: summary.into(),
            sql,
            hazards: hazards.to_vec(),
            notes: Vec::new(),
            transactional: true,
        });
    }

    /// Adds a note to the last operation.
    fn note(&mut self, note: impl Into<String>) {
        if let Some(op) = self.0.last_mut() {
            op.notes.push(note.into());
        }
    }
}

struct Differ<'a> {
    from: &'a Schema,
    to: &'a Schema,
    options: &'a DiffOptions,
    cascade: Cascade,
    ops: Ops,
}

/// `COMMENT ON what IS ...` when the comment changed (`IS NULL` when it went away).
fn comment_change(what: &str, old: Option<&String>, new: Option<&String>) -> String {
    if old == new {
        return String::new();
    }
    match new {
        Some(text) => format!("COMMENT ON {what} IS {};\n", quote_literal(text)),
        None => format!("COMMENT ON {what} IS NULL;\n"),
    }
}

fn role(name: &str) -> String {
    if name == "PUBLIC" {
        name.to_string()
    } else {
        quote_ident(name)
    }
}

/// REVOKEs of grants gone and GRANTs of new ones on `what` (a grant that only loses its grant
/// option: `REVOKE GRANT OPTION FOR`).
fn grant_changes(what: &str, old: &BTreeSet<Grant>, new: &BTreeSet<Grant>) -> String {
    let same = |a: &Grant, b: &Grant| a.grantee == b.grantee && a.privilege == b.privilege;
    let mut out = String::new();
    for g in old.difference(new) {
        match new.iter().find(|n| same(n, g)) {
            Some(n) if g.with_grant_option && !n.with_grant_option => {
                let _ = writeln!(
                    out,
                    "REVOKE GRANT OPTION FOR {} ON {what} FROM {};",
                    g.privilege,
                    role(&g.grantee)
                );
            }
            Some(_) => {}
            None => {
                let _ = writeln!(
                    out,
                    "REVOKE {} ON {what} FROM {};",
                    g.privilege,
                    role(&g.grantee)
                );
            }
        }
    }
    let added: BTreeSet<Grant> = new
        .difference(old)
        .filter(|g| g.with_grant_option || !old.iter().any(|o| same(o, g)))
        .cloned()
        .collect();
    out.push_str(&objects::grants(what, &added));
    out
}

/// An SQL-language body is checked against the catalog when created, but what it reads may be
/// made later in the same migration (PostgreSQL records no dependency for it): the check is
/// turned off first, as pg_dump does.
fn unchecked_body(f: &Function, sql: String) -> String {
    let sql_language = f.definition.contains("\n LANGUAGE sql\n");
    let atomic = f.definition.contains("BEGIN ATOMIC");
    if sql_language && !atomic {
        format!("SET check_function_bodies = false;\n{sql}")
    } else {
        sql
    }
}

/// A body PostgreSQL does not track (anything but an SQL-standard `BEGIN ATOMIC` body): what it
/// reads or calls may change or go without an error now.
fn untracked(f: &Function) -> &'static [Hazard] {
    if f.definition.contains("BEGIN ATOMIC") {
        &[]
    } else {
        &[Hazard::UntrackedDependencies]
    }
}

fn function_kind(f: &Function) -> &'static str {
    if f.procedure {
        "PROCEDURE"
    } else {
        "FUNCTION"
    }
}

/// `AS type INCREMENT BY ...`: the options that differ, for `ALTER SEQUENCE` or
/// `ALTER COLUMN ... SET`.
fn sequence_option_changes(old: &SequenceOptions, new: &SequenceOptions, identity: bool) -> String {
    let mut parts = Vec::new();
    if old.data_type != new.data_type && !identity {
        parts.push(format!("AS {}", new.data_type));
    }
    if old.increment != new.increment {
        parts.push(format!("INCREMENT BY {}", new.increment));
    }
    if old.min != new.min || old.data_type != new.data_type {
        parts.push(format!("MINVALUE {}", new.min));
    }
    if old.max != new.max || old.data_type != new.data_type {
        parts.push(format!("MAXVALUE {}", new.max));
    }
    if old.start != new.start {
        parts.push(format!("START WITH {}", new.start));
    }
    if old.cache != new.cache {
        parts.push(format!("CACHE {}", new.cache));
    }
    if old.cycle != new.cycle {
        parts.push(if new.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
    }
    if identity {
        parts
            .iter()
            .map(|p| format!(" SET {p}"))
            .collect::<String>()
    } else {
        parts.join(" ")
    }
}

/// Before narrowing a sequence's bounds: its value moved inside them, as `ALTER SEQUENCE` refuses
/// a current value outside them; only forward (up for an ascending sequence, down for a
/// descending one), so no value is given twice. Empty when the bounds do not narrow that way.
fn move_into_bounds(sequence: &QualName, old: &SequenceOptions, new: &SequenceOptions) -> String {
    let regclass = quote_literal(&sequence.sql());
    let mut sql = String::new();
    if new.min > old.min && new.increment > 0 {
        sql.push_str(&format!(
            "SELECT pg_catalog.setval({regclass}, {min}, false) FROM {seq} WHERE last_value < {min};\n",
            min = new.min,
            seq = sequence.sql()
        ));
    }
    if new.max < old.max && new.increment < 0 {
        sql.push_str(&format!(
            "SELECT pg_catalog.setval({regclass}, {max}, false) FROM {seq} WHERE last_value > {max};\n",
            max = new.max,
            seq = sequence.sql()
        ));
    }
    sql
}

/// The privileges set on an enum, domain or composite type of `s` (None: the default).
fn type_acl<'a>(s: &'a Schema, name: &QualName) -> Option<&'a BTreeSet<Grant>> {
    s.enums
        .get(name)
        .and_then(|t| t.grants.as_ref())
        .or_else(|| s.domains.get(name).and_then(|t| t.grants.as_ref()))
        .or_else(|| s.composites.get(name).and_then(|t| t.grants.as_ref()))
}

impl Differ<'_> {
    fn schemas(&mut self) {
        for (name, ns) in &self.to.schemas {
            let what = format!("SCHEMA {}", quote_ident(name));
            match self.from.schemas.get(name) {
                None => {
                    self.ops.push(
                        Phase::CreateSchema,
                        format!("create schema {name}"),
                        objects::create_schema(name, ns),
                    );
                    self.ops.push_with(
                        Phase::Grant,
                        format!("grant on schema {name}"),
                        objects::grants(&what, &ns.grants),
                        &[Hazard::AuthzUpdate],
                    );
                }
                Some(old) => {
                    self.ops.push(
                        Phase::Comment,
                        format!("comment on schema {name}"),
                        comment_change(&what, old.comment.as_ref(), ns.comment.as_ref()),
                    );
                    self.ops.push_with(
                        Phase::Grant,
                        format!("change grants on schema {name}"),
                        grant_changes(&what, &old.grants, &ns.grants),
                        &[Hazard::AuthzUpdate],
                    );
                }
            }
        }
        for name in self.from.schemas.keys() {
            if !self.to.schemas.contains_key(name) {
                self.ops.push_with(
                    Phase::DropSchema,
                    format!("drop schema {name}"),
                    objects::drop_schema(name),
                    &[Hazard::DeletesData],
                );
            }
        }
    }

    fn extensions(&mut self) {
        for name in Extension::creation_order(&self.to.extensions) {
            let x = &self.to.extensions[name];
            match self.from.extensions.get(name) {
                None => self.ops.push(
                    Phase::Extension,
                    format!("create extension {name}"),
                    objects::create_extension(name, x),
                ),
                Some(old) => {
                    if old.schema != x.schema {
                        self.ops.push(
                            Phase::Extension,
                            format!("move extension {name} to schema {}", x.schema),
                            format!(
                                "ALTER EXTENSION {} SET SCHEMA {};\n",
                                quote_ident(name),
                                quote_ident(&x.schema)
                            ),
                        );
                    }
                    if old.version != x.version {
                        self.ops.push_with(
                            Phase::Extension,
                            format!("update extension {name} to {}", x.version),
                            format!(
                                "ALTER EXTENSION {} UPDATE TO {};\n",
                                quote_ident(name),
                                quote_literal(&x.version)
                            ),
                            &[Hazard::ExtensionUpgrade],
                        );
                    }
                    self.ops.push(
                        Phase::Comment,
                        format!("comment on extension {name}"),
                        comment_change(
                            &format!("EXTENSION {}", quote_ident(name)),
                            old.comment.as_ref(),
                            x.comment.as_ref(),
                        ),
                    );
                }
            }
        }
        for name in Extension::creation_order(&self.from.extensions)
            .into_iter()
            .rev()
        {
            if !self.to.extensions.contains_key(name) {
                self.ops.push_with(
                    Phase::DropExtension,
                    format!("drop extension {name}"),
                    objects::drop_extension(name),
                    &[Hazard::DeletesData],
                );
            }
        }
    }

    /// The privileges of an enum, domain or composite type (made now when `created`).
    fn type_grant_changes(&mut self, name: &QualName, created: bool) {
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
                }]);
                grant_changes(&what, old, &default)
            }
        };
        self.ops.push_with(
            Phase::Grant,
            format!("change grants on type {name}"),
            sql,
            &[Hazard::AuthzUpdate],
        );
    }

    /// Changes to enums, domains and composite types that stay (new and dropped ones are made
    /// with the functions, in dependency order).
    fn types(&mut self) -> Result<(), DiffError> {
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

    fn alter_enum(&mut self, name: &QualName, old: &EnumType, new: &EnumType) {
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
            self.ops.push_with(
                Phase::DropType,
                format!("drop the replaced enum {old_name}"),
                objects::drop_type(&old_name, false),
                &[Hazard::DeletesData],
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
        self.ops.push(
            Phase::Comment,
            format!("comment on type {name}"),
            comment_change(&what, old.comment.as_ref(), new.comment.as_ref()),
        );
    }

    fn alter_domain(&mut self, name: &QualName, old: &Domain, new: &Domain) {
        let alter = format!("ALTER DOMAIN {}", name.sql());
        let mut sql = String::new();
        for (cname, def) in &old.checks {
            if new.checks.get(cname) != Some(def) {
                let _ = writeln!(sql, "{alter} DROP CONSTRAINT {};", quote_ident(cname));
            }
        }
        if old.default != new.default {
            match &new.default {
                Some(d) => {
                    let _ = writeln!(sql, "{alter} SET DEFAULT {d};");
                }
                None => {
                    let _ = writeln!(sql, "{alter} DROP DEFAULT;");
                }
            }
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
        self.ops.push_with(
            Phase::CreateType,
            format!("alter domain {name}"),
            sql,
            &[Hazard::LockedScan],
        );
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

    fn alter_composite(
        &mut self,
        name: &QualName,
        old: &CompositeType,
        new: &CompositeType,
    ) -> Result<(), DiffError> {
        let mut sql = String::new();
        let mut kept = Vec::new();
        let cascade = typed_table::alter_type_cascade(self.from, name);
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
        for a in &new.attributes {
            let before = old
                .attributes
                .iter()
                .find(|o| o.name == a.name)
                .and_then(|o| o.comment.as_ref());
            comments.push_str(&comment_change(
                &format!("COLUMN {}.{}", name.sql(), quote_ident(&a.name)),
                before,
                a.comment.as_ref(),
            ));
        }
        self.ops
            .push(Phase::Comment, format!("comment on type {name}"), comments);
        Ok(())
    }

    /// Types, functions and views that are new, gone, replaced or changed, in dependency order
    /// (that of `from`, reversed, for drops; that of `to` for creations).
    fn functions_and_views(&mut self) {
        let (early_from, late_from) = creation_order(self.from);
        let from_nodes: Vec<(bool, Node)> = early_from
            .into_iter()
            .map(|n| (false, n))
            .chain(late_from.into_iter().map(|n| (true, n)))
            .collect();
        let after_types = self.functions_dropped_after_types();
        for (late, node) in from_nodes.iter().rev() {
            if !self.dropped(node) {
                continue;
            }
            let name = node.name();
            if let Node::Object(_) = node {
                self.drop_object(name, *late);
                continue;
            }
            if matches!(node, Node::Function(_)) && self.dropped_with_its_type(name) {
                continue;
            }
            let (phase, summary, sql) = match node {
                Node::Object(_) => continue,
                Node::Enum(_) => (
                    Phase::DropType,
                    format!("drop type {name}"),
                    objects::drop_type(name, false),
                ),
                Node::Composite(_) => (
                    if *late {
                        Phase::DropView
                    } else {
                        Phase::DropType
                    },
                    format!("drop type {name}"),
                    objects::drop_type(name, false),
                ),
                Node::Domain(_) => (
                    // Over a table's row type: before the table.
                    if *late {
                        Phase::DropView
                    } else {
                        Phase::DropType
                    },
                    format!("drop domain {name}"),
                    objects::drop_type(name, true),
                ),
                Node::Function(_) => {
                    let Some(f) = self.from.functions.get(name) else {
                        continue;
                    };
                    (
                        if *late {
                            Phase::DropView
                        } else if after_types.contains(name) {
                            Phase::DropType
                        } else {
                            Phase::DropFunction
                        },
                        format!("drop {} {name}", function_kind(f).to_lowercase()),
                        objects::drop_function(&name.schema, f),
                    )
                }
                Node::View(_) | Node::ViewPlaceholder(_) => {
                    let Some(v) = self.from.views.get(name) else {
                        continue;
                    };
                    (
                        Phase::DropView,
                        format!("drop view {name}"),
                        objects::drop_view(name, v),
                    )
                }
                Node::ViewReplace(_) => {
                    let Some(v) = self.from.views.get(name) else {
                        continue;
                    };
                    (
                        Phase::DropView,
                        format!("empty view {name}, which is in a cycle, before its drop"),
                        objects::view_placeholder(name, v, true),
                    )
                }
            };
            let hazards = match node {
                Node::Function(_) => self.from.functions.get(name).map_or(&[][..], untracked),
                _ => &[],
            };
            self.ops.push_with(phase, summary, sql, hazards);
        }

        let (early_to, late_to) = creation_order(self.to);
        let to_nodes: Vec<(bool, Node)> = early_to
            .into_iter()
            .map(|n| (false, n))
            .chain(late_to.into_iter().map(|n| (true, n)))
            .collect();
        for (late, node) in &to_nodes {
            let phase = if *late {
                Phase::CreateView
            } else {
                Phase::CreateType
            };
            let name = node.name().clone();
            let created = self.created(node);
            match node {
                Node::Object(_) => self.create_or_alter_object(&name, *late, created),
                Node::Enum(_) | Node::Domain(_) | Node::Composite(_) => {
                    if created {
                        self.ops.push(
                            phase,
                            format!("create type {name}"),
                            objects::create_node(self.to, node),
                        );
                    }
                    self.type_grant_changes(&name, created);
                }
                Node::Function(_) => {
                    let Some(f) = self.to.functions.get(&name) else {
                        continue;
                    };
                    let old = self.from.functions.get(&name);
                    if created {
                        self.ops.push_with(
                            phase,
                            format!("create {} {name}", function_kind(f).to_lowercase()),
                            unchecked_body(f, objects::create_function(&name.schema, f)),
                            untracked(f),
                        );
                        self.ops.push_with(
                            Phase::Grant,
                            format!("grant on {name}"),
                            objects::function_grants(&name.schema, f),
                            &[Hazard::AuthzUpdate],
                        );
                    } else if let Some(old) = old {
                        self.alter_function(phase, &name, old, f);
                    }
                }
                Node::View(_) => {
                    let Some(v) = self.to.views.get(&name) else {
                        continue;
                    };
                    let old = self.from.views.get(&name);
                    if created {
                        self.create_view(&name, v);
                    } else if let Some(old) = old {
                        self.alter_view(&name, old, v);
                    }
                }
                Node::ViewPlaceholder(_) => {
                    if let Some(v) = self.to.views.get(&name).filter(|_| created) {
                        self.ops.push(
                            Phase::CreateView,
                            format!("create view {name} as a placeholder (it is in a cycle)"),
                            objects::view_placeholder(&name, v, false),
                        );
                    }
                }
                Node::ViewReplace(_) => {
                    let Some(v) = self.to.views.get(&name) else {
                        continue;
                    };
                    match self.from.views.get(&name).filter(|_| !created) {
                        Some(old) => self.alter_view(&name, old, v),
                        None => {
                            self.ops.push(
                                Phase::CreateView,
                                format!("define view {name}"),
                                objects::create_node(self.to, node),
                            );
                            self.view_extras(&name, v);
                        }
                    }
                }
            }
        }
    }

    /// Functions that go away (not replaced) and that a type going away needs (a domain's check
    /// or default calls them, directly or through other functions): types are dropped last, once
    /// no column uses them (a column changes type after the drops), so these go after them.
    fn functions_dropped_after_types(&self) -> BTreeSet<QualName> {
        let types_dropped = self
            .from
            .domains
            .iter()
            .filter(|(n, _)| !self.to.domains.contains_key(*n) || self.cascade.types.contains(*n))
            .map(|(_, d)| &d.depends_on)
            .chain(
                self.from
                    .composites
                    .iter()
                    .filter(|(n, _)| {
                        !self.to.composites.contains_key(*n) || self.cascade.types.contains(*n)
                    })
                    .map(|(_, c)| &c.depends_on),
            )
            .chain(
                // Range types and collations that go for good go with the types.
                self.from
                    .objects
                    .iter()
                    .filter(|(n, o)| !self.to.objects.contains_key(*n) && o.goes_with_the_types())
                    .map(|(_, o)| &o.depends_on),
            );
        let mut todo: Vec<&QualName> = types_dropped.flatten().collect();
        let mut found = BTreeSet::new();
        while let Some(n) = todo.pop() {
            let Some(f) = self.from.functions.get(n) else {
                continue;
            };
            if !self.to.functions.contains_key(n) && found.insert(n.clone()) {
                todo.extend(&f.depends_on);
            }
        }
        found
    }

    /// Whether `node` (of `from`) goes away: gone from `to`, or replaced.
    fn dropped(&self, node: &Node) -> bool {
        let name = node.name();
        match node {
            Node::Enum(_) => !self.to.enums.contains_key(name),
            Node::Domain(_) => {
                !self.to.domains.contains_key(name) || self.cascade.types.contains(name)
            }
            Node::Composite(_) => {
                !self.to.composites.contains_key(name) || self.cascade.types.contains(name)
            }
            Node::Function(_) => {
                !self.to.functions.contains_key(name) || self.cascade.functions.contains(name)
            }
            Node::View(_) | Node::ViewPlaceholder(_) | Node::ViewReplace(_) => {
                !self.to.views.contains_key(name) || self.cascade.views.contains(name)
            }
            Node::Object(_) => self.object_dropped(name),
        }
    }

    /// Whether `node` (of `to`) is made: new, or replaced.
    fn created(&self, node: &Node) -> bool {
        let name = node.name();
        match node {
            Node::Enum(_) => !self.from.enums.contains_key(name),
            Node::Domain(_) => {
                !self.from.domains.contains_key(name) || self.cascade.types.contains(name)
            }
            Node::Composite(_) => {
                !self.from.composites.contains_key(name) || self.cascade.types.contains(name)
            }
            Node::Function(_) => {
                !self.from.functions.contains_key(name) || self.cascade.functions.contains(name)
            }
            Node::View(_) | Node::ViewPlaceholder(_) | Node::ViewReplace(_) => {
                !self.from.views.contains_key(name) || self.cascade.views.contains(name)
            }
            Node::Object(_) => self.object_created(name),
        }
    }

    fn alter_function(&mut self, phase: Phase, name: &QualName, old: &Function, new: &Function) {
        if old.definition != new.definition {
            self.ops.push_with(
                phase,
                format!("replace {} {name}", function_kind(new).to_lowercase()),
                unchecked_body(new, format!("{};\n", new.definition.trim_end())),
                untracked(new),
            );
        }
        let what = format!("{} {}", function_kind(new), new.signature(&name.schema));
        self.ops.push(
            Phase::Comment,
            format!("comment on {name}"),
            comment_change(&what, old.comment.as_ref(), new.comment.as_ref()),
        );
        self.ops.push_with(
            Phase::Grant,
            format!("change grants on {name}"),
            grant_changes(&what, &old.grants, &new.grants),
            &[Hazard::AuthzUpdate],
        );
    }

    fn create_view(&mut self, name: &QualName, v: &View) {
        let mut sql = objects::create_view(name, v);
        if v.materialized {
            // A migration wants the view usable: filled now, not at the next REFRESH. But filling
            // it fails if a materialized view it reads is not populated (as after loading a
            // pg_dump), which only the database knows: then it is filled at migration time
            // exactly when all of those are.
            let reads = self.materialized_views_read(v);
            let fill = if reads.is_empty() {
                "\nWITH DATA;\n".to_string()
            } else {
                let names: Vec<String> = reads
                    .iter()
                    .map(|r| format!("({}, {})", quote_literal(&r.schema), quote_literal(&r.name)))
                    .collect();
                let refresh = format!("REFRESH MATERIALIZED VIEW {};", name.sql());
                let names = names.join(", ");
                let mut tag = "$retort$".to_string();
                while refresh.contains(&tag) || names.contains(&tag) {
                    tag.insert(tag.len() - 1, '_');
                }
                format!(
                    "\nWITH NO DATA;\n\
                     DO {tag}\n\
                     BEGIN\n\
                     \x20 -- Filled only if every materialized view it reads is.\n\
                     \x20 IF NOT EXISTS (SELECT FROM pg_catalog.pg_matviews\n\
                     \x20     WHERE NOT ispopulated AND (schemaname, matviewname) IN ({names})) THEN\n\
                     \x20   {refresh}\n\
                     \x20 END IF;\n\
                     END\n\
                     {tag};\n"
                )
            };
            sql = sql.replacen("\nWITH NO DATA;\n", &fill, 1);
        }
        self.ops.push(
            Phase::CreateView,
            format!(
                "create {}view {name}",
                if v.materialized { "materialized " } else { "" }
            ),
            sql,
        );
        self.view_extras(name, v);
    }

    /// What a new view gets once made: its indexes, triggers and grants.
    fn view_extras(&mut self, name: &QualName, v: &View) {
        for (iname, i) in &v.indexes {
            self.ops.push_with(
                Phase::MaterializedViewIndex,
                format!("create index {iname} on {name}"),
                objects::create_index(&name.schema, iname, i),
                &[Hazard::IndexBuild],
            );
        }
        for (tname, t) in &v.triggers {
            self.ops.push(
                Phase::CreateTrigger,
                format!("create trigger {tname} on {name}"),
                objects::create_trigger(name, tname, t),
            );
        }
        self.ops.push_with(
            Phase::Grant,
            format!("grant on {name}"),
            objects::grants(&format!("TABLE {}", name.sql()), &v.grants),
            &[Hazard::AuthzUpdate],
        );
        self.ops.push_with(
            Phase::Grant,
            format!("grant on columns of {name}"),
            objects::grants(
                &format!("TABLE {}", name.sql()),
                &objects::view_column_grants(v),
            ),
            &[Hazard::AuthzUpdate],
        );
    }

    /// The materialized views `v` reads (of `to`), directly or through views and functions.
    fn materialized_views_read(&self, v: &View) -> BTreeSet<QualName> {
        let mut found = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&QualName> = v.depends_on.iter().collect();
        while let Some(n) = todo.pop() {
            if !seen.insert(n) {
                continue;
            }
            if let Some(read) = self.to.views.get(n) {
                if read.materialized {
                    found.insert(n.clone());
                } else {
                    todo.extend(&read.depends_on);
                }
            } else if let Some(f) = self.to.functions.get(n) {
                todo.extend(&f.depends_on);
            }
        }
        found
    }

    fn alter_view(&mut self, name: &QualName, old: &View, new: &View) {
        if old.definition != new.definition {
            // Compatible (checked by the cascade): the old columns are a prefix of the new ones.
            let body = new.definition.trim().trim_end_matches(';').trim_end();
            self.ops.push(
                Phase::CreateView,
                format!("replace view {name}"),
                format!("CREATE OR REPLACE VIEW {} AS\n{body};\n", name.sql()),
            );
        }
        self.ops.push(
            Phase::CreateView,
            format!("set column defaults of {name}"),
            objects::view_defaults(name, &old.columns, &new.columns),
        );
        if old.options != new.options {
            let kind = if new.materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            let alter = format!("ALTER {kind} {}", name.sql());
            let sql = crate::sql::options_change(&alter, &old.options, &new.options);
            self.ops
                .push(Phase::CreateView, format!("set options of {name}"), sql);
        }
        let kind = if new.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        };
        let mut comments = comment_change(
            &format!("{kind} {}", name.sql()),
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
        for c in &new.columns {
            let before = old
                .columns
                .iter()
                .find(|o| o.name == c.name)
                .and_then(|o| o.comment.as_ref());
            comments.push_str(&comment_change(
                &format!("COLUMN {}.{}", name.sql(), quote_ident(&c.name)),
                before,
                c.comment.as_ref(),
            ));
        }
        self.ops
            .push(Phase::Comment, format!("comment on {name}"), comments);
        table::diff_indexes(
            &mut self.ops,
            name,
            &old.indexes,
            &new.indexes,
            Phase::MaterializedViewIndex,
            self.options.online,
        );
        table::diff_triggers(&mut self.ops, name, &old.triggers, &new.triggers, &|_| {
            false
        });
        self.ops.push_with(
            Phase::Grant,
            format!("change grants on {name}"),
            grant_changes(&format!("TABLE {}", name.sql()), &old.grants, &new.grants),
            &[Hazard::AuthzUpdate],
        );
        self.ops.push_with(
            Phase::Grant,
            format!("change grants on columns of {name}"),
            grant_changes(
                &format!("TABLE {}", name.sql()),
                &objects::view_column_grants(old),
                &objects::view_column_grants(new),
            ),
            &[Hazard::AuthzUpdate],
        );
    }

    fn sequences(&mut self) {
        for (name, s) in &self.to.sequences {
            let what = format!("SEQUENCE {}", name.sql());
            match self.from.sequences.get(name) {
                None => {
                    // A serial's sequence (owned by its column) has nothing that could
                    // depend on it unseen; a free-standing one may be named in code.
                    let hazards: &[Hazard] = if s.owned_by.is_some() {
                        &[]
                    } else {
                        &[Hazard::UntrackedDependencies]
                    };
                    self.ops.push_with(
                        Phase::Sequence,
                        format!("create sequence {name}"),
                        objects::create_sequence(name, s),
                        hazards,
                    );
                    self.ops.push(
                        Phase::SequenceOwnership,
                        format!("set owner column of sequence {name}"),
                        objects::sequence_owned_by(name, s),
                    );
                    self.ops.push_with(
                        Phase::Grant,
                        format!("grant on sequence {name}"),
                        objects::grants(&what, &s.grants),
                        &[Hazard::AuthzUpdate],
                    );
                }
                Some(old) => self.alter_sequence(name, old, s),
            }
        }
        for (name, s) in &self.from.sequences {
            if self.to.sequences.contains_key(name) {
                continue;
            }
            // An owned sequence goes with its column.
            let goes_with_owner = s.owned_by.as_ref().is_some_and(|(t, c)| {
                self.to
                    .tables
                    .get(t)
                    .is_none_or(|nt| !nt.columns.iter().any(|nc| &nc.name == c))
                    || self.cascade.tables.contains(t)
            });
            if goes_with_owner {
                continue;
            }
            self.ops.push_with(
                Phase::DropSequence,
                format!("drop sequence {name}"),
                objects::drop_sequence(name),
                &[Hazard::DeletesData],
            );
        }
    }

    fn alter_sequence(&mut self, name: &QualName, old: &Sequence, new: &Sequence) {
        let what = format!("SEQUENCE {}", name.sql());
        let changes = sequence_option_changes(&old.options, &new.options, false);
        if !changes.is_empty() {
            self.ops.push(
                Phase::Sequence,
                format!("alter sequence {name}"),
                format!(
                    "{}ALTER SEQUENCE {} {changes};\n",
                    move_into_bounds(name, &old.options, &new.options),
                    name.sql()
                ),
            );
        }
        if old.unlogged != new.unlogged {
            self.ops.push(
                Phase::Sequence,
                format!("alter sequence {name}"),
                format!(
                    "ALTER SEQUENCE {} SET {};\n",
                    name.sql(),
                    if new.unlogged { "UNLOGGED" } else { "LOGGED" }
                ),
            );
        }
        // A sequence owned by a column that goes away would go with it: it is let go first.
        let owner_goes = old.owned_by.as_ref().is_some_and(|(t, c)| {
            self.cascade.tables.contains(t)
                || self
                    .to
                    .tables
                    .get(t)
                    .is_none_or(|nt| !nt.columns.iter().any(|nc| &nc.name == c))
                || self.to.tables.get(t).is_some_and(|nt| {
                    nt.columns
                        .iter()
                        .any(|nc| &nc.name == c && nc.generated.is_some())
                })
        });
        if owner_goes {
            self.ops.push(
                Phase::DetachPartition,
                format!("release sequence {name} from its column"),
                format!("ALTER SEQUENCE {} OWNED BY NONE;\n", name.sql()),
            );
        }
        if old.owned_by != new.owned_by || (owner_goes && new.owned_by.is_some()) {
            let sql = match &new.owned_by {
                Some(_) => objects::sequence_owned_by(name, new),
                None => format!("ALTER SEQUENCE {} OWNED BY NONE;\n", name.sql()),
            };
            self.ops.push(
                Phase::SequenceOwnership,
                format!("set owner column of sequence {name}"),
                sql,
            );
        }
        self.ops.push(
            Phase::Comment,
            format!("comment on sequence {name}"),
            comment_change(&what, old.comment.as_ref(), new.comment.as_ref()),
        );
        self.ops.push_with(
            Phase::Grant,
            format!("change grants on sequence {name}"),
            grant_changes(&what, &old.grants, &new.grants),
            &[Hazard::AuthzUpdate],
        );
    }
}

/// `from` with the asked renames made, and the RENAME operations.
fn apply_renames(
    from: &Schema,
    to: &Schema,
    renames: &[Rename],
    ops: &mut Ops,
) -> Result<Schema, DiffError> {
    let mut s = from.clone();
    for r in renames {
        let bad = |problem: String| DiffError::BadRename {
            rename: match r {
                Rename::Table { from, to } => format!("{from}={to}"),
                Rename::Column { table, from, to } => format!("{table}.{from}={to}"),
            },
            problem,
        };
        match r {
            Rename::Table { from: old, to: new } => {
                let Some(t) = s.tables.remove(old) else {
                    return Err(bad(format!("there is no table {old}")));
                };
                if !to.tables.contains_key(new) {
                    return Err(bad(format!("the new schema has no table {new}")));
                }
                let mut sql = String::new();
                if old.schema != new.schema {
                    let _ = writeln!(
                        sql,
                        "ALTER TABLE {} SET SCHEMA {};",
                        old.sql(),
                        quote_ident(&new.schema)
                    );
                }
                if old.name != new.name {
                    let _ = writeln!(
                        sql,
                        "ALTER TABLE {} RENAME TO {};",
                        QualName::new(new.schema.clone(), old.name.clone()).sql(),
                        quote_ident(&new.name)
                    );
                }
                ops.push(Phase::Rename, format!("rename table {old} to {new}"), sql);
                let old_text = old.to_string();
                let new_text = new.to_string();
                for other in s.tables.values_mut() {
                    for p in other.inherits.iter_mut().filter(|p| *p == old) {
                        p.clone_from(new);
                    }
                    for c in other.constraints.values_mut() {
                        if c.references.as_ref() == Some(old) {
                            c.references = Some(new.clone());
                            c.definition = c.definition.replace(
                                &format!("REFERENCES {old_text}("),
                                &format!("REFERENCES {new_text}("),
                            );
                        }
                    }
                }
                let mut t: Table = t;
                for i in t.indexes.values_mut() {
                    i.definition = i
                        .definition
                        .replace(&format!(" ON {old_text} "), &format!(" ON {new_text} "))
                        .replace(
                            &format!(" ON ONLY {old_text} "),
                            &format!(" ON ONLY {new_text} "),
                        );
                }
                for tr in t.triggers.values_mut() {
                    tr.definition = tr
                        .definition
                        .replace(&format!(" ON {old_text} "), &format!(" ON {new_text} "));
                }
                s.tables.insert(new.clone(), t);
            }
            Rename::Column {
                table,
                from: old,
                to: new,
            } => {
                // The table by its name now, whether a table rename listed before or after
                // this one has been made yet.
                let now = [table.clone()]
                    .into_iter()
                    .chain(renames.iter().filter_map(|r| match r {
                        Rename::Table { from, to } if from == table => Some(to.clone()),
                        Rename::Table { from, to } if to == table => Some(from.clone()),
                        _ => None,
                    }))
                    .find(|n| s.tables.contains_key(n));
                let Some(table) = now else {
                    return Err(bad(format!("there is no table {table}")));
                };
                let wanted_table = if to.tables.contains_key(&table) {
                    table.clone()
                } else {
                    renames
                        .iter()
                        .find_map(|r| match r {
                            Rename::Table { from, to } if *from == table => Some(to.clone()),
                            _ => None,
                        })
                        .unwrap_or_else(|| table.clone())
                };
                let table = &table;
                let has_children = s.tables.values().any(|o| o.inherits.contains(table));
                let Some(t) = s.tables.get_mut(table) else {
                    return Err(bad(format!("there is no table {table}")));
                };
                let Some(c) = t.columns.iter_mut().find(|c| &c.name == old) else {
                    return Err(bad(format!("table {table} has no column {old:?}")));
                };
                if c.inherited || has_children {
                    return Err(DiffError::Unsupported {
                        what: format!(
                            "renaming column {old:?} of {table}, which has inheritance children or inherits it"
                        ),
                    });
                }
                let wanted = to
                    .tables
                    .get(&wanted_table)
                    .is_some_and(|nt| nt.columns.iter().any(|c| &c.name == new));
                if !wanted {
                    return Err(bad(format!(
                        "table {table} has no column {new:?} in the new schema"
                    )));
                }
                c.name = new.clone();
                ops.push(
                    Phase::Rename,
                    format!("rename column {table}.{old} to {new}"),
                    format!(
                        "ALTER TABLE {} RENAME COLUMN {} TO {};\n",
                        table.sql(),
                        quote_ident(old),
                        quote_ident(new)
                    ),
                );
                let rename_ident = |text: &str| cascade::replace_ident(text, old, new);
                for con in t.constraints.values_mut() {
                    for col in con.columns.iter_mut() {
                        if col == old {
                            col.clone_from(new);
                        }
                    }
                    con.definition = rename_ident(&con.definition);
                }
                for i in t.indexes.values_mut() {
                    i.definition = rename_ident(&i.definition);
                    i.predicate = i.predicate.as_deref().map(rename_ident);
                }
            }
        }
    }
    Ok(s)
}

/// Likely renames among dropped and added columns and tables: said in a note.
pub(crate) fn rename_hint(
    table: &QualName,
    dropped: &[&crate::schema::Column],
    added: &[&crate::schema::Column],
) -> Option<String> {
    let mut taken = BTreeSet::new();
    let pairs: Vec<String> = dropped
        .iter()
        .filter_map(|d| {
            let a = added
                .iter()
                .find(|a| a.data_type == d.data_type && !taken.contains(&a.name))?;
            taken.insert(a.name.clone());
            Some(format!("--rename {table}.{}={}", d.name, a.name))
        })
        .collect();
    (!pairs.is_empty()).then(|| {
        format!(
            "a column is dropped and one of the same type added: if it is a rename, run again with {}",
            pairs.join(" ")
        )
    })
}

/// Names of the tables, for a table rename hint: a dropped and a new table with the same columns.
pub(crate) fn table_rename_hints(from: &Schema, to: &Schema) -> BTreeMap<QualName, String> {
    let shape = |t: &Table| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = t
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.data_type.clone()))
            .collect();
        v.sort();
        v
    };
    let mut out = BTreeMap::new();
    for (old, ot) in &from.tables {
        if to.tables.contains_key(old) {
            continue;
        }
        for (new, nt) in &to.tables {
            if !from.tables.contains_key(new) && shape(ot) == shape(nt) && !ot.columns.is_empty() {
                out.insert(
                    old.clone(),
                    format!(
                        "table {old} is dropped and {new} made with the same columns: if it is a rename, run again with --rename {old}={new}"
                    ),
                );
            }
        }
    }
    out
}
