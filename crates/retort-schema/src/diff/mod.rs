//! The schema diff: [`diff`] compares two [`Schema`]s and returns the [`Operation`]s that turn
//! the first into the second, ordered by their dependencies, each with its [`Hazard`]s (the
//! `retort lint` rules of kind hazard that flag its SQL).
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
mod comment;
mod distribution;
mod extension;
mod function;
mod grant;
mod namespace;
mod object;
mod op;
mod ordered;
mod rename;
mod sequence;
mod shell_type;
mod table;
mod tablespace;
mod typed_table;
mod types;
mod view;

use std::collections::BTreeSet;

use crate::schema::{QualName, Schema};

pub use op::{Diff, Hazard, Operation, Phase};
pub use rename::Rename;

use cascade::Cascade;
use comment::comment_change;
use grant::{grant_changes, role};
use rename::apply_renames;
pub(crate) use rename::{rename_hint, table_rename_hints};
use sequence::{move_into_bounds, sequence_option_changes};

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

    #[error("Citus: {what}")]
    #[diagnostic(help(
        "change the desired schema's keys or distribution as the message says (Citus's rules: \
         https://docs.citusdata.com/en/stable/develop/reference_ddl.html)"
    ))]
    Citus { what: String },
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
    let inheritance_parents = [from, to]
        .iter()
        .flat_map(|s| s.tables.values().flat_map(|t| t.inherits.iter().cloned()))
        .collect();
    let mut d = Differ {
        from,
        to,
        options,
        cascade,
        ops,
        inheritance_parents,
    };
    d.schemas();
    d.extensions()?;
    d.types()?;
    d.functions_and_views();
    d.last_objects();
    d.sequences();
    table::tables(&mut d)?;
    distribution::distribution(&mut d)?;
    d.lift_default_privileges();
    let mut operations = d.ops.0;
    operations.sort_by_key(|o| o.phase);
    Diff { operations }
        .with_hazards()
        .map_err(|e| DiffError::Unsupported {
            what: format!("the SQL the diff wrote cannot be split into statements ({e})"),
        })
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
    /// An operation; its hazards are found afterwards, by `Diff::with_hazards`.
    fn push(&mut self, phase: Phase, summary: impl Into<String>, sql: impl Into<String>) {
        let sql = sql.into();
        if sql.trim().is_empty() {
            return;
        }
        self.0.push(Operation {
            phase,
            summary: summary.into(),
            sql,
            hazards: Vec::new(),
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
    /// Every table some table inherits from, on either side (asked once per column changed).
    inheritance_parents: BTreeSet<QualName>,
}

/// The first column of any table of `schema` whose type is `ty` (or an array of it), with its
/// table: what keeps PostgreSQL from changing the type in place.
pub(crate) fn column_of_type<'a>(
    schema: &'a crate::schema::Schema,
    ty: &crate::schema::QualName,
) -> Option<(&'a crate::schema::QualName, &'a crate::schema::Column)> {
    let wanted = ty.to_string();
    schema.tables.iter().find_map(|(table, t)| {
        t.columns
            .iter()
            .find(|c| c.data_type.trim_end_matches("[]") == wanted)
            .map(|c| (table, c))
    })
}
