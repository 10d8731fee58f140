//! `builtenv migrate <command>`: the retort commands a deploy and a developer use, run on the
//! embedded migrations through `retort`'s library, printing what the `retort` CLI prints.
//!
//! The `retort` CLI's command code lives in its binary crate, so the few lines of printing are
//! repeated here; everything else is the library's. Commands that write revision files
//! (`revision`, `merge`) are the `retort` CLI's, run in `crates/builtenv`.

use std::collections::BTreeSet;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use retort::config::Config;
use retort::exit::ExitCode;
use retort::plan::Direction;
use retort::runner::{Event, Migrator, Observer, RunError, RunOptions, RunReport};

use crate::db::database_url;

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply revisions up to TARGET (`head`, a revision, `+1`...).
    Upgrade(RunArgs),
    /// Revert revisions down to TARGET (`base`, `-1`, a revision...).
    Downgrade(RunArgs),
    /// Show the database's current revision(s).
    Current {
        #[arg(short, long)]
        verbose: bool,
    },
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
    },
    /// Show the heads of the migrations.
    Heads {
        #[arg(short, long)]
        verbose: bool,
    },
    /// Show the revision(s) a name refers to.
    Show { rev: String },
    /// Applied and pending revisions.
    Status,
    /// Set the version rows to TARGET(s) without running anything.
    Stamp {
        #[arg(required = true)]
        targets: Vec<String>,
        /// Delete every version row first.
        #[arg(long)]
        purge: bool,
        #[command(flatten)]
        lock: LockArgs,
    },
    /// Compare applied revisions' recorded checksums with the embedded files.
    Verify {
        /// Record the current contents of these applied revisions as accepted.
        #[arg(long, value_name = "REV")]
        accept: Vec<String>,
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
    /// The local PostgreSQL in ./.retort/pg (used when no database URL is given).
    Dev {
        #[arg(value_enum)]
        action: DevAction,
    },
}

#[derive(Debug, Args)]
pub struct LockArgs {
    /// Give up after waiting this many seconds for the migration lock.
    #[arg(long, value_name = "SECONDS")]
    pub lock_timeout: Option<f64>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Where to go; for --sql, `[START:]END`. (`-1` is a target, not a flag.)
    #[arg(allow_hyphen_values = true)]
    pub target: String,
    /// Print the SQL instead of running it.
    #[arg(long)]
    pub sql: bool,
    /// A tag recorded with each applied revision.
    #[arg(long)]
    pub tag: Option<String>,
    /// Run everything in one transaction.
    #[arg(long)]
    pub single_transaction: bool,
    /// Run even if applied revisions changed since they were applied.
    #[arg(long)]
    pub allow_changed: bool,
    /// Print each statement with its duration.
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DevAction {
    Start,
    Stop,
    Status,
    Url,
}

/// Why a command failed, and its exit code (retort's).
pub struct Failure {
    pub report: miette::Report,
    pub code: ExitCode,
}

impl Failure {
    pub fn new(code: ExitCode, message: impl std::fmt::Display) -> Self {
        Self {
            report: miette::miette!("{message}"),
            code,
        }
    }
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        let code = e.exit_code();
        Self {
            report: miette::Report::new(e),
            code,
        }
    }
}

impl From<retort::project::Error> for Failure {
    fn from(e: retort::project::Error) -> Self {
        let code = e.exit_code();
        Self {
            report: miette::Report::new(e),
            code,
        }
    }
}

impl From<retort::target::TargetError> for Failure {
    fn from(e: retort::target::TargetError) -> Self {
        Self::from(RunError::Target(e))
    }
}

impl From<retort::local::LocalError> for Failure {
    fn from(e: retort::local::LocalError) -> Self {
        Self {
            report: miette::Report::new(e),
            code: ExitCode::Connection,
        }
    }
}

impl From<retort::devdb::DevDbError> for Failure {
    fn from(e: retort::devdb::DevDbError) -> Self {
        Self {
            report: miette::Report::new(e),
            code: ExitCode::Connection,
        }
    }
}

/// Progress lines on stderr, as the `retort` CLI prints them without a terminal.
pub struct Progress {
    pub verbose: bool,
}

