//! Applying one step: a transactional revision in one round trip (or statement by statement
//! with `per_statement`) with its version-row change and log row, a non-transactional one logged
//! `started` first and finished after its last statement; a failed statement as the user sees
//! it.

use std::time::Instant;

use super::events::{emit, step_finished, step_started};
use super::preflight::{CheckedPlan, CheckedStep};
use super::query::{batch_counting, exec};
use super::run::RunCtx;
use super::watch::watched;
use super::{
    error, lock, tables, AppliedStep, Blocker, Event, FailedStatement, MigrationFailed, Migrator,
    RunError, RunReport,
};
use crate::db::query_error;
use crate::plan::{Direction, Step};
use crate::script::RevisionFile;
use crate::sql::{split_statements, Statement};

/// What is rolled back when a transactional revision fails.
const ROLLED_BACK: &str = "the revision was rolled back; revisions before it stay applied";

/// The revision file of a step, its direction, that direction's SQL and its statements (split
/// once, by [`Migrator::preflight`]).
pub(super) struct StepSql<'a> {
    pub f: &'a RevisionFile,
    pub direction: Direction,
    pub sql: &'a str,
    pub statements: Vec<Statement<'a>>,
}

/// Where a failed statement was sent: its byte offset in the step's SQL, the characters sent
/// before it in the same query string (PostgreSQL's positions count from the string's start),
/// and whether that statement is known even without a position from PostgreSQL.
#[derive(Clone, Copy)]
struct SentAt {
    offset: usize,
    prefix: usize,
    known: bool,
}

impl SentAt {
    /// A statement sent on its own.
    fn alone(offset: usize) -> Self {
        Self {
            offset,
            prefix: 0,
            known: true,
        }
    }

    /// The step's SQL sent after `prefix` characters of retort's own, whose first `before`
    /// statements were retort's: the failed statement is the one after the `completed` the
    /// server reported done, when that is one of the step's.
    fn counted(s: &StepSql<'_>, prefix: usize, before: usize, completed: usize) -> Self {
        let (sql, statements) = (s.sql, &s.statements);
        match completed
            .checked_sub(before)
            .and_then(|k| statements.get(k))
        {
            Some(st) => Self {
                offset: st.offset,
                prefix: prefix + sql[..st.offset].chars().count(),
                known: true,
            },
            None => Self {
                offset: 0,
                prefix,
                known: false,
            },
        }
    }
}

/// How many statements `sql` (retort's own) holds.
fn statement_count(sql: &str) -> usize {
    split_statements(sql).map_or(0, |s| s.len())
}

impl Migrator {
    /// Apply `checked` (the `index`th step of `total`); `xact_open`: transaction mode, where
    /// the step's transaction is already open (and locked).
    pub(super) async fn apply_step(
        &self,
        run: &RunCtx<'_>,
        checked: &CheckedStep<'_>,
        index: usize,
        total: usize,
        xact_open: bool,
    ) -> Result<AppliedStep, RunError> {
        let (step, s) = (&checked.step, &checked.sql);
        let (f, sql) = (s.f, s.sql);
        step_started(run.obs, index, total, f, step.direction);
        let started = Instant::now();
        if f.transactional && (self.options.per_statement || run.citus) {
            self.apply_per_statement(run, step, s, xact_open).await?;
        } else if f.transactional {
            self.apply_in_one_batch(run, step, s, xact_open).await?;
            emit(
                run.obs,
                Event::Statement {
                    revision: f.id.clone(),
                    sql: sql.trim().to_string(),
                    duration: started.elapsed(),
                },
            );
        } else {
            self.apply_non_transactional(run, step, s, xact_open)
                .await?;
        }
        Ok(step_finished(
            run.obs,
            index,
            total,
            f,
            step.direction,
            started.elapsed(),
        ))
    }

    /// A transactional revision one statement at a time inside its transaction, each timed.
    async fn apply_per_statement(
        &self,
        run: &RunCtx<'_>,
        step: &Step,
        s: &StepSql<'_>,
        xact_open: bool,
    ) -> Result<(), RunError> {
        let client = run.client;
        if !xact_open {
            exec(client, &format!("BEGIN;\n{}", run.guard)).await?;
        }
        self.send_each(run, s, "ROLLBACK", ROLLED_BACK).await?;
        let bookkeeping = self.bookkeeping(step, s.f);
        if let Err(e) = client.batch_execute(&format!("{bookkeeping}COMMIT;")).await {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(RunError::Db(query_error(&e, None)));
        }
        Ok(())
    }

    /// A transactional revision, its version-row change and log row in one round trip.
    async fn apply_in_one_batch(
        &self,
        run: &RunCtx<'_>,
        step: &Step,
        s: &StepSql<'_>,
        xact_open: bool,
    ) -> Result<(), RunError> {
        let (sql, bookkeeping) = (s.sql, self.bookkeeping(step, s.f));
        let (batch, prefix, before) = if xact_open {
            (format!("{sql}\n;\n{bookkeeping}COMMIT;"), 0, 0)
        } else {
            (
                format!("BEGIN;\n{}{sql}\n;\n{bookkeeping}COMMIT;", run.guard),
                7 + run.guard.chars().count(),
                1 + statement_count(&run.guard),
            )
        };
        let completed = std::sync::atomic::AtomicUsize::new(0);
        let sent = batch_counting(run.client, &batch, &completed);
        if let (Err(e), blockers) = watched(run.watch, sent).await {
            let _ = run.client.batch_execute("ROLLBACK").await;
            let at = SentAt::counted(
                s,
                prefix,
                before,
                completed.load(std::sync::atomic::Ordering::Relaxed),
            );
            return Err(self.failed(s, at, &e, ROLLED_BACK, blockers));
        }
        Ok(())
    }

