//! What the diff returns: [`Operation`]s in the order they must run, each with its hazards.

use std::fmt::Write as _;

use serde::Serialize;

/// When an operation runs. The diff's output is sorted by phase (stable within one): everything
/// that goes away first, dependents before what they depend on, then everything that is made or
/// changed, in creation order (the order of [`crate::render::render_schema`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Session settings the statements after need (Citus's `enable_unsafe_triggers`).
    Settings,
    /// Renames asked for (`--rename`): everything after sees the new names.
    Rename,
    DropPolicy,
    DropTrigger,
    /// Views, and functions that read tables or views (dependents first).
    DropView,
    /// Foreign keys, before anything they depend on is dropped: every foreign key whose
    /// referenced table, referenced column or referenced key (or unique index) goes is dropped
    /// here, also one of a table that is dropped.
    DropForeignKey,
    /// Citus: distributed and reference tables that become plain (`undistribute_table`), once
    /// no foreign key ties them to another.
    Undistribute,
    DropIndex,
    DropConstraint,
    /// Column defaults that use a function or type about to be dropped.
    DropDefault,
    DetachPartition,
    /// `ALTER TABLE child NO INHERIT parent` (before a parent is dropped).
    NoInherit,
    DropTable,
    DropColumn,
    /// Functions and types that tables need (dependents first), sequences.
    DropFunction,
    DropSequence,
    CreateSchema,
    Extension,
    /// Sequences made or changed: before the types, as a domain's default may call `nextval`.
    Sequence,
    /// Enums (new, new labels), domains, composite types, and the functions tables need.
    CreateType,
    CreateTable,
    AlterTable,
    AddConstraint,
    /// `ALTER TABLE child INHERIT parent`, once the child has the parent's columns and checks.
    Inherit,
    CreateIndex,
    /// Indexes of partitions made with `PARTITION OF` a new table, attached to its indexes
    /// before that table is itself attached (so that `ATTACH PARTITION` finds them valid and
    /// uses them rather than building its own).
    AttachIndexEarly,
    AttachPartition,
    AttachIndex,
    TableSettings,
    /// Citus: tables distributed or made reference tables (`create_distributed_table`,
    /// `create_reference_table`) or changed (`alter_distributed_table`), once they have their
    /// keys and before the foreign keys between them.
    Distribute,
    AddForeignKey,
    /// Views, and functions and types that need a table or view.
    CreateView,
    MaterializedViewIndex,
    SequenceOwnership,
    CreateTrigger,
    RowSecurity,
    CreatePolicy,
    Comment,
    Grant,
    /// Types go last, once no column, function or default uses them (an enum replaced by a new
    /// type of the same name: the old one).
    DropType,
    DropExtension,
    DropSchema,
}

/// A risk of running an operation on a live database: the id of the `retort lint` rule (of
/// kind [`crate::lint::Kind::Hazard`]) that flags the operation's SQL. The diff does not decide
/// its hazards itself: [`Diff::with_hazards`] runs those rules over the SQL it wrote, so the
/// `-- hazard:` comments, `retort diff --summary` and `retort lint` on the revision agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Hazard(pub &'static str);

impl Hazard {
    /// The rule's id, as written in `-- hazard:` comments and `retort diff` output.
    pub fn name(self) -> &'static str {
        self.0
    }

    /// The rule: its summary and help say what the hazard is and what to do.
    pub fn rule(self) -> Option<&'static crate::lint::Rule> {
        crate::lint::find_rule(self.0)
    }

    /// Whether it is about data deleted (a dropped table, column, schema, type or sequence).
    pub fn deletes_data(self) -> bool {
        matches!(
            self.0,
            "ban-drop-table"
                | "ban-drop-column"
                | "ban-drop-schema"
                | "ban-drop-type"
                | "ban-drop-sequence"
        )
    }
}

/// One step of a migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operation {
    pub phase: Phase,
    /// One line saying what it does: `add column public.users.email`.
    pub summary: String,
    /// Complete statements, each ending in `;\n`.
    pub sql: String,
    pub hazards: Vec<Hazard>,
    /// Said in a comment above the SQL (a likely rename, data that cannot come back).
    pub notes: Vec<String>,
    /// False when it cannot run inside a transaction block (CREATE INDEX CONCURRENTLY).
    pub transactional: bool,
}

/// The operations turning one schema into another, in the order they run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub operations: Vec<Operation>,
}

impl Diff {
    /// The operations with their hazards: what the `retort lint` rules of kind hazard find in
    /// each one's SQL, linted in order as one revision (so a table made by an earlier operation
    /// is new in the later ones). Replaces what `hazards` held.
    pub fn with_hazards(mut self) -> Result<Self, crate::sql::SplitError> {
        let pieces: Vec<&str> = self.operations.iter().map(|o| o.sql.as_str()).collect();
        let found = crate::lint::hazards(&pieces, self.transactional())?;
        for (op, ids) in self.operations.iter_mut().zip(found) {
            op.hazards = ids.into_iter().map(Hazard).collect();
        }
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// Whether every operation may run in one transaction.
    pub fn transactional(&self) -> bool {
        self.operations.iter().all(|o| o.transactional)
    }

    /// Every hazard of every operation, once each, sorted.
    pub fn hazards(&self) -> Vec<Hazard> {
        let mut all: Vec<Hazard> = self
            .operations
            .iter()
            .flat_map(|o| o.hazards.iter().copied())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// The SQL script: each operation's statements, with its hazards and notes as comments above.
    pub fn sql(&self) -> String {
        let mut out = String::new();
        for op in &self.operations {
            for note in &op.notes {
                let _ = writeln!(out, "-- {note}");
            }
            if !op.hazards.is_empty() {
                let names: Vec<&str> = op.hazards.iter().map(|h| h.name()).collect();
                let _ = writeln!(out, "-- hazard: {}", names.join(", "));
            }
            out.push_str(&op.sql);
        }
        out
    }

    /// One line per operation, for `retort check` and `retort diff --summary`.
    pub fn summary(&self) -> Vec<String> {
        self.operations.iter().map(|o| o.summary.clone()).collect()
    }
}
