//! The run loop of `upgrade` and `downgrade`: connect, take the lock, read and check the
//! version rows, plan, then apply the steps one by one (in transaction mode re-reading the
//! version rows under the lock before each, and planning again if they moved) or all in one
//! transaction (`--single-transaction`).

use std::collections::{BTreeSet, VecDeque};
use std::sync::Mutex;

use tokio_postgres::Client;

use super::events::{emit, forward_notices};
use super::preflight::CheckedPlan;
use super::query::exec;
use super::watch::Watch;
use super::{lock, Event, LockMode, Migrator, Observer, RunError, RunReport};
use crate::db::{Endpoint, Notices};
use crate::plan::{self, Plan};

/// What a run is asked to do.
pub(super) enum Work {
    Upgrade(String),
    Downgrade(String),
}

/// One run's connection and what its steps need besides the migrator.
pub(super) struct RunCtx<'a> {
    /// The migrating connection.
    pub client: &'a Client,
    pub obs: &'a dyn Observer,
    /// The server's notices on `client`, passed on after each step.
    pub notices: &'a Mutex<Notices>,
    /// The blocker watch, when a server timeout is set.
    pub watch: Option<&'a Watch>,
    /// Session mode: SQL that fails (SQLSTATE `RT001`) unless the session running it is the
    /// one that took the migration lock and still holds it (`SessionLock::guard`); first in
    /// each transaction.
    pub guard: String,
    /// A Citus node: transactional revisions are sent one statement at a time
    /// (`query::is_citus`).
    pub citus: bool,
}

impl Migrator {
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

    pub(super) fn plan_for(&self, work: &Work, heads: &[String]) -> Result<Plan, RunError> {
        Ok(match work {
            Work::Upgrade(t) => plan::upgrade(self.graph(), heads, t)?,
            Work::Downgrade(t) => plan::downgrade(self.graph(), heads, t)?,
        })
    }

    async fn run(&self, url: &str, work: Work, obs: &dyn Observer) -> Result<RunReport, RunError> {
        let target = Endpoint::parse(url)?;
        let (client, notices) = target
            .connect_with_notices(&self.options.application_name)
            .await?;
        let notices = Mutex::new(notices);
        let citus = super::query::is_citus(&client).await?;
        let key = self.tables.lock_key();
        let (session_lock, guard) = match self.options.lock_mode {
            LockMode::Session => {
                let lock = lock::SessionLock::acquire(&client, &self.options, key, obs).await?;
                let guard = lock.guard();
                (Some(lock), guard)
            }
            LockMode::Transaction => (None, String::new()),
        };
        let run = RunCtx {
            client: &client,
            obs,
            notices: &notices,
            watch: None,
            guard,
            citus,
        };
        let result = self.run_with_timeouts(&target, run, &work).await;
        if let Some(l) = session_lock {
            l.release(&client).await;
        }
        result
    }

    /// `SET [LOCAL] lock_timeout = ...; SET [LOCAL] statement_timeout = ...;` for the configured
    /// server timeouts (empty when none is set).
    pub(super) fn timeouts_sql(&self, local: bool) -> String {
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
        target: &Endpoint,
        run: RunCtx<'_>,
        work: &Work,
    ) -> Result<RunReport, RunError> {
        let set = self.timeouts_sql(false);
        if set.is_empty() {
            return self.run_locked(&run, work).await;
        }
        if self.options.lock_mode == LockMode::Session {
            exec(run.client, &set).await?;
        }
        let watch = Watch::connect(target, &self.options.application_name).await?;
        if self.options.lock_mode == LockMode::Session {
            watch.set_pid(run.client).await?;
        }
        let run = RunCtx {
            watch: Some(&watch),
            ..run
        };
        self.run_locked(&run, work).await
    }

    async fn run_locked(&self, run: &RunCtx<'_>, work: &Work) -> Result<RunReport, RunError> {
        let (heads, plan) = self.prepare(run, work).await?;
        let mut report = RunReport {
            heads_before: heads,
            ..RunReport::default()
        };
        if self.options.single_transaction {
            self.run_all_at_once(run, work, plan, &mut report).await?;
        } else {
            self.run_step_by_step(run, work, plan, &mut report).await?;
        }
        report.heads_after = self.read_heads(run.client).await?;
        Ok(report)
    }

