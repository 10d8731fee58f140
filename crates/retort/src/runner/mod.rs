//! The runner: applies a [`Plan`](crate::plan::Plan) to a database.
//!
//! Invariants:
//! - Before reading the version table, the migration lock is held (a session advisory lock on
//!   its own connection, or, in `lock_mode = "transaction"`, a transaction advisory lock taken in
//!   each migration's transaction, with the version rows re-read under it).
//! - A transactional revision's SQL, its version-row changes and its applied-log row commit in
//!   one transaction (one round trip): a crash leaves all of them or none.
//! - A non-transactional revision is logged as `started` before its first statement and
//!   finished with its version-row change after its last; a run that finds a `started` (or
//!   `failed`) row stops and names the revision and how to recover.

mod error;
mod lock;
mod offline;
mod tables;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use tokio_postgres::{Client, SimpleQueryMessage};

pub use crate::config::LockMode;
pub use error::{Blocker, LockHolder, MigrationFailed, RevisionUnusable, RunError};
pub use tables::{VersionTables, RETORT_VERSION};

use crate::db::{query_error, Target};
use crate::graph::{RevIdx, RevisionGraph};
use crate::plan::{self, Direction, Plan, Step};
use crate::project::Project;
use crate::script::RevisionFile;
use crate::sql::split_statements;

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Give up waiting for the lock after this long (`None`: wait forever).
    pub lock_timeout: Option<Duration>,
    pub lock_mode: LockMode,
    /// Run even if applied revisions' files changed.
    pub allow_changed: bool,
    /// One transaction for the whole run.
    pub single_transaction: bool,
    /// `application_name` of retort's sessions.
    pub application_name: String,
    /// Record this tag in the applied log's message (`upgrade --tag`).
    pub tag: Option<String>,
    /// Send a transactional revision's statements one by one (inside its transaction), so that
    /// each gets its own [`Event::Statement`] with its duration (`-v`). Off by default: one round
    /// trip per revision is faster.
    pub per_statement: bool,
    /// PostgreSQL's `lock_timeout` for the migrations' statements (`"5s"`); `None`: the
    /// server's. Taken from retort.toml's `lock_timeout` when unset.
    pub server_lock_timeout: Option<String>,
    /// PostgreSQL's `statement_timeout` for the migrations' statements; from retort.toml's
    /// `statement_timeout` when unset.
    pub server_statement_timeout: Option<String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            lock_timeout: None,
            lock_mode: LockMode::Session,
            allow_changed: false,
            single_transaction: false,
            application_name: format!("retort {RETORT_VERSION}"),
            tag: None,
            per_statement: false,
            server_lock_timeout: None,
            server_statement_timeout: None,
        }
    }
}

/// What a run reports as it goes (progress bars, `-v` logs). Also emitted as tracing events.
#[derive(Debug, Clone)]
pub enum Event {
    LockWaiting {
        waited: Duration,
        holder: Option<LockHolder>,
    },
    LockAcquired {
        waited: Duration,
    },
    PlanReady {
        steps: usize,
    },
    StepStarted {
        index: usize,
        total: usize,
        revision: String,
        direction: Direction,
        message: String,
    },
    Statement {
        revision: String,
        sql: String,
        duration: Duration,
    },
    /// A notice or warning the server sent while a revision ran (`RAISE NOTICE ...`).
    Notice {
        revision: Option<String>,
        severity: String,
        message: String,
    },
    StepFinished {
        index: usize,
        total: usize,
        revision: String,
        direction: Direction,
        duration: Duration,
    },
}

/// Receives [`Event`]s.
pub trait Observer: Send + Sync {
    fn event(&self, event: &Event);
}

/// An observer that only emits tracing events.
pub struct Quiet;

impl Observer for Quiet {
    fn event(&self, _: &Event) {}
}

fn emit(obs: &dyn Observer, event: Event) {
    match &event {
        Event::StepFinished {
            revision,
            direction,
            duration,
            ..
        } => {
            tracing::info!(
                revision,
                ?direction,
                ms = duration.as_secs_f64() * 1000.0,
                "revision applied"
            );
        }
        Event::LockWaiting { holder, .. } => {
            tracing::info!(?holder, "waiting for the migration lock")
        }
        _ => tracing::debug!(?event),
    }
    obs.event(&event);
}

/// One applied revision step, for reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AppliedStep {
    pub revision: String,
    pub direction: Direction,
    pub duration_ms: f64,
}

/// What a run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunReport {
    pub steps: Vec<AppliedStep>,
    pub heads_before: Vec<String>,
    pub heads_after: Vec<String>,
}

/// A revision's state in a database, for `status`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RevisionStatus {
    pub revision: String,
    pub message: String,
    pub applied: bool,
    pub applied_at: Option<String>,
    pub checksum_ok: Option<bool>,
}

/// Result of `verify`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct VerifyReport {
    pub ok: Vec<String>,
    pub changed: Vec<String>,
    pub unrecorded: Vec<String>,
    pub unknown: Vec<String>,
}

/// Applies revisions of a project to databases.
#[derive(Debug, Clone)]
pub struct Migrator {
    project: Project,
    tables: VersionTables,
    options: RunOptions,
}

enum Work {
    Upgrade(String),
    Downgrade(String),
}

impl Migrator {
    /// A migrator for `project`. `lock_mode = "transaction"` in its retort.toml wins over
    /// `options` (a session lock cannot work where the config says connections are pooled).
    pub fn new(project: Project, mut options: RunOptions) -> Self {
        if project.config.lock_mode == LockMode::Transaction {
            options.lock_mode = LockMode::Transaction;
        }
        if options.server_lock_timeout.is_none() {
            options
                .server_lock_timeout
                .clone_from(&project.config.lock_timeout);
        }
        if options.server_statement_timeout.is_none() {
            options
                .server_statement_timeout
                .clone_from(&project.config.statement_timeout);
        }
        let tables = VersionTables::from_config(&project.config);
        Self {
            project,
            tables,
            options,
        }
    }

