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
    /// Enums (new, new labels), domains, composite types, and the functions tables need.
    CreateType,
    Sequence,
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

/// A risk of running an operation on a live database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hazard {
    /// Data is deleted: a dropped table, column, or a type change that may truncate.
    DeletesData,
    /// The table (and its indexes) is rewritten while an ACCESS EXCLUSIVE lock is held.
    TableRewrite,
    /// An ACCESS EXCLUSIVE lock is held while the whole table is scanned (SET NOT NULL, a valid
    /// CHECK or FOREIGN KEY added): reads and writes wait.
    LockedScan,
    /// A non-concurrent index build: writes to the table wait until it ends.
    IndexBuild,
    /// An index is dropped: queries that used it may become slow.
    IndexDropped,
    /// Who may read or write what changes (grants, policies, row-level security).
    AuthzUpdate,
    /// An extension's version changes: its own upgrade script runs.
    ExtensionUpgrade,
    /// The object's dependents that the diff could not see (e.g. a function body naming it) may
    /// break.
    UntrackedDependencies,
    /// An ACCESS EXCLUSIVE lock is taken (briefly): it waits for every running query on the
    /// table, and every query after it waits too.
    ExclusiveLock,
    /// What logical replication sends for updates and deletes changes.
    ReplicationChange,
    /// Citus: the table's rows are copied to other nodes (or back), under a lock that blocks
    /// writes for the whole copy.
    DataMove,
}

impl Hazard {
    /// Its name in generated files and in `retort diff` output.
    pub fn name(self) -> &'static str {
        match self {
            Hazard::DeletesData => "deletes data",
            Hazard::TableRewrite => "table rewrite",
            Hazard::LockedScan => "ACCESS EXCLUSIVE lock held for a scan",
            Hazard::IndexBuild => "blocking index build",
            Hazard::IndexDropped => "index dropped",
            Hazard::AuthzUpdate => "authorization change",
            Hazard::ExtensionUpgrade => "extension upgrade",
            Hazard::UntrackedDependencies => "untracked dependencies",
            Hazard::ExclusiveLock => "ACCESS EXCLUSIVE lock",
            Hazard::ReplicationChange => "logical replication change",
            Hazard::DataMove => "data moved between nodes",
        }
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