    /// The version rows, checked, and the plan; then retort's tables and the state checks
    /// (unfinished revisions, changed files). Everything that can refuse without the tables runs
    /// first, so that a refused run leaves the database exactly as it was.
    async fn prepare(
        &self,
        run: &RunCtx<'_>,
        work: &Work,
    ) -> Result<(Vec<String>, CheckedPlan<'_>), RunError> {
        let client = run.client;
        let create = match self.options.lock_mode {
            LockMode::Session => {
                format!("BEGIN;\n{}{}COMMIT;", run.guard, self.tables.create_sql())
            }
            LockMode::Transaction => format!("{}COMMIT;", self.tables.create_sql()),
        };
        self.check_version_table(client).await?;
        let heads = self.read_heads(client).await?;
        self.check_known(&heads)?;
        let plan = self.preflight(self.plan_for(work, &heads)?)?;
        if self.options.lock_mode == LockMode::Transaction {
            lock::begin_locked(client, &self.options, self.tables.lock_key(), run.obs).await?;
        }
        self.create_tables(client, &create).await?;
        // "relation already exists, skipping" and the like are retort's own business.
        forward_notices(run.notices, None, &|_| {});
        self.check_state(client, &heads).await?;
        emit(
            run.obs,
            Event::PlanReady {
                steps: plan.steps.len(),
            },
        );
        Ok((heads, plan))
    }

    /// `--single-transaction`: the whole plan in one transaction. In transaction mode the lock
    /// is taken in it, and the plan made again if the version rows moved since they were read
    /// without it.
    async fn run_all_at_once(
        &self,
        run: &RunCtx<'_>,
        work: &Work,
        mut plan: CheckedPlan<'_>,
        report: &mut RunReport,
    ) -> Result<(), RunError> {
        let xact = self.options.lock_mode == LockMode::Transaction;
        if xact {
            let client = run.client;
            lock::begin_locked(client, &self.options, self.tables.lock_key(), run.obs).await?;
            let replanned = match self.read_heads_locked(run).await {
                Ok(now) if now.iter().cloned().collect::<BTreeSet<_>>() != plan.heads_before => {
                    report.heads_before.clone_from(&now);
                    self.plan_for(work, &now)
                        .and_then(|p| self.preflight(p))
                        .map(Some)
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
        let r = self.run_single_transaction(run, &plan, report, xact).await;
        forward_notices(run.notices, None, &|e| emit(run.obs, e));
        r
    }

    /// Each step in its own transaction (a non-transactional revision statement by statement),
    /// the server's notices passed on after each.
    async fn run_step_by_step(
        &self,
        run: &RunCtx<'_>,
        work: &Work,
        plan: CheckedPlan<'_>,
        report: &mut RunReport,
    ) -> Result<(), RunError> {
        let xact = self.options.lock_mode == LockMode::Transaction;
        let mut index = 0;
        let mut expected: BTreeSet<String> = plan.heads_before;
        // A queue: taking the first of a Vec would move every step after it, each time.
        let mut pending = VecDeque::from(plan.steps);
        while let Some(step) = pending.pop_front() {
            if xact {
                if let Some(replanned) = self.replan_if_moved(run, work, &expected).await? {
                    expected = replanned.heads_before;
                    pending = VecDeque::from(replanned.steps);
                    continue;
                }
            }
            let total = index + 1 + pending.len();
            let applied = self.apply_step(run, &step, index, total, xact).await;
            let revision = step.sql.f.id.clone();
            forward_notices(run.notices, Some(&revision), &|e| emit(run.obs, e));
            let applied = applied?;
            for c in &step.step.version_changes {
                plan::apply_change(&mut expected, c);
            }
            report.steps.push(applied);
            index += 1;
        }
        Ok(())
    }

    /// Transaction mode, before each step: another process may have moved the database since
    /// the plan was made. Take the lock in a new transaction and re-read the version rows; if
    /// they changed, roll back and return a new plan (`None`: go on, in that transaction).
    async fn replan_if_moved(
        &self,
        run: &RunCtx<'_>,
        work: &Work,
        expected: &BTreeSet<String>,
    ) -> Result<Option<CheckedPlan<'_>>, RunError> {
        let client = run.client;
        lock::begin_locked(client, &self.options, self.tables.lock_key(), run.obs).await?;
        let now = match self.read_heads_locked(run).await {
            Ok(h) => h,
            Err(e) => {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(e);
            }
        };
        let now_set: BTreeSet<String> = now.iter().cloned().collect();
        if now_set == *expected {
            return Ok(None);
        }
        let _ = client.batch_execute("ROLLBACK").await;
        self.check_state(client, &now).await?;
        let plan = self.plan_for(work, &now)?;
        Ok(Some(self.preflight(plan)?))
    }
}