impl Observer for Progress {
    fn event(&self, event: &Event) {
        match event {
            Event::LockWaiting { waited, holder } => eprintln!(
                "retort: waiting for the migration lock ({:.0}s so far), held by {}",
                waited.as_secs_f64(),
                holder
                    .as_ref()
                    .map_or_else(|| "another session".to_string(), ToString::to_string)
            ),
            Event::StepStarted {
                revision,
                direction,
                message,
                ..
            } => {
                eprintln!(
                    "Running {} {revision}{}",
                    if *direction == Direction::Up {
                        "upgrade"
                    } else {
                        "downgrade"
                    },
                    if message.is_empty() {
                        String::new()
                    } else {
                        format!(", {message}")
                    }
                );
                crate::notices::in_revision(true);
            }
            Event::StepFinished { .. } => crate::notices::in_revision(false),
            Event::Statement { sql, duration, .. } if self.verbose => {
                let first = sql
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                eprintln!(
                    "  {:>8.1} ms  {first}{}",
                    duration.as_secs_f64() * 1000.0,
                    if sql.lines().count() > 1 { " ..." } else { "" }
                );
            }
            _ => {}
        }
    }
}

fn heads_text(heads: &[String]) -> String {
    if heads.is_empty() {
        "base".to_string()
    } else {
        heads.join(", ")
    }
}

/// "Applied 2 revisions in 35 ms; the database is now at b7e24d90c1a5", as the `retort` CLI.
pub fn describe(report: &RunReport, direction: Direction) -> String {
    let after = heads_text(&report.heads_after);
    let verb = if direction == Direction::Up {
        "upgrade"
    } else {
        "downgrade"
    };
    if report.steps.is_empty() {
        return format!("Nothing to {verb}: the database is at {after}");
    }
    let ms: f64 = report.steps.iter().map(|s| s.duration_ms).sum();
    format!(
        "{} {} revision{} in {ms:.0} ms; the database is now at {after}",
        if direction == Direction::Up {
            "Applied"
        } else {
            "Reverted"
        },
        report.steps.len(),
        if report.steps.len() == 1 { "" } else { "s" }
    )
}

fn options(config: &Config, lock: Option<&LockArgs>) -> RunOptions {
    RunOptions {
        lock_timeout: lock
            .and_then(|l| l.lock_timeout)
            .map(Duration::from_secs_f64),
        lock_mode: config.lock_mode,
        application_name: format!("builtenv (retort {})", retort::runner::RETORT_VERSION),
        ..RunOptions::default()
    }
}

fn print_lines(lines: &[String]) {
    for line in lines {
        println!("{line}");
    }
}

