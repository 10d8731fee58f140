//! Commands that use a database: parse, call the library's `Migrator`, print.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use retort::config::Config;
use retort::exit::ExitCode;
use retort::plan::Direction;
use retort::project::Project;
use retort::runner::{Event, Migrator, Observer, RevisionState, RunError, RunOptions, RunReport};

use crate::args::{Cli, DevAction, LockArgs, RunArgs};
use crate::Failure;

/// Progress on stderr: a bar when stderr is a terminal and there are several revisions, plain
/// lines otherwise; `-v` adds each statement with its duration.
pub struct Progress {
    verbose: bool,
    tty: bool,
    bar: OnceLock<ProgressBar>,
}

impl Progress {
    pub fn new(verbose: bool) -> Self {
        Self {
            verbose,
            tty: std::io::stderr().is_terminal(),
            bar: OnceLock::new(),
        }
    }

    fn line(&self, text: &str) {
        match self.bar.get() {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn event(&self, event: &Event) {
        match event {
            Event::LockWaiting { waited, holder } => self.line(&format!(
                "retort: waiting for the migration lock ({:.0}s so far), held by {}",
                waited.as_secs_f64(),
                holder
                    .as_ref()
                    .map_or_else(|| "another session".to_string(), ToString::to_string)
            )),
            Event::PlanReady { steps } if self.tty && *steps > 1 && !self.verbose => {
                let bar = ProgressBar::new(*steps as u64);
                if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
                    bar.set_style(style);
                }
                let _ = self.bar.set(bar);
            }
            Event::StepStarted {
                revision,
                direction,
                message,
                ..
            } => {
                let verb = if *direction == Direction::Up {
                    "upgrade"
                } else {
                    "downgrade"
                };
                // Each revision's line stays above the bar (as cargo's `Compiling` lines do).
                self.line(&format!(
                    "Running {verb} {revision}{}",
                    if message.is_empty() {
                        String::new()
                    } else {
                        format!(", {message}")
                    }
                ));
                if let Some(bar) = self.bar.get() {
                    bar.set_message(format!("{revision} {message}"));
                }
            }
            Event::Statement { sql, duration, .. } if self.verbose => {
                let first = sql
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                self.line(&format!(
                    "  {:>8.1} ms  {first}{}",
                    duration.as_secs_f64() * 1000.0,
                    if sql.lines().count() > 1 { " ..." } else { "" }
                ));
            }
            Event::Notice {
                severity, message, ..
            } => self.line(&format!("{severity}: {message}")),
            Event::StepFinished { .. } => {
                if let Some(bar) = self.bar.get() {
                    bar.inc(1);
                }
            }
            _ => {}
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::message(ExitCode::Io, format!("cannot start the async runtime: {e}")))
}

/// The database URL ([`retort::local::database_url`]: --database-url, else DATABASE_URL, else
/// retort.toml, else the local dev database, created and started on first use, said on stderr).
pub async fn database_url(cli: &Cli, config: &Config) -> Result<String, Failure> {
    let mut notes = Vec::new();
    let (url, _) =
        retort::local::database_url(config, cli.database_url.as_deref(), &mut notes).await?;
    for n in notes {
        eprintln!("retort: {n}");
    }
    Ok(url)
}

fn options(config: &Config, lock: &LockArgs) -> RunOptions {
    RunOptions {
        lock_timeout: lock.lock_timeout.map(Duration::from_secs_f64),
        lock_mode: config.lock_mode,
        ..RunOptions::default()
    }
}

fn describe(report: &RunReport, verb: &str) {
    let after = if report.heads_after.is_empty() {
        "base".to_string()
    } else {
        report.heads_after.join(", ")
    };
    if report.steps.is_empty() {
        eprintln!("Nothing to {verb}: the database is at {after}");
    } else {
        let ms: f64 = report.steps.iter().map(|s| s.duration_ms).sum();
        eprintln!(
            "{} {} revision{} in {ms:.0} ms; the database is now at {after}",
            if verb == "upgrade" {
                "Applied"
            } else {
                "Reverted"
            },
            report.steps.len(),
            if report.steps.len() == 1 { "" } else { "s" }
        );
    }
}

pub fn upgrade_or_downgrade(
    cli: &Cli,
    project: Project,
    a: &RunArgs,
    direction: Direction,
) -> Result<ExitCode, Failure> {
    let mut opts = options(&project.config, &a.lock);
    opts.allow_changed = a.allow_changed;
    opts.single_transaction = a.single_transaction;
    opts.tag = a.tag.clone();
    opts.per_statement = a.verbose;
    for (flag, value) in [
        ("--statement-timeout", &a.statement_timeout),
        ("--db-lock-timeout", &a.db_lock_timeout),
    ] {
        if let Some(v) = value {
            if !retort::config::is_pg_duration(v) {
                return Err(Failure::message(
                    ExitCode::Usage,
                    format!("{flag} {v:?} is not a duration: write a number with a unit PostgreSQL knows (ms, s, min, h, d), e.g. 5s"),
                ));
            }
        }
    }
    opts.server_statement_timeout
        .clone_from(&a.statement_timeout);
    opts.server_lock_timeout.clone_from(&a.db_lock_timeout);
    let config = project.config.clone();
    let lint = direction == Direction::Up && (a.lint || config.lint.upgrade);
    let lint_project = lint.then(|| project.clone());
    let migrator = Migrator::new(project, opts);
    if a.sql {
        out!(
            "{}",
            migrator
                .offline(direction, &a.target)
                .map_err(Failure::from)?
        );
        return Ok(ExitCode::Ok);
    }
    let rt = runtime()?;
    let verb = if direction == Direction::Up {
        "upgrade"
    } else {
        "downgrade"
    };
    let result = rt.block_on(async {
        let url = database_url(cli, &config).await?;
        if let Some(project) = &lint_project {
            // What this upgrade would run, as the database stands now (the run re-plans under
            // its lock; a revision applied meanwhile by another deploy only loses a check).
            let heads = migrator.current(&url).await.map_err(Failure::from)?;
            let plan = retort::plan::upgrade(migrator.graph(), &heads, &a.target)
                .map_err(|e| Failure::message(ExitCode::Target, e))?;
            let revs: Vec<_> = plan.steps.iter().map(|s| s.rev).collect();
            crate::lint_cmd::refuse_on_errors(project, &revs)?;
        }
        let progress = Progress::new(a.verbose);
        let json = crate::json_events::JsonLines {
            statements: a.verbose,
        };
        let observer: &dyn Observer = if a.json { &json } else { &progress };
        let result = match direction {
            Direction::Up => migrator.upgrade(&url, &a.target, observer).await,
            Direction::Down => migrator.downgrade(&url, &a.target, observer).await,
        };
        progress.finish();
        let report = result.map_err(Failure::from)?;
        describe(&report, verb);
        if a.json {
            crate::json_events::summary(verb, &report);
        }
        Ok(ExitCode::Ok)
    });
    if let (true, Err(failure)) = (a.json, &result) {
        crate::json_events::failed(verb, failure);
    }
    result
}

pub fn stamp(
    cli: &Cli,
    project: Project,
    targets: &[String],
    (purge, json): (bool, bool),
    lock: &LockArgs,
) -> Result<ExitCode, Failure> {
    let config = project.config.clone();
    let migrator = Migrator::new(project, options(&config, lock));
    let result = runtime()?.block_on(async {
        let url = database_url(cli, &config).await?;
        let report = migrator
            .stamp(&url, targets, purge, &Progress::new(false))
            .await
            .map_err(Failure::from)?;
        eprintln!(
            "Stamped the database at {} (was {})",
            if report.heads_after.is_empty() {
                "base".to_string()
            } else {
                report.heads_after.join(", ")
            },
            if report.heads_before.is_empty() {
                "base".to_string()
            } else {
                report.heads_before.join(", ")
            }
        );
        if json {
            crate::json_events::summary("stamp", &report);
        }
        Ok(ExitCode::Ok)
    });
    if let (true, Err(failure)) = (json, &result) {
        crate::json_events::failed("stamp", failure);
    }
    result
}

/// `ensure-version`: the version table and log made if missing, and said which.
pub fn ensure_version(cli: &Cli, project: Project, lock: &LockArgs) -> Result<ExitCode, Failure> {
    let config = project.config.clone();
    let migrator = Migrator::new(project, options(&config, lock));
    runtime()?.block_on(async {
        let url = database_url(cli, &config).await?;
        let made = migrator
            .ensure_version(&url, &Progress::new(false))
            .await
            .map_err(Failure::from)?;
        let tables = migrator.tables();
        eprintln!(
            "{} {} and {}",
            if made { "Created" } else { "Already present:" },
            tables.version_ident(),
            tables.history_ident()
        );
        Ok(ExitCode::Ok)
    })
}

pub fn current(
    cli: &Cli,
    project: Project,
    verbose: bool,
    json: bool,
) -> Result<ExitCode, Failure> {
    let config = project.config.clone();
    let migrator = Migrator::new(project, options(&config, &LockArgs { lock_timeout: None }));
    runtime()?.block_on(async {
        let url = database_url(cli, &config).await?;
        let heads = migrator.current(&url).await.map_err(Failure::from)?;
        let g = migrator.graph();
        if json {
            // Revisions as everywhere else; version rows naming no revision file apart.
            let infos: Vec<retort::inspect::RevisionInfo> = heads
                .iter()
                .filter_map(|h| g.index_of(h))
                .map(|i| retort::inspect::info(g, i, None))
                .collect();
            let missing: Vec<&String> = heads.iter().filter(|h| g.index_of(h).is_none()).collect();
            crate::print_json(&serde_json::json!({ "heads": infos, "missing": missing }));
            return Ok(ExitCode::Ok);
        }
        let f = retort::inspect::LineFormat {
            branches: true,
            head_indicators: true,
            // As Alembic's: (branchpoint) and (mergepoint) too.
            tree_indicators: true,
            ..Default::default()
        };
        // As `alembic current`: the rows, plus revisions they imply through depends_on that are
        // branch tips of their own.
        let unknown: Vec<&String> = heads.iter().filter(|h| g.index_of(h).is_none()).collect();
        let known: Vec<String> = heads
            .iter()
            .filter(|h| g.index_of(h).is_some())
            .cloned()
            .collect();
        let shown = g.get_all_current(&known).map_err(|e| {
            Failure::from(RunError::Target(
                e.into_target_error(retort::resolve::Context::Other),
            ))
        })?;
        for i in shown {
            outln!("{}", retort::inspect::cmd_format(g, i, verbose, f, None));
        }
        for h in unknown {
            outln!("{h} (not in the script directory)");
        }
        Ok(ExitCode::Ok)
    })
}

pub fn history_with_current(
    cli: &Cli,
    project: Project,
    range: Option<&str>,
    verbose: bool,
    json: bool,
) -> Result<ExitCode, Failure> {
    let config = project.config.clone();
    let migrator = Migrator::new(project, options(&config, &LockArgs { lock_timeout: None }));
    runtime()?.block_on(async {
        let url = database_url(cli, &config).await?;
        let heads: BTreeSet<String> = migrator
            .current(&url)
            .await
            .map_err(Failure::from)?
            .into_iter()
            .collect();
        let g = migrator.graph();
        if json {
            let revs = retort::inspect::history_revisions(g, range)
                .map_err(|e| Failure::from(RunError::Target(e)))?;
            let infos: Vec<_> = revs
                .into_iter()
                .map(|i| retort::inspect::info(g, i, Some(&heads)))
                .collect();
            crate::print_json(&infos);
            return Ok(ExitCode::Ok);
        }
        let lines = retort::inspect::history(g, range, verbose, Some(&heads))
            .map_err(|e| Failure::from(RunError::Target(e)))?;
        crate::print_lines(&lines);
        Ok(ExitCode::Ok)
    })
}

pub fn status(cli: &Cli, project: Project, json: bool) -> Result<ExitCode, Failure> {
    let config = project.config.clone();
    let migrator = Migrator::new(project, options(&config, &LockArgs { lock_timeout: None }));
    runtime()?.block_on(async {
        let url = database_url(cli, &config).await?;
        let (heads, rows) = migrator.status(&url).await.map_err(Failure::from)?;
        if json {
            crate::print_json(&serde_json::json!({ "heads": heads, "revisions": rows }));
            return Ok(ExitCode::Ok);
        }
        let count = |state| rows.iter().filter(|r| r.state == state).count();
        let (applied, stamped) = (count(RevisionState::Applied), count(RevisionState::Stamped));
        let pending = count(RevisionState::Pending);
        for r in &rows {
            let state = r.state.as_str();
            let check = match r.checksum_ok {
                Some(false) => "  CHANGED since applied",
                _ => "",
            };
            outln!(
                "{state:<8} {:<24} {} {}{check}",
                r.applied_at.as_deref().unwrap_or(""),
                r.revision,
                r.message
            );
        }
        outln!(
            "{applied} applied, {}{pending} pending; version rows: {}",
            if stamped > 0 {
                format!("{stamped} stamped, ")
            } else {
                String::new()
            },
            if heads.is_empty() {
                "none".to_string()
            } else {
                heads.join(", ")
            }
        );
        Ok(ExitCode::Ok)
    })
}

pub fn verify(
    cli: &Cli,
    project: Project,
    accept: &[String],
    json: bool,
    lock: &LockArgs,
) -> Result<ExitCode, Failure> {
    let config = project.config.clone();
    let migrator = Migrator::new(project, options(&config, lock));
    runtime()?.block_on(async {
        let url = database_url(cli, &config).await?;
        if !accept.is_empty() {
            let done = migrator
                .accept(&url, accept, &Progress::new(false))
                .await
                .map_err(Failure::from)?;
            eprintln!("Accepted the current contents of {}", done.join(", "));
        }
        let report = migrator.verify(&url).await.map_err(Failure::from)?;
        if json {
            crate::print_json(&report);
        } else {
            for r in &report.changed {
                outln!("CHANGED     {r}");
            }
            for r in &report.unknown {
                outln!("MISSING     {r} (in the version table, not in the script directory)");
            }
            for r in &report.unrecorded {
                outln!("unrecorded  {r} (applied before retort kept checksums, or stamped)");
            }
            outln!(
                "{} ok, {} changed, {} missing, {} unrecorded",
                report.ok.len(),
                report.changed.len(),
                report.unknown.len(),
                report.unrecorded.len()
            );
        }
        Ok(if report.changed.is_empty() && report.unknown.is_empty() {
            ExitCode::Ok
        } else {
            ExitCode::Verify
        })
    })
}

pub fn resolve(
    cli: &Cli,
    project: Project,
    rev: &str,
    applied: bool,
    lock: &LockArgs,
) -> Result<ExitCode, Failure> {
    let config = project.config.clone();
    let migrator = Migrator::new(project, options(&config, lock));
    runtime()?.block_on(async {
        let url = database_url(cli, &config).await?;
        let report = migrator
            .resolve(&url, rev, applied, &Progress::new(false))
            .await
            .map_err(Failure::from)?;
        eprintln!(
            "Resolved {rev} as {}; the database is at {}",
            if applied { "applied" } else { "rolled back" },
            if report.heads_after.is_empty() {
                "base".to_string()
            } else {
                report.heads_after.join(", ")
            }
        );
        Ok(ExitCode::Ok)
    })
}

pub fn dev(config: &Config, action: DevAction) -> Result<ExitCode, Failure> {
    use retort::devdb::{ClusterStatus, LocalCluster};
    let dir = retort::local::cluster_dir(config);
    let shown = retort::script::display_path(&dir);
    match action {
        DevAction::Start | DevAction::Url => {
            let mut notes = Vec::new();
            let url = runtime()?
                .block_on(retort::local::local_database_url(config, &mut notes))
                .map_err(Failure::from)?;
            for n in notes {
                eprintln!("retort: {n}");
            }
            if matches!(action, DevAction::Url) {
                outln!("{url}");
            } else {
                eprintln!("The local PostgreSQL in {shown} is running: {url}");
            }
        }
        DevAction::Stop => {
            let cluster = LocalCluster::new(&dir).map_err(Failure::from)?;
            cluster.stop().map_err(Failure::from)?;
            eprintln!("Stopped the local PostgreSQL in {shown}");
            // The scratch cluster of autogenerate's throwaway databases, if it runs.
            for scratch_dir in [
                retort::local::scratch_cluster_dir(config),
                retort::local::scratch_fallback_dir(config),
            ] {
                let scratch = LocalCluster::new(&scratch_dir).map_err(Failure::from)?;
                if matches!(scratch.status(), ClusterStatus::Running { .. }) {
                    scratch.stop().map_err(Failure::from)?;
                    eprintln!(
                        "Stopped the scratch PostgreSQL in {}",
                        retort::script::display_path(&scratch_dir)
                    );
                }
            }
        }
        DevAction::Status => {
            let cluster = LocalCluster::new(&dir).map_err(Failure::from)?;
            match cluster.status() {
                ClusterStatus::NotInitialized => {
                    outln!("not created ({shown}); `retort dev start` creates it")
                }
                ClusterStatus::Stopped => outln!("stopped ({shown})"),
                ClusterStatus::Running { pid } => outln!(
                    "running, pid {pid} ({shown}): {}",
                    cluster.url(retort::local::LOCAL_DATABASE)
                ),
            }
        }
        DevAction::Reset => {
            let cluster = LocalCluster::new(&dir).map_err(Failure::from)?;
            cluster.reset().map_err(Failure::from)?;
            let mut notes = Vec::new();
            let url = runtime()?
                .block_on(retort::local::local_database_url(config, &mut notes))
                .map_err(Failure::from)?;
            eprintln!("Reset the local PostgreSQL in {shown}: {url}");
        }
    }
    Ok(ExitCode::Ok)
}