    pub fn graph(&self) -> &RevisionGraph {
        &self.project.graph
    }

    pub fn tables(&self) -> &VersionTables {
        &self.tables
    }

    pub fn options(&self) -> &RunOptions {
        &self.options
    }

    /// `upgrade TARGET`.
    pub async fn upgrade(
        &self,
        url: &str,
        target: &str,
        obs: &dyn Observer,
    ) -> Result<RunReport, RunError> {
        self.run(url, Work::Upgrade(target.to_string()), obs).await
    }

    /// `downgrade TARGET`.
    pub async fn downgrade(
        &self,
        url: &str,
        target: &str,
        obs: &dyn Observer,
    ) -> Result<RunReport, RunError> {
        self.run(url, Work::Downgrade(target.to_string()), obs)
            .await
    }

    fn plan_for(&self, work: &Work, heads: &[String]) -> Result<Plan, RunError> {
        Ok(match work {
            Work::Upgrade(t) => plan::upgrade(self.graph(), heads, t)?,
            Work::Downgrade(t) => plan::downgrade(self.graph(), heads, t)?,
        })
    }

    async fn run(&self, url: &str, work: Work, obs: &dyn Observer) -> Result<RunReport, RunError> {
        let target = Target::parse(url)?;
        let (client, notices) = target
            .connect_with_notices(&self.options.application_name)
            .await?;
        let notices = std::sync::Mutex::new(notices);
        let key = self.tables.lock_key();
        let (session_lock, guard) = match self.options.lock_mode {
            LockMode::Session => {
                let lock = lock::SessionLock::acquire(&client, &self.options, key, obs).await?;
                let guard = lock.guard();
                (Some(lock), guard)
            }
            LockMode::Transaction => (None, String::new()),
        };
        let result = self
            .run_with_timeouts(&target, &client, &work, obs, &notices, guard)
            .await;
        if let Some(l) = session_lock {
            l.release(&client).await;
        }
        result
    }

    /// `SET [LOCAL] lock_timeout = ...; SET [LOCAL] statement_timeout = ...;` for the configured
    /// server timeouts (empty when none is set).
    fn timeouts_sql(&self, local: bool) -> String {
        let local = if local { "LOCAL " } else { "" };
        let mut sql = String::new();
        for (name, value) in [
            ("lock_timeout", &self.options.server_lock_timeout),
            ("statement_timeout", &self.options.server_statement_timeout),
        ] {
            if let Some(v) = value {
                sql.push_str(&format!(
                    "SET {local}{name} = {};\n",
                    crate::sql::quote_literal(v)
                ));
            }
        }
        sql
    }

    /// With a server timeout configured: set it (on the session in session mode; per
    /// transaction, `SET LOCAL`, in transaction mode, where a session setting would leak to other
    /// clients of a pooler), and open a second connection that watches what blocks the migrating
    /// session, so that a timeout can name the blocking pid.
    async fn run_with_timeouts(
        &self,
        target: &Target,
        client: &Client,
        work: &Work,
        obs: &dyn Observer,
        notices: &std::sync::Mutex<crate::db::Notices>,
        guard: String,
    ) -> Result<RunReport, RunError> {
        let set = self.timeouts_sql(false);
        if set.is_empty() {
            let ctx = RunCtx { watch: None, guard };
            return self.run_locked(client, work, obs, notices, &ctx).await;
        }
        if self.options.lock_mode == LockMode::Session {
            exec(client, &set).await?;
        }
        let watch = Watch {
            client: target
                .connect(&format!("{} (watch)", self.options.application_name))
                .await?,
            pid: std::sync::atomic::AtomicI32::new(0),
        };
        if self.options.lock_mode == LockMode::Session {
            watch.set_pid(client).await?;
        }
        let ctx = RunCtx {
            watch: Some(&watch),
            guard,
        };
        self.run_locked(client, work, obs, notices, &ctx).await
    }