/// Runs one `migrate` command; `database_url` is `--database-url`, if given.
pub async fn run(command: &MigrateCommand, given_url: Option<&str>) -> Result<ExitCode, Failure> {
    let project = crate::project()?;
    let config = project.config.clone();
    let url = || async { Ok::<_, Failure>(database_url(given_url, &config).await?.0) };
    match command {
        MigrateCommand::Upgrade(a) | MigrateCommand::Downgrade(a) => {
            let direction = if matches!(command, MigrateCommand::Upgrade(_)) {
                Direction::Up
            } else {
                Direction::Down
            };
            let mut opts = options(&config, Some(&a.lock));
            opts.allow_changed = a.allow_changed;
            opts.single_transaction = a.single_transaction;
            opts.tag = a.tag.clone();
            let migrator = Migrator::new(project, opts);
            if a.sql {
                print!("{}", migrator.offline(direction, &a.target)?);
                return Ok(ExitCode::Ok);
            }
            let url = url().await?;
            crate::notices::print_notices();
            let progress = Progress { verbose: a.verbose };
            let report = match direction {
                Direction::Up => migrator.upgrade(&url, &a.target, &progress).await?,
                Direction::Down => migrator.downgrade(&url, &a.target, &progress).await?,
            };
            eprintln!("{}", describe(&report, direction));
        }
        MigrateCommand::Current { verbose } => {
            let migrator = Migrator::new(project, options(&config, None));
            let heads = migrator.current(&url().await?).await?;
            let g = migrator.graph();
            let format = retort::inspect::LineFormat {
                branches: true,
                head_indicators: true,
                ..Default::default()
            };
            let known: Vec<String> = heads
                .iter()
                .filter(|h| g.index_of(h).is_some())
                .cloned()
                .collect();
            let shown = g.get_all_current(&known).map_err(|e| {
                RunError::Target(e.into_target_error(retort::target::Context::Other))
            })?;
            for i in shown {
                println!(
                    "{}",
                    retort::inspect::cmd_format(g, i, *verbose, format, None)
                );
            }
            for h in heads.iter().filter(|h| g.index_of(h).is_none()) {
                println!("{h} (not in the script directory)");
            }
        }
        MigrateCommand::History {
            rev_range,
            indicate_current,
            verbose,
        } => {
            let current: Option<BTreeSet<String>> = if *indicate_current {
                let migrator = Migrator::new(project.clone(), options(&config, None));
                Some(migrator.current(&url().await?).await?.into_iter().collect())
            } else {
                None
            };
            print_lines(&retort::inspect::history(
                &project.graph,
                rev_range.as_deref(),
                *verbose,
                current.as_ref(),
            )?);
        }
        MigrateCommand::Heads { verbose } => {
            print_lines(&retort::inspect::heads_lines(
                &project.graph,
                false,
                *verbose,
            ));
        }
        MigrateCommand::Show { rev } => {
            for r in retort::inspect::show(&project.graph, rev)? {
                print!("{}", retort::inspect::log_entry(&project.graph, r, None));
            }
        }
        MigrateCommand::Status => {
            let migrator = Migrator::new(project, options(&config, None));
            let (heads, rows) = migrator.status(&url().await?).await?;
            let pending = rows.iter().filter(|r| !r.applied).count();
            for r in &rows {
                let state = if r.applied { "applied" } else { "pending" };
                let check = match r.checksum_ok {
                    Some(false) => "  CHANGED since applied",
                    _ => "",
                };
                println!(
                    "{state:<8} {:<24} {} {}{check}",
                    r.applied_at.as_deref().unwrap_or(""),
                    r.revision,
                    r.message
                );
            }
            println!(
                "{} applied, {pending} pending; version rows: {}",
                rows.len() - pending,
                if heads.is_empty() {
                    "none".to_string()
                } else {
                    heads.join(", ")
                }
            );
        }
        MigrateCommand::Stamp {
            targets,
            purge,
            lock,
        } => {
            let migrator = Migrator::new(project, options(&config, Some(lock)));
            let report = migrator
                .stamp(&url().await?, targets, *purge, &Progress { verbose: false })
                .await?;
            eprintln!(
                "Stamped the database at {} (was {})",
                heads_text(&report.heads_after),
                heads_text(&report.heads_before)
            );
        }
        MigrateCommand::Verify { accept, lock } => {
            let migrator = Migrator::new(project, options(&config, Some(lock)));
            let url = url().await?;
            if !accept.is_empty() {
                let done = migrator
                    .accept(&url, accept, &Progress { verbose: false })
                    .await?;
                eprintln!("Accepted the current contents of {}", done.join(", "));
            }
            let report = migrator.verify(&url).await?;
            for r in &report.changed {
                println!("CHANGED     {r}");
            }
            for r in &report.unknown {
                println!("MISSING     {r} (in the version table, not in the script directory)");
            }
            for r in &report.unrecorded {
                println!("unrecorded  {r} (applied before retort kept checksums, or stamped)");
            }
            println!(
                "{} ok, {} changed, {} missing, {} unrecorded",
                report.ok.len(),
                report.changed.len(),
                report.unknown.len(),
                report.unrecorded.len()
            );
            if !(report.changed.is_empty() && report.unknown.is_empty()) {
                return Ok(ExitCode::Verify);
            }
        }
        MigrateCommand::Resolve {
            rev, applied, lock, ..
        } => {
            let migrator = Migrator::new(project, options(&config, Some(lock)));
            let report = migrator
                .resolve(&url().await?, rev, *applied, &Progress { verbose: false })
                .await?;
            eprintln!(
                "Resolved {rev} as {}; the database is at {}",
                if *applied { "applied" } else { "rolled back" },
                heads_text(&report.heads_after)
            );
        }
        MigrateCommand::Dev { action } => dev(&config, *action).await?,
    }
    Ok(ExitCode::Ok)
}

async fn dev(config: &Config, action: DevAction) -> Result<(), Failure> {
    use retort::devdb::{ClusterStatus, LocalCluster};
    let dir = retort::local::cluster_dir(config);
    let shown = retort::script::display_path(&dir);
    match action {
        DevAction::Start | DevAction::Url => {
            let mut notes = Vec::new();
            let url = retort::local::local_database_url(config, &mut notes).await?;
            for n in notes {
                eprintln!("builtenv: {n}");
            }
            if matches!(action, DevAction::Url) {
                println!("{url}");
            } else {
                eprintln!("The local PostgreSQL in {shown} is running: {url}");
            }
        }
        DevAction::Stop => {
            LocalCluster::new(&dir)?.stop()?;
            eprintln!("Stopped the local PostgreSQL in {shown}");
        }
        DevAction::Status => {
            let cluster = LocalCluster::new(&dir)?;
            match cluster.status() {
                ClusterStatus::NotInitialized => {
                    println!("not created ({shown}); `builtenv migrate dev start` creates it")
                }
                ClusterStatus::Stopped => println!("stopped ({shown})"),
                ClusterStatus::Running { pid } => println!(
                    "running, pid {pid} ({shown}): {}",
                    cluster.url(retort::local::LOCAL_DATABASE)
                ),
            }
        }
    }
    Ok(())
}
