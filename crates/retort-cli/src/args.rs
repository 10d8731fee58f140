//! Command-line arguments as parsed: a plain description of what the user typed.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// PostgreSQL schema migrations: Alembic's commands, with a lock, checksums and clear errors.
#[derive(Debug, Parser)]
#[command(name = "retort", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// Config file (default: ./retort.toml).
    #[arg(
        short = 'c',
        long,
        global = true,
        env = "RETORT_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    /// Database URL; overrides DATABASE_URL and database_url in retort.toml.
    #[arg(long, global = true, value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

const EXIT_CODES: &str =
    "Exit codes: 0 ok, 1 check found differences, 2 usage, 3 config, 4 script directory, \
5 target, 6 connection, 7 migration failed, 8 lock timeout, 9 verify/recovery, 10 I/O, 11 server timeout, 12 unsupported by the diff.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create retort.toml and the script directory.
    Init {
        /// Where to create them (default: the current directory).
        dir: Option<PathBuf>,
    },
    /// Create a new revision file.
    Revision(RevisionArgs),
    /// Merge two or more heads into one revision.
    Merge(MergeArgs),
    /// List revisions, newest first.
    History {
        /// Range `[start]:[end]`.
        #[arg(short = 'r', long = "rev-range", value_name = "RANGE")]
        rev_range: Option<String>,
        /// Mark the database's current revisions (needs the database).
        #[arg(short = 'i', long)]
        indicate_current: bool,
        #[arg(short, long)]
        verbose: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show the current heads of the script directory.
    Heads {
        #[arg(short, long)]
        verbose: bool,
        /// Count a revision that another depends on as not a head.
        #[arg(long)]
        resolve_dependencies: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show branch points.
    Branches {
        #[arg(short, long)]
        verbose: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show the revision(s) a name refers to.
    Show {
        rev: String,
        #[arg(long)]
        json: bool,
    },
    /// Open a revision file in $EDITOR.
    Edit { rev: String },
    /// Apply revisions up to TARGET (`head`, `heads`, a revision, `+2`, `label@head`...).
    Upgrade(RunArgs),
    /// Revert revisions down to TARGET (`base`, `-1`, a revision, `label@base`...).
    Downgrade(RunArgs),
    /// Set the version rows to TARGET(s) without running anything.
    Stamp {
        #[arg(required = true)]
        targets: Vec<String>,
        /// Delete every version row first.
        #[arg(long)]
        purge: bool,
        /// Print a JSON summary line on stdout (see docs/json-schema.json, `Event`).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        lock: LockArgs,
    },
    /// Create the version table and the applied log if they are missing (Alembic's
    /// `ensure_version`); nothing else changes.
    EnsureVersion {
        #[command(flatten)]
        lock: LockArgs,
    },
    /// Show the database's current revision(s).
    Current {
        #[arg(short, long)]
        verbose: bool,
        #[arg(long)]
        json: bool,
    },
    /// Applied and pending revisions.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Compare applied revisions' recorded checksums with their files.
    Verify {
        /// Record the current file contents of these applied revisions as accepted.
        #[arg(long, value_name = "REV")]
        accept: Vec<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        lock: LockArgs,
    },
    /// Settle a non-transactional revision that stopped part-way.
    Resolve {
        rev: String,
        /// Its changes are in place: record it as applied.
        #[arg(
            long,
            conflicts_with = "rolled_back",
            required_unless_present = "rolled_back"
        )]
        applied: bool,
        /// None of its changes are in place: record it as not applied.
        #[arg(long)]
        rolled_back: bool,
        #[command(flatten)]
        lock: LockArgs,
    },
    /// The project's local PostgreSQL (used when no database URL is configured).
    Dev {
        #[arg(value_enum)]
        action: DevAction,
    },
    /// Draw the revision graph (the database's current revisions are marked when a database
    /// URL is given and answers).
    Graph {
        #[arg(long, value_enum, default_value_t = GraphFormatArg::Text)]
        format: GraphFormatArg,
    },
    /// Exit 1 listing the operations when the database (at head) differs from the desired
    /// schema of `[autogenerate] schema`; exit 0 when it does not (a CI drift gate).
    Check {
        /// Compare with the revisions replayed into a scratch database instead of the live
        /// database.
        #[arg(long)]
        from_migrations: bool,
        #[command(flatten)]
        diff: DiffOptionArgs,
    },
    /// Print the SQL that turns FROM's schema into TO's. Each side is a database URL, an SQL
    /// file (or glob) loaded into a scratch database, or `migrations[@REV]` replayed into one.
    Diff(DiffArgs),
    /// Write a static HTML site about the schema (a page per table, the ERD, the revision
    /// history with each revision's SQL, a search box); no server or network needed to read it.
    Doc(DocArgs),
    /// Check revisions' SQL for what locks or breaks a live database (exit 1 on an error-level
    /// finding).
    Lint(LintArgs),
    /// Read the database's schema.
    Schema {
        #[command(subcommand)]
        action: SchemaAction,
    },
    /// Print a shell completion script (e.g. `retort completions bash > /etc/bash_completion.d/retort`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into DIR.
    Man {
        /// Write retort.1 and retort-COMMAND.1 for every command here instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SchemaAction {
    /// Print the database's schema: DDL in dependency order that loads into an empty database
    /// (objects retort does not model are listed first, as `-- unsupported:` lines).
    Dump {
        /// PostgreSQL schema to read (repeatable; default: every non-system schema).
        #[arg(long = "schema", value_name = "S")]
        schemas: Vec<String>,
        #[arg(long, value_enum, default_value_t = SchemaFormatArg::Sql)]
        format: SchemaFormatArg,
        /// Also dump retort's own tables (the version table and its log; left out by default).
        #[arg(long)]
        include_version_tables: bool,
    },
    /// Draw an entity-relationship diagram: tables with their columns, foreign keys, enums,
    /// views and what they read, clustered by schema.
    Erd(ErdArgs),
}

#[derive(Debug, Args)]
pub struct ErdArgs {
    /// What to draw, as a side of `retort diff`: a database URL, SQL files, a JSON model, or
    /// `migrations[@REV]` (default: the database).
    pub side: Option<String>,
    #[arg(long, value_enum, default_value_t = ErdFormatArg::Svg)]
    pub format: ErdFormatArg,
    /// PostgreSQL schema to draw (repeatable; default: all).
    #[arg(long = "schema", value_name = "S")]
    pub schemas: Vec<String>,
    /// Tables and views to draw: `users`, `public.user*`, `*_log` (repeatable; `*` and `?`).
    #[arg(long = "table", value_name = "PATTERN")]
    pub tables: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DocArgs {
    /// The schema, as a side of `retort diff`: a database URL, SQL files, a JSON model, or
    /// `migrations[@REV]` (default: the database).
    pub side: Option<String>,
    /// The folder to write the site to (made if missing; files of the same names replaced).
    #[arg(short, long, value_name = "DIR")]
    pub output: std::path::PathBuf,
    /// PostgreSQL schema to document (repeatable; default: all).
    #[arg(long = "schema", value_name = "S")]
    pub schemas: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErdFormatArg {
    Svg,
    Mermaid,
    Dot,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFormatArg {
    Sql,
    Json,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Revisions (`ae10`, `head`, `label@head`) or ranges (`[start]:[end]`). Default: the
    /// revisions not applied yet when a database URL is given, else all.
    pub revs: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Same as `--format json`.
    #[arg(long)]
    pub json: bool,
    /// List the rules (id, severity, what they catch) and exit.
    #[arg(long)]
    pub rules: bool,
    /// Lint every revision, even with a database URL (table sizes are still read).
    #[arg(long)]
    pub all: bool,
    /// Run each revision on a scratch database at its parent's state (`[autogenerate] dev_url`
    /// or the local dev cluster), in a transaction rolled back, and report the locks each
    /// statement took, table rewrites and how long each lock was held.
    #[arg(long)]
    pub trace: bool,
    /// Lint the down sections too (what a downgrade runs).
    #[arg(long, conflicts_with = "trace")]
    pub down: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// file:line:column, the line and a caret, the rule's help.
    Text,
    Json,
    /// GitHub Actions workflow commands (`::error file=...`), one per finding.
    Github,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    pub from: String,
    pub to: String,
    #[command(flatten)]
    pub diff: DiffOptionArgs,
    /// Print one line per operation (with its hazards) instead of SQL.
    #[arg(long)]
    pub summary: bool,
    /// Print the operations as JSON.
    #[arg(long, conflicts_with = "summary")]
    pub json: bool,
    /// Exit 1 when the two sides differ (as `git diff --exit-code`), 0 when they do not.
    #[arg(long)]
    pub exit_code: bool,
}

/// How to diff (shared by `diff`, `revision --autogenerate` and `check`).
#[derive(Debug, Args, Default, Clone)]
pub struct DiffOptionArgs {
    /// A rename instead of a drop and an add: `schema.table=new_table` or
    /// `schema.table.column=new_column`.
    #[arg(long, value_name = "OLD=NEW")]
    pub rename: Vec<String>,
    /// Online-safe forms: CREATE INDEX CONCURRENTLY, constraints added NOT VALID then validated.
    #[arg(long)]
    pub online: bool,
    /// PostgreSQL schemas to compare (default: every non-system schema).
    #[arg(long = "schema", value_name = "NAME")]
    pub schemas: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RevisionArgs {
    /// Message; also the file name's slug.
    #[arg(short, long)]
    pub message: Option<String>,
    /// Parent: a head, `LABEL@head`, or `base` for a new root.
    #[arg(long)]
    pub head: Option<String>,
    /// Allow a non-head parent (start a new branch).
    #[arg(long)]
    pub splice: bool,
    /// Label for a new branch.
    #[arg(long)]
    pub branch_label: Vec<String>,
    /// Revisions (ids, prefixes or labels) this one also depends on.
    #[arg(long)]
    pub depends_on: Vec<String>,
    /// Use this id instead of a random one.
    #[arg(long)]
    pub rev_id: Option<String>,
    /// Version location to write into.
    #[arg(long)]
    pub version_path: Option<PathBuf>,
    /// Fill the revision with the SQL that turns the database (at head) into the desired schema
    /// of `[autogenerate] schema`, and the down section that turns it back.
    #[arg(long)]
    pub autogenerate: bool,
    /// With --autogenerate: write the file even when nothing changed.
    #[arg(long, requires = "autogenerate")]
    pub empty: bool,
    /// With --autogenerate: compare with the revisions replayed into a scratch database instead
    /// of the live database.
    #[arg(long, requires = "autogenerate")]
    pub from_migrations: bool,
    #[command(flatten)]
    pub diff: DiffOptionArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// `heads`, or two or more revisions.
    #[arg(required = true)]
    pub revisions: Vec<String>,
    #[arg(short, long)]
    pub message: Option<String>,
    #[arg(long)]
    pub branch_label: Vec<String>,
    #[arg(long)]
    pub rev_id: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GraphFormatArg {
    /// Branches and merges drawn as lanes (as `git log --graph`), each revision with its marks
    /// (labels, head, current, branchpoint, mergepoint) and message.
    Text,
    /// One revision per line with its parents listed (no drawing).
    Ascii,
    Mermaid,
    Dot,
    /// A picture: branches as lanes, long linear runs collapsed.
    Svg,
    /// The SVG picture in a standalone page with a search box.
    Html,
}

#[derive(Debug, Args)]
pub struct LockArgs {
    /// Give up after waiting this many seconds for the migration lock.
    #[arg(long, value_name = "SECONDS")]
    pub lock_timeout: Option<f64>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Where to go; for --sql, `[START:]END`. (`-1` is a target, not a flag, as in Alembic.)
    #[arg(allow_hyphen_values = true)]
    pub target: String,
    /// Print the SQL instead of running it (offline mode; no database needed).
    #[arg(long)]
    pub sql: bool,
    /// A tag recorded with each applied revision.
    #[arg(long)]
    pub tag: Option<String>,
    /// Run everything in one transaction (all or nothing).
    #[arg(long)]
    pub single_transaction: bool,
    /// Run even if applied revisions' files changed since they were applied.
    #[arg(long)]
    pub allow_changed: bool,
    /// Print each statement with its duration.
    #[arg(short, long)]
    pub verbose: bool,
    /// One JSON object per line on stdout as the run goes: lock, plan, each step started and
    /// finished, server notices, then a summary (or the failure); see docs/json-schema.json.
    #[arg(long, conflicts_with = "sql")]
    pub json: bool,
    #[command(flatten)]
    pub lock: LockArgs,
    /// PostgreSQL's statement_timeout for this run's statements, e.g. 30s (over retort.toml's).
    #[arg(long, value_name = "DURATION")]
    pub statement_timeout: Option<String>,
    /// PostgreSQL's lock_timeout for this run's statements, e.g. 5s (over retort.toml's
    /// lock_timeout; --lock-timeout is the wait for retort's own migration lock).
    #[arg(long, value_name = "DURATION")]
    pub db_lock_timeout: Option<String>,
    /// Lint the revisions about to run first and refuse (exit 1) on an error-level finding
    /// (also `[lint] upgrade = true` in retort.toml).
    #[arg(long)]
    pub lint: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DevAction {
    Start,
    Stop,
    Status,
    Url,
    Reset,
}