    async fn run_locked(
        &self,
        client: &Client,
        work: &Work,
        obs: &dyn Observer,
        notices: &std::sync::Mutex<crate::db::Notices>,
        ctx: &RunCtx<'_>,
    ) -> Result<RunReport, RunError> {
        let key = self.tables.lock_key();
        let create = match self.options.lock_mode {
            LockMode::Session => {
                format!("BEGIN;\n{}{}COMMIT;", ctx.guard, self.tables.create_sql())
            }
            LockMode::Transaction => format!("{}COMMIT;", self.tables.create_sql()),
        };
        // Everything that can refuse without the tables runs first, so that a refused run
        // leaves the database exactly as it was.
        self.check_version_table(client).await?;
        let heads = self.read_heads(client).await?;
        self.check_known(&heads)?;
        let mut plan = self.plan_for(work, &heads)?;
        self.preflight(&plan)?;
        if self.options.lock_mode == LockMode::Transaction {
            lock::begin_locked(client, &self.options, key, obs).await?;
        }
        self.create_tables(client, &create).await?;
        // "relation already exists, skipping" and the like are retort's own business.
        forward_notices(notices, None, &|_| {});
        self.check_state(client, &heads).await?;
        emit(
            obs,
            Event::PlanReady {
                steps: plan.steps.len(),
            },
        );
        let mut report = RunReport {
            heads_before: heads.clone(),
            ..RunReport::default()
        };
        if self.options.single_transaction {
            let xact = self.options.lock_mode == LockMode::Transaction;
            if xact {
                // The whole run is one transaction: take the lock in it, and plan again if the
                // version rows moved since they were read without it.
                lock::begin_locked(client, &self.options, key, obs).await?;
                let replanned = match self.read_heads_locked(client, ctx).await {
                    Ok(now)
                        if now.iter().cloned().collect::<BTreeSet<_>>() != plan.heads_before =>
                    {
                        report.heads_before.clone_from(&now);
                        self.plan_for(work, &now)
                            .and_then(|p| self.preflight(&p).map(|()| Some(p)))
                    }
                    Ok(_) => Ok(None),
                    Err(e) => Err(e),
                };
                match replanned {
                    Ok(Some(p)) => plan = p,
                    Ok(None) => {}
                    Err(e) => {
                        let _ = client.batch_execute("ROLLBACK").await;
                        return Err(e);
                    }
                }
            }
            let r = self
                .run_single_transaction(client, &plan, obs, &mut report, ctx, xact)
                .await;
            forward_notices(notices, None, &|e| emit(obs, e));
            r?;
        } else {
            let mut index = 0;
            let mut expected: BTreeSet<String> = plan.heads_before.clone();
            let mut pending: Vec<Step> = plan.steps.clone();
            while !pending.is_empty() {
                let step = pending.remove(0);
                if self.options.lock_mode == LockMode::Transaction {
                    // Another process may have moved the database since we planned: re-read the
                    // version rows under the transaction lock and re-plan if they changed.
                    lock::begin_locked(client, &self.options, key, obs).await?;
                    let now = self.read_heads_locked(client, ctx).await;
                    let now = match now {
                        Ok(h) => h,
                        Err(e) => {
                            let _ = client.batch_execute("ROLLBACK").await;
                            return Err(e);
                        }
                    };
                    let now_set: BTreeSet<String> = now.iter().cloned().collect();
                    if now_set != expected {
                        let _ = client.batch_execute("ROLLBACK").await;
                        self.check_state(client, &now).await?;
                        plan = self.plan_for(work, &now)?;
                        self.preflight(&plan)?;
                        expected = plan.heads_before.clone();
                        pending = plan.steps.clone();
                        continue;
                    }
                }
                let total = index + 1 + pending.len();
                let applied = self
                    .apply_step(
                        client,
                        &step,
                        index,
                        total,
                        obs,
                        self.options.lock_mode == LockMode::Transaction,
                        ctx,
                    )
                    .await;
                let revision = self.graph().id(step.rev).to_string();
                forward_notices(notices, Some(&revision), &|e| emit(obs, e));
                let applied = applied?;
                for c in &step.version_changes {
                    plan::apply_change(&mut expected, c);
                }
                report.steps.push(applied);
                index += 1;
            }
        }
        report.heads_after = self.read_heads(client).await?;
        Ok(report)
    }