    /// A non-transactional revision: logged `started` (committed) before its first statement,
    /// its statements one by one, then its version-row change and `applied` in one transaction.
    async fn apply_non_transactional(
        &self,
        run: &RunCtx<'_>,
        step: &Step,
        s: &StepSql<'_>,
        xact_open: bool,
    ) -> Result<(), RunError> {
        let (client, f) = (run.client, s.f);
        let started_sql =
            self.tables
                .started_sql(&f.id, s.direction, &f.checksum, &self.log_message(f));
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
                &format!("BEGIN;\n{}{started_sql}COMMIT;", run.guard),
            )
            .await?;
        }
        let mark_failed = format!(
            "UPDATE {} SET status = 'failed' WHERE revision = {} AND status = 'started'",
            self.tables.history_ident(),
            crate::sql::quote_literal(&f.id)
        );
        let note = format!("revision {} is non-transactional: the statements before this one stay applied; fix the cause, then `retort resolve {} --applied` or `--rolled-back`", f.id, f.id);
        self.send_each(run, s, &mark_failed, &note).await?;
        let mut finish = format!("BEGIN;\n{}", run.guard);
        finish.push_str(&self.tables.finish_sql(&f.id, "applied"));
        for c in &step.version_changes {
            finish.push_str(&self.tables.change_sql(c));
        }
        finish.push_str("COMMIT;");
        exec(client, &finish).await
    }

    /// Send the step's statements one at a time, each timed ([`Event::Statement`]). On a failure,
    /// run `cleanup` (its own failure ignored) and return the failure, `note` saying what stays.
    async fn send_each(
        &self,
        run: &RunCtx<'_>,
        s: &StepSql<'_>,
        cleanup: &str,
        note: &str,
    ) -> Result<(), RunError> {
        for statement in &s.statements {
            let t = Instant::now();
            let sent = run.client.batch_execute(statement.text);
            if let (Err(e), blockers) = watched(run.watch, sent).await {
                let _ = run.client.batch_execute(cleanup).await;
                let at = SentAt::alone(statement.offset);
                return Err(self.failed(s, at, &e, note, blockers));
            }
            emit(
                run.obs,
                Event::Statement {
                    revision: s.f.id.clone(),
                    sql: statement.text.to_string(),
                    duration: t.elapsed(),
                },
            );
        }
        Ok(())
    }

    /// `--single-transaction`: every step of `plan` in one transaction (already open and locked
    /// when `xact_open`).
    pub(super) async fn run_single_transaction(
        &self,
        run: &RunCtx<'_>,
        plan: &CheckedPlan<'_>,
        report: &mut RunReport,
        xact_open: bool,
    ) -> Result<(), RunError> {
        let client = run.client;
        if !xact_open {
            exec(client, &format!("BEGIN;\n{}", run.guard)).await?;
        }
        let total = plan.steps.len();
        for (index, CheckedStep { step, sql: s }) in plan.steps.iter().enumerate() {
            let (f, sql) = (s.f, s.sql);
            step_started(run.obs, index, total, f, step.direction);
            let started = Instant::now();
            let batch = format!("{sql}\n;\n{}", self.bookkeeping(step, f));
            let completed = std::sync::atomic::AtomicUsize::new(0);
            let sent = batch_counting(client, &batch, &completed);
            if let (Err(e), blockers) = watched(run.watch, sent).await {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(self.failed(
                    s,
                    SentAt::counted(
                        s,
                        0,
                        0,
                        completed.load(std::sync::atomic::Ordering::Relaxed),
                    ),
                    &e,
                    "--single-transaction: the whole run was rolled back; nothing was applied",
                    blockers,
                ));
            }
            report.steps.push(step_finished(
                run.obs,
                index,
                total,
                f,
                step.direction,
                started.elapsed(),
            ));
        }
        exec(client, "COMMIT").await
    }

    pub(super) fn log_message(&self, f: &RevisionFile) -> String {
        match &self.options.tag {
            Some(t) => format!("{} [tag: {t}]", f.message),
            None => f.message.clone(),
        }
    }

    /// Applied-log row and version-row changes of a transactional step.
    pub(super) fn bookkeeping(&self, step: &Step, f: &RevisionFile) -> String {
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

    /// A failed statement as the user sees it, sent as `at` says.
    fn failed(
        &self,
        s: &StepSql<'_>,
        at: SentAt,
        e: &tokio_postgres::Error,
        note: &str,
        blockers: Vec<Blocker>,
    ) -> RunError {
        if lock::is_lock_lost(e) {
            return RunError::LockLost;
        }
        let (f, sql) = (s.f, s.sql);
        let SentAt {
            offset: stmt_offset,
            prefix,
            known,
        } = at;
        let text = match f.embedded_text {
            Some(t) => t.to_string(),
            None => std::fs::read_to_string(&f.path).unwrap_or_default(),
        };
        let (_, line) = section(f, s.direction);
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
        let at = FailedStatement {
            revision: &f.id,
            path: &f.path,
            file_text: &text,
            sql: stmt_sql,
            sql_offset_in_file: section_start + stmt_offset,
            prefix_chars: prefix,
            statement_alone: known,
        };
        let failed = MigrationFailed::new(&at, e, note);
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
}

pub(super) fn section(f: &RevisionFile, d: Direction) -> (&str, usize) {
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