    /// Refuse a plan that cannot run as asked, before anything runs.
    fn preflight(&self, plan: &Plan) -> Result<(), RunError> {
        for step in &plan.steps {
            let r = self.graph().rev(step.rev);
            let f = &r.file;
            let (sql, line) = match step.direction {
                Direction::Up => (f.up_sql.as_str(), f.up_line),
                Direction::Down => match &f.down_sql {
                    Some(s) => (s.as_str(), f.down_line.unwrap_or(f.up_line)),
                    None => {
                        return Err(RevisionUnusable {
                            location: crate::util::display_path(&f.path),
                            message: format!("revision {} has no `-- retort:down` section, so it cannot be downgraded", f.id),
                            help: Some("write the SQL that undoes it under `-- retort:down` (an empty section means nothing to undo)".into()),
                        }
                        .into())
                    }
                },
            };
            let statements = split_statements(sql).map_err(|e| RevisionUnusable {
                location: format!(
                    "{}:{}:{}",
                    crate::util::display_path(&f.path),
                    line + e.line - 1,
                    e.column
                ),
                message: format!("revision {}: unterminated {}", f.id, e.what),
                help: Some("close the quote or comment".into()),
            })?;
            if !f.transactional && self.options.single_transaction {
                return Err(RunError::Usage {
                    message: format!("--single-transaction cannot include revision {}, which is `transactional: false`", f.id),
                    help: Some(format!("upgrade to the revision before it first, then run {} on its own", f.id)),
                });
            }
            if f.transactional {
                for s in &statements {
                    let first = s
                        .text
                        .lines()
                        .map(str::trim)
                        .find(|l| !l.is_empty() && !l.starts_with("--"))
                        .unwrap_or("")
                        .split(|c: char| !c.is_ascii_alphabetic())
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    if matches!(
                        first.as_str(),
                        "BEGIN" | "COMMIT" | "ROLLBACK" | "START" | "END" | "ABORT"
                    ) {
                        return Err(RevisionUnusable {
                            location: format!("{}:{}", crate::util::display_path(&f.path), line + s.line - 1),
                            message: format!("revision {} contains `{first}`, but retort runs it in its own transaction", f.id),
                            help: Some("remove the transaction control, or set `-- transactional: false` to run it statement by statement".into()),
                        }
                        .into());
                    }
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn apply_step(
        &self,
        client: &Client,
        step: &Step,
        index: usize,
        total: usize,
        obs: &dyn Observer,
        xact_open: bool,
        ctx: &RunCtx<'_>,
    ) -> Result<AppliedStep, RunError> {
        let f = &self.graph().rev(step.rev).file;
        step_started(obs, index, total, f, step.direction);
        let started = Instant::now();
        let (sql, _) = section(f, step.direction);
        let bookkeeping = self.bookkeeping(step, f);
        if f.transactional && self.options.per_statement {
            // One statement at a time inside the revision's transaction, each timed.
            let rollback_note = "the revision was rolled back; revisions before it stay applied";
            if !xact_open {
                exec(client, &format!("BEGIN;\n{}", ctx.guard)).await?;
            }
            for s in split_statements(sql).unwrap_or_default() {
                let t = Instant::now();
                if let (Err(e), blockers) = watched(ctx.watch, client.batch_execute(s.text)).await {
                    let _ = client.batch_execute("ROLLBACK").await;
                    return Err(self.failed(
                        f,
                        step.direction,
                        sql,
                        (s.offset, 0),
                        &e,
                        rollback_note,
                        blockers,
                    ));
                }
                emit(
                    obs,
                    Event::Statement {
                        revision: f.id.clone(),
                        sql: s.text.to_string(),
                        duration: t.elapsed(),
                    },
                );
            }
            if let Err(e) = client.batch_execute(&format!("{bookkeeping}COMMIT;")).await {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(RunError::Db(query_error(&e, None)));
            }
        } else if f.transactional {
            let (batch, prefix) = if xact_open {
                (format!("{sql}\n;\n{bookkeeping}COMMIT;"), 0)
            } else {
                (
                    format!("BEGIN;\n{}{sql}\n;\n{bookkeeping}COMMIT;", ctx.guard),
                    7 + ctx.guard.chars().count(),
                )
            };
            if let (Err(e), blockers) = watched(ctx.watch, client.batch_execute(&batch)).await {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(self.failed(
                    f,
                    step.direction,
                    sql,
                    (0, prefix),
                    &e,
                    "the revision was rolled back; revisions before it stay applied",
                    blockers,
                ));
            }
            emit(
                obs,
                Event::Statement {
                    revision: f.id.clone(),
                    sql: sql.trim().to_string(),
                    duration: started.elapsed(),
                },
            );
        } else {
            let d = step.direction;
            let started_sql = self
                .tables
                .started_sql(&f.id, d, &f.checksum, &self.log_message(f));
            if xact_open {
                // Transaction mode: log `started` in the locked transaction that re-read the
                // version rows, so that the next run to take the lock sees it (and stops
                // rather than running the revision a second time alongside this one).
                if let Err(e) = exec(client, &format!("{started_sql}COMMIT;")).await {
                    let _ = client.batch_execute("ROLLBACK").await;
                    return Err(e);
                }
            } else {
                exec(
                    client,
                    &format!("BEGIN;\n{}{started_sql}COMMIT;", ctx.guard),
                )
                .await?;
            }
            let statements = split_statements(sql).unwrap_or_default();
            for s in statements {
                let t = Instant::now();
                if let (Err(e), blockers) = watched(ctx.watch, client.batch_execute(s.text)).await {
                    let _ = client.batch_execute(&format!("UPDATE {} SET status = 'failed' WHERE revision = {} AND status = 'started'", self.tables.history_ident(), crate::sql::quote_literal(&f.id))).await;
                    return Err(self.failed(
                        f,
                        step.direction,
                        sql,
                        (s.offset, 0),
                        &e,
                        &format!("revision {} is non-transactional: the statements before this one stay applied; fix the cause, then `retort resolve {} --applied` or `--rolled-back`", f.id, f.id),
                        blockers,
                    ));
                }
                emit(
                    obs,
                    Event::Statement {
                        revision: f.id.clone(),
                        sql: s.text.to_string(),
                        duration: t.elapsed(),
                    },
                );
            }
            let mut finish = format!("BEGIN;\n{}", ctx.guard);
            finish.push_str(&self.tables.finish_sql(&f.id, "applied"));
            for c in &step.version_changes {
                finish.push_str(&self.tables.change_sql(c));
            }
            finish.push_str("COMMIT;");
            exec(client, &finish).await?;
        }
        Ok(step_finished(
            obs,
            index,
            total,
            f,
            step.direction,
            started.elapsed(),
        ))
    }

    async fn run_single_transaction(
        &self,
        client: &Client,
        plan: &Plan,
        obs: &dyn Observer,
        report: &mut RunReport,
        ctx: &RunCtx<'_>,
        xact_open: bool,
    ) -> Result<(), RunError> {
        if !xact_open {
            exec(client, &format!("BEGIN;\n{}", ctx.guard)).await?;
        }
        let total = plan.steps.len();
        for (index, step) in plan.steps.iter().enumerate() {
            let f = &self.graph().rev(step.rev).file;
            step_started(obs, index, total, f, step.direction);
            let started = Instant::now();
            let (sql, _) = section(f, step.direction);
            let batch = format!("{sql}\n;\n{}", self.bookkeeping(step, f));
            if let (Err(e), blockers) = watched(ctx.watch, client.batch_execute(&batch)).await {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(self.failed(
                    f,
                    step.direction,
                    sql,
                    (0, 0),
                    &e,
                    "--single-transaction: the whole run was rolled back; nothing was applied",
                    blockers,
                ));
            }
            report.steps.push(step_finished(
                obs,
                index,
                total,
                f,
                step.direction,
                started.elapsed(),
            ));
        }
        exec(client, "COMMIT").await
    }

    fn log_message(&self, f: &RevisionFile) -> String {
        match &self.options.tag {
            Some(t) => format!("{} [tag: {t}]", f.message),
            None => f.message.clone(),
        }
    }

    /// Applied-log row and version-row changes of a transactional step.
    fn bookkeeping(&self, step: &Step, f: &RevisionFile) -> String {
        let mut sql = self.tables.log_sql(
            &f.id,
            tables::direction_str(step.direction),
            "applied",
            Some(&f.checksum),
            &self.log_message(f),
        );
        for c in &step.version_changes {
            sql.push_str(&self.tables.change_sql(c));
        }
        sql
    }

    /// A failed statement as the user sees it. `at` is the statement's byte offset in `sql` and
    /// how many characters were sent before `sql` in the same query string.
    #[allow(clippy::too_many_arguments)]
    fn failed(
        &self,
        f: &RevisionFile,
        direction: Direction,
        sql: &str,
        at: (usize, usize),
        e: &tokio_postgres::Error,
        note: &str,
        blockers: Vec<Blocker>,
    ) -> RunError {
        if lock::is_lock_lost(e) {
            return RunError::LockLost;
        }
        let (stmt_offset, prefix) = at;
        let text = match f.embedded_text {
            Some(t) => t.to_string(),
            None => std::fs::read_to_string(&f.path).unwrap_or_default(),
        };
        let (_, line) = section(f, direction);
        let section_start = line_start_offset(&text, line);
        let stmt_sql = &sql[stmt_offset..];
        // A lost connection: the server rolls back a transaction whose session ends before its
        // commit, but cannot tell the client about a commit it had done when the socket closed.
        let lost_note;
        let note = if error::is_connection_lost(e) && f.transactional {
            lost_note = format!(
                "the connection was lost while revision {} ran, so PostgreSQL rolled it back (unless the connection dropped during its COMMIT: `retort current` shows which); revisions before it stay applied; run the command again to continue",
                f.id
            );
            lost_note.as_str()
        } else {
            note
        };
        let failed = MigrationFailed::new(
            &f.id,
            &f.path,
            &text,
            stmt_sql,
            section_start + stmt_offset,
            prefix,
            e,
            note,
            // A non-transactional statement runs alone: its start is known even without a
            // position from PostgreSQL.
            !f.transactional,
        );
        let timeout = match e.code().map(tokio_postgres::error::SqlState::code) {
            Some("55P03") => Some(self.options.server_lock_timeout.as_deref().map_or_else(
                || "lock_timeout (the server's setting)".to_string(),
                |v| format!("lock_timeout = {v}"),
            )),
            Some("57014")
                if e.as_db_error()
                    .is_some_and(|d| d.message().contains("statement timeout")) =>
            {
                Some(
                    self.options
                        .server_statement_timeout
                        .as_deref()
                        .map_or_else(
                            || "statement_timeout (the server's setting)".to_string(),
                            |v| format!("statement_timeout = {v}"),
                        ),
                )
            }
            _ => None,
        };
        RunError::Migration(Box::new(failed.with_timeout(timeout, blockers)))
    }

    /// A table with the version table's name that is not one: refuse before touching anything.
    async fn check_version_table(&self, client: &Client) -> Result<(), RunError> {
        let columns = query_col(
            client,
            &format!(
                "SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass({}) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                crate::sql::quote_literal(&self.tables.version_ident())
            ),
        )
        .await?;
        let columns: Vec<String> = columns.into_iter().flatten().collect();
        if !columns.is_empty() && !columns.iter().any(|c| c.starts_with("version_num ")) {
            return Err(RunError::NotAVersionTable {
                table: self.tables.version_ident(),
                columns: columns.join(", "),
            });
        }
        Ok(())
    }

    /// Version rows naming revisions that are not in the script directory.
    fn check_known(&self, heads: &[String]) -> Result<(), RunError> {
        let unknown: Vec<String> = heads
            .iter()
            .filter(|h| self.graph().index_of(h).is_none())
            // A row no revision could have (blank, too long, odd characters) is shown quoted.
            .map(|h| match crate::script::check_revision_id(h) {
                Ok(()) => h.clone(),
                Err(_) => format!("{h:?}"),
            })
            .collect();
        if !unknown.is_empty() {
            return Err(RunError::UnknownApplied { revisions: unknown });
        }
        // A row and a row of one of its ancestors (along down_revision; a dependency on another
        // branch may have its own row): Alembic would call it an overlap of requested targets.
        let idxs: Vec<RevIdx> = heads
            .iter()
            .filter_map(|h| self.graph().index_of(h))
            .collect();
        for &i in &idxs {
            for a in self.graph().ancestors(&[i], false) {
                if a != i && idxs.contains(&a) {
                    return Err(RunError::OverlappingRows {
                        revision: self.graph().id(i).to_string(),
                        ancestor: self.graph().id(a).to_string(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Create the version table and log if absent; a missing privilege says which and what to do.
    async fn create_tables(&self, client: &Client, sql: &str) -> Result<(), RunError> {
        self.check_version_table(client).await?;
        let result = client.batch_execute(sql).await;
        if result.is_err() {
            // In transaction mode `sql` ran in the lock's transaction.
            let _ = client.batch_execute("ROLLBACK").await;
        }
        match result {
            Ok(()) => Ok(()),
            Err(e) if lock::is_lock_lost(&e) => Err(RunError::LockLost),
            Err(e) if e.code().is_some_and(|c| c.code() == "42501") => {
                let detail = e
                    .as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_string());
                Err(RunError::Privilege {
                    detail,
                    tables: format!(
                        "{} and {}",
                        self.tables.version_ident(),
                        self.tables.history_ident()
                    ),
                })
            }
            Err(e) if e.code().is_some_and(|c| c.code() == "25006") => Err(RunError::ReadOnly {
                detail: e
                    .as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_string()),
            }),
            Err(e) => Err(RunError::Db(query_error(&e, None))),
        }
    }

    /// Version rows; empty if the version table does not exist yet.
    pub async fn read_heads(&self, client: &Client) -> Result<Vec<String>, RunError> {
        let exists = query_col(
            client,
            &format!(
                "SELECT to_regclass({})::text",
                crate::sql::quote_literal(&self.tables.version_ident())
            ),
        )
        .await?;
        if exists.first().is_none_or(Option::is_none) {
            return Ok(Vec::new());
        }
        Ok(query_col(
            client,
            &format!("SELECT version_num FROM {}", self.tables.version_ident()),
        )
        .await?
        .into_iter()
        .flatten()
        .collect())
    }

    /// Stop on interrupted non-transactional revisions, unknown version rows, changed files.
    async fn check_state(&self, client: &Client, heads: &[String]) -> Result<(), RunError> {
        self.check_known(heads)?;
        self.check_unfinished(client).await?;
        if !self.options.allow_changed {
            let report = self.verify_with(client, heads).await?;
            if !report.changed.is_empty() {
                return Err(RunError::Changed {
                    revisions: report.changed,
                });
            }
        }
        Ok(())
    }

    /// A non-transactional revision logged `started` (or `failed`) and never finished: in
    /// session mode it was interrupted (the lock excludes a run still going); in transaction
    /// mode another run may still be running it.
    async fn check_unfinished(&self, client: &Client) -> Result<(), RunError> {
        let rows = query_rows(
            client,
            &format!("SELECT revision, direction, status FROM {} WHERE status IN ('started', 'failed') ORDER BY id LIMIT 1", self.tables.history_ident()),
        )
        .await?;
        let Some(row) = rows.first() else {
            return Ok(());
        };
        let revision = row[0].clone().unwrap_or_default();
        let path = self.graph().index_of(&revision).map_or_else(
            || "file missing".to_string(),
            |i| crate::util::display_path(&self.graph().rev(i).file.path),
        );
        let direction = row[1].clone().unwrap_or_default();
        if self.options.lock_mode == LockMode::Transaction && row[2].as_deref() == Some("started") {
            return Err(RunError::Unfinished {
                revision,
                path,
                direction,
            });
        }
        Err(RunError::Interrupted {
            revision,
            path,
            direction,
        })
    }

    /// In transaction mode, under the lock at the start of a step's transaction: the version
    /// rows; a refusal if a non-transactional revision was started and not finished (another
    /// run may be running it right now, outside the lock); this transaction's timeouts.
    async fn read_heads_locked(
        &self,
        client: &Client,
        ctx: &RunCtx<'_>,
    ) -> Result<Vec<String>, RunError> {
        let heads = self.read_heads(client).await?;
        self.check_unfinished(client).await?;
        let set = self.timeouts_sql(true);
        if !set.is_empty() {
            exec(client, &set).await?;
        }
        if let Some(w) = ctx.watch {
            w.set_pid(client).await?;
        }
        Ok(heads)
    }

    async fn recorded_checksums(
        &self,
        client: &Client,
    ) -> Result<BTreeMap<String, String>, RunError> {
        let rows = query_rows(
            client,
            &format!(
                "SELECT DISTINCT ON (revision) revision, checksum FROM {} WHERE direction IN ('up', 'accept') AND status IN ('applied', 'resolved-applied') AND checksum IS NOT NULL ORDER BY revision, id DESC",
                self.tables.history_ident()
            ),
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((r[0].clone()?, r[1].clone()?)))
            .collect())
    }

    fn applied_set(&self, heads: &[String]) -> Vec<RevIdx> {
        let idx: Vec<RevIdx> = heads
            .iter()
            .filter_map(|h| self.graph().index_of(h))
            .collect();
        let mut applied = self.graph().ancestors(&idx, true);
        applied.sort_unstable();
        applied
    }

    async fn verify_with(
        &self,
        client: &Client,
        heads: &[String],
    ) -> Result<VerifyReport, RunError> {
        let recorded = self.recorded_checksums(client).await?;
        let mut report = VerifyReport {
            unknown: heads
                .iter()
                .filter(|h| self.graph().index_of(h).is_none())
                .cloned()
                .collect(),
            ..VerifyReport::default()
        };
        for i in self.applied_set(heads) {
            let f = &self.graph().rev(i).file;
            match recorded.get(&f.id) {
                Some(c) if *c == f.checksum => report.ok.push(f.id.clone()),
                Some(_) => report.changed.push(f.id.clone()),
                None => report.unrecorded.push(f.id.clone()),
            }
        }
        Ok(report)
    }

    async fn connect(&self, url: &str) -> Result<Client, RunError> {
        Ok(Target::parse(url)?
            .connect(&self.options.application_name)
            .await?)
    }

    /// `current`: the version rows.
    pub async fn current(&self, url: &str) -> Result<Vec<String>, RunError> {
        let client = self.connect(url).await?;
        self.read_heads(&client).await
    }

    /// Whether the database is at the script directory's heads (nothing left to upgrade): for
    /// readiness checks.
    pub async fn is_at_head(&self, url: &str) -> Result<bool, RunError> {
        let heads = self.current(url).await?;
        self.check_known(&heads)?;
        Ok(plan::upgrade(self.graph(), &heads, "heads")?
            .steps
            .is_empty())
    }

    /// `verify`: applied revisions' recorded checksums against their files.
    pub async fn verify(&self, url: &str) -> Result<VerifyReport, RunError> {
        let client = self.connect(url).await?;
        let heads = self.read_heads(&client).await?;
        if self.tables_exist(&client).await? {
            self.verify_with(&client, &heads).await
        } else {
            Ok(VerifyReport::default())
        }
    }

    async fn tables_exist(&self, client: &Client) -> Result<bool, RunError> {
        let r = query_col(
            client,
            &format!(
                "SELECT to_regclass({})::text",
                crate::sql::quote_literal(&self.tables.history_ident())
            ),
        )
        .await?;
        Ok(r.first().is_some_and(Option::is_some))
    }

    /// `verify --accept REV`: record the file's current checksum for applied revisions.
    pub async fn accept(
        &self,
        url: &str,
        revisions: &[String],
        obs: &dyn Observer,
    ) -> Result<Vec<String>, RunError> {
        self.locked(url, obs, |client| async move {
            let heads = self.read_heads(&client).await?;
            let applied: BTreeSet<RevIdx> = self.applied_set(&heads).into_iter().collect();
            let mut sql = String::from("BEGIN;\n");
            let mut done = Vec::new();
            for r in revisions {
                let idx = self.graph().get_revision(Some(r)).map_err(|e| {
                    RunError::Target(e.into_target_error(crate::target::error::Context::Other))
                })?;
                let Some(idx) = idx.filter(|i| applied.contains(i)) else {
                    return Err(RunError::Usage {
                        message: format!("revision {r} is not applied to this database"),
                        help: Some("`retort status` lists applied revisions".into()),
                    });
                };
                let f = &self.graph().rev(idx).file;
                sql.push_str(&self.tables.log_sql(
                    &f.id,
                    "accept",
                    "applied",
                    Some(&f.checksum),
                    "checksum accepted",
                ));
                done.push(f.id.clone());
            }
            sql.push_str("COMMIT;");
            exec(&client, &sql).await?;
            Ok(done)
        })
        .await
    }

    /// Run `f` with the session lock held, and the tables present if anything is applied.
    async fn locked<'a, T, F, Fut>(
        &'a self,
        url: &str,
        obs: &dyn Observer,
        f: F,
    ) -> Result<T, RunError>
    where
        F: FnOnce(Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, RunError>> + 'a,
    {
        let target = Target::parse(url)?;
        let client = target.connect(&self.options.application_name).await?;
        // The lock goes with the connection: `f` consumes the client, and the server releases
        // the lock when the connection ends.
        let _lock =
            lock::SessionLock::acquire(&client, &self.options, self.tables.lock_key(), obs).await?;
        // With no version row nothing is applied, so there is nothing to accept or resolve: `f`
        // refuses, and the tables are not made for a command that changes nothing.
        self.check_version_table(&client).await?;
        if !self.read_heads(&client).await?.is_empty() || self.tables_exist(&client).await? {
            self.create_tables(&client, &self.tables.create_sql())
                .await?;
        }
        f(client).await
    }

    /// `stamp TARGET... [--purge]`: set the version rows without running anything.
    pub async fn stamp(
        &self,
        url: &str,
        targets: &[String],
        purge: bool,
        obs: &dyn Observer,
    ) -> Result<RunReport, RunError> {
        let target = Target::parse(url)?;
        let client = target.connect(&self.options.application_name).await?;
        let _lock =
            lock::SessionLock::acquire(&client, &self.options, self.tables.lock_key(), obs).await?;
        // The targets are resolved before the tables are made: a refused stamp changes nothing.
        self.check_version_table(&client).await?;
        let heads = self.read_heads(&client).await?;
        let new_heads = plan::stamp(self.graph(), if purge { &[] } else { &heads }, targets)?;
        self.create_tables(&client, &self.tables.create_sql())
            .await?;
        {
            let mut sql = format!("BEGIN;\nDELETE FROM {};\n", self.tables.version_ident());
            for h in &new_heads {
                sql.push_str(
                    &self
                        .tables
                        .change_sql(&plan::VersionChange::Insert { version: h.clone() }),
                );
                let f = &self.graph().rev(self.graph().index_of(h).unwrap_or(0)).file;
                sql.push_str(&self.tables.log_sql(h, "stamp", "applied", None, &f.message));
            }
            sql.push_str("COMMIT;");
            exec(&client, &sql).await?;
            Ok(RunReport {
                steps: Vec::new(),
                heads_before: heads,
                heads_after: new_heads,
            })
        }
    }

    /// `resolve REV --applied|--rolled-back`: settle an interrupted non-transactional revision.
    pub async fn resolve(
        &self,
        url: &str,
        revision: &str,
        applied: bool,
        obs: &dyn Observer,
    ) -> Result<RunReport, RunError> {
        self.locked(url, obs, |client| async move {
            let no_run = || RunError::Usage {
                message: format!("revision {revision} has no interrupted run to resolve"),
                help: Some("`retort resolve` is only for a non-transactional revision that stopped part-way".into()),
            };
            if !self.tables_exist(&client).await? {
                return Err(no_run());
            }
            let rows = query_rows(
                &client,
                &format!("SELECT revision, direction FROM {} WHERE status IN ('started', 'failed') ORDER BY id", self.tables.history_ident()),
            )
            .await?;
            let full = self
                .graph()
                .get_revision(Some(revision))
                .map_err(|e| RunError::Target(e.into_target_error(crate::target::error::Context::Other)))?
                .map(|i| self.graph().id(i).to_string())
                .unwrap_or_default();
            let Some(row) = rows.iter().find(|r| r[0].as_deref() == Some(full.as_str())) else {
                return Err(no_run());
            };
            let heads = self.read_heads(&client).await?;
            let mut sql = String::from("BEGIN;\n");
            if applied {
                let direction = if row[1].as_deref() == Some("down") { Direction::Down } else { Direction::Up };
                let idx = self.graph().index_of(&full).unwrap_or(0);
                let set: BTreeSet<String> = heads.iter().cloned().collect();
                for c in plan::step_changes(self.graph(), &set, idx, direction)? {
                    sql.push_str(&self.tables.change_sql(&c));
                }
                sql.push_str(&self.tables.finish_sql(&full, "resolved-applied"));
            } else {
                sql.push_str(&self.tables.finish_sql(&full, "resolved-rolled-back"));
            }
            sql.push_str("COMMIT;");
            exec(&client, &sql).await?;
            let after = self.read_heads(&client).await?;
            Ok(RunReport {
                steps: Vec::new(),
                heads_before: heads,
                heads_after: after,
            })
        })
        .await
    }

    /// `status`: every revision, oldest first, applied or pending.
    pub async fn status(&self, url: &str) -> Result<(Vec<String>, Vec<RevisionStatus>), RunError> {
        let client = self.connect(url).await?;
        let heads = self.read_heads(&client).await?;
        let (recorded, applied_at) = if self.tables_exist(&client).await? {
            let at = query_rows(
                &client,
                &format!(
                    "SELECT DISTINCT ON (revision) revision, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' FROM {} WHERE direction IN ('up', 'stamp') AND status IN ('applied', 'resolved-applied') ORDER BY revision, id DESC",
                    self.tables.history_ident()
                ),
            )
            .await?;
            (
                self.recorded_checksums(&client).await?,
                at.into_iter()
                    .filter_map(|r| Some((r[0].clone()?, r[1].clone()?)))
                    .collect::<BTreeMap<_, _>>(),
            )
        } else {
            (BTreeMap::new(), BTreeMap::new())
        };
        let applied: BTreeSet<RevIdx> = self.applied_set(&heads).into_iter().collect();
        let all: Vec<RevIdx> = (0..self.graph().len()).collect();
        let mut order = self.graph().newest_first(&all);
        order.reverse();
        let rows = order
            .into_iter()
            .map(|i| {
                let f = &self.graph().rev(i).file;
                let is_applied = applied.contains(&i);
                RevisionStatus {
                    revision: f.id.clone(),
                    message: f.message.clone(),
                    applied: is_applied,
                    applied_at: if is_applied {
                        applied_at.get(&f.id).cloned()
                    } else {
                        None
                    },
                    checksum_ok: if is_applied {
                        recorded.get(&f.id).map(|c| *c == f.checksum)
                    } else {
                        None
                    },
                }
            })
            .collect();
        Ok((heads, rows))
    }
}

fn step_started(
    obs: &dyn Observer,
    index: usize,
    total: usize,
    f: &RevisionFile,
    direction: Direction,
) {
    emit(
        obs,
        Event::StepStarted {
            index,
            total,
            revision: f.id.clone(),
            direction,
            message: f.message.clone(),
        },
    );
}

/// Report a finished step and describe it for the run's report.
fn step_finished(
    obs: &dyn Observer,
    index: usize,
    total: usize,
    f: &RevisionFile,
    direction: Direction,
    duration: Duration,
) -> AppliedStep {
    emit(
        obs,
        Event::StepFinished {
            index,
            total,
            revision: f.id.clone(),
            direction,
            duration,
        },
    );
    AppliedStep {
        revision: f.id.clone(),
        direction,
        duration_ms: duration.as_secs_f64() * 1000.0,
    }
}

/// Pass on the notices received so far.
fn forward_notices(
    notices: &std::sync::Mutex<crate::db::Notices>,
    revision: Option<&str>,
    out: &dyn Fn(Event),
) {
    let Ok(mut rx) = notices.lock() else { return };
    while let Ok((severity, message)) = rx.try_recv() {
        out(Event::Notice {
            revision: revision.map(str::to_string),
            severity,
            message,
        });
    }
}

fn section(f: &RevisionFile, d: Direction) -> (&str, usize) {
    match d {
        Direction::Up => (f.up_sql.as_str(), f.up_line),
        Direction::Down => (
            f.down_sql.as_deref().unwrap_or(""),
            f.down_line.unwrap_or(f.up_line),
        ),
    }
}

/// Byte offset where 1-based line `line` starts.
fn line_start_offset(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

/// What a run's steps need besides the connection.
struct RunCtx<'a> {
    /// The blocker watch, when a server timeout is set.
    watch: Option<&'a Watch>,
    /// Session mode: SQL that fails (SQLSTATE `RT001`) unless the session running it is the
    /// one that took the migration lock and still holds it (`SessionLock::guard`); first in
    /// each transaction.
    guard: String,
}

/// A second connection watching what blocks the migrating session (`pg_blocking_pids`), opened
/// only when a server timeout is configured, so that a timeout can name the blocker: once the
/// statement has been cancelled it no longer waits, and its own session's transaction is aborted.
struct Watch {
    client: Client,
    /// The migrating session's backend pid (per transaction in transaction mode: behind a
    /// pooler each transaction may run on another server connection).
    pid: std::sync::atomic::AtomicI32,
}

/// How often the watch asks what blocks the migrating session.
const WATCH_EVERY: Duration = Duration::from_millis(50);

impl Watch {
    async fn set_pid(&self, client: &Client) -> Result<(), RunError> {
        let pid = query_col(client, "SELECT pg_backend_pid()")
            .await?
            .into_iter()
            .flatten()
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        self.pid.store(pid, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    async fn blockers(&self) -> Vec<Blocker> {
        let pid = self.pid.load(std::sync::atomic::Ordering::Relaxed);
        if pid == 0 {
            return Vec::new();
        }
        let rows = query_rows(
            &self.client,
            &format!(
                "SELECT a.pid::text, coalesce(a.application_name, ''), coalesce(a.usename::text, ''), coalesce(a.state, ''), left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 80) \
                 FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids({pid})) ORDER BY a.pid"
            ),
        )
        .await
        .unwrap_or_default();
        rows.into_iter()
            .filter_map(|r| {
                Some(Blocker {
                    pid: r[0].as_deref()?.parse().ok()?,
                    application_name: r[1].clone().unwrap_or_default(),
                    user: r[2].clone().unwrap_or_default(),
                    state: r[3].clone().unwrap_or_default(),
                    query: r[4].clone().unwrap_or_default(),
                })
            })
            .collect()
    }
}

/// Run `fut` (a migration's statements) while the watch, if any, samples what blocks it; the
/// last sessions seen blocking it come back with the result.
async fn watched<F>(
    watch: Option<&Watch>,
    fut: F,
) -> (Result<(), tokio_postgres::Error>, Vec<Blocker>)
where
    F: std::future::Future<Output = Result<(), tokio_postgres::Error>>,
{
    let Some(w) = watch else {
        return (fut.await, Vec::new());
    };
    let mut fut = std::pin::pin!(fut);
    let mut last = Vec::new();
    loop {
        tokio::select! {
            r = &mut fut => return (r, last),
            () = tokio::time::sleep(WATCH_EVERY) => {
                let now = w.blockers().await;
                if !now.is_empty() {
                    last = now;
                }
            }
        }
    }
}

async fn exec(client: &Client, sql: &str) -> Result<(), RunError> {
    client.batch_execute(sql).await.map_err(|e| {
        if lock::is_lock_lost(&e) {
            RunError::LockLost
        } else {
            bookkeeping_error(&e)
        }
    })
}

/// An error of retort's own bookkeeping SQL: a missing privilege says so (exit 6), anything
/// else is a query error.
fn bookkeeping_error(e: &tokio_postgres::Error) -> RunError {
    match e.as_db_error() {
        Some(db) if db.code().code() == "42501" => RunError::Access {
            detail: db.message().to_string(),
        },
        _ => RunError::Db(query_error(e, None)),
    }
}

async fn query_rows(client: &Client, sql: &str) -> Result<Vec<Vec<Option<String>>>, RunError> {
    let msgs = client
        .simple_query(sql)
        .await
        .map_err(|e| bookkeeping_error(&e))?;
    Ok(msgs
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
            }
            _ => None,
        })
        .collect())
}

async fn query_col(client: &Client, sql: &str) -> Result<Vec<Option<String>>, RunError> {
    Ok(query_rows(client, sql)
        .await?
        .into_iter()
        .map(|mut r| if r.is_empty() { None } else { r.swap_remove(0) })
        .collect())
}
