//! `retort lint --trace`: each revision run for real on a scratch database at its parent's
//! state, inside a transaction that is rolled back, observing after every statement the locks
//! the session holds (`pg_locks`) and which relations got a new file (`relfilenode`: a
//! rewrite). Observed, not guessed. A statement that cannot run in a transaction (CONCURRENTLY)
//! is not run; the trace says it needs a `transactional: false` revision.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde::Serialize;
use tokio_postgres::Client;

use crate::autogen::{ReplayError, Scratch};
use crate::graph::RevIdx;
use crate::project::Project;

/// A lock a statement took (not held before it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LockTaken {
    /// `AccessExclusiveLock`, `ShareLock`, ...
    pub mode: String,
    /// The relation (`public.t`).
    pub object: String,
    /// Milliseconds from the end of the statement that took it to the end of the revision's
    /// transaction (how long others would wait behind it, at this data size).
    pub held_ms: f64,
}

/// What one statement did.
#[derive(Debug, Clone, Serialize)]
pub struct StatementTrace {
    /// Line in the revision file.
    pub line: usize,
    /// The statement's first line.
    pub sql: String,
    pub locks: Vec<LockTaken>,
    /// Relations whose file was replaced (rewritten).
    pub rewrites: Vec<String>,
    pub ms: f64,
    /// Why it was not run, if it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_run: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionTrace {
    pub revision: String,
    pub statements: Vec<StatementTrace>,
}

/// Relations of the database outside the system schemas, by oid: (name, relfilenode).
const RELATIONS: &str = "SELECT c.oid::text, n.nspname || '.' || c.relname, c.relfilenode::text \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' \
     AND c.relkind IN ('r', 'i', 'm', 'p', 'I')";

/// Relation locks this session holds outside the system schemas.
const LOCKS: &str = "SELECT l.mode, n.nspname || '.' || c.relname FROM pg_locks l \
     JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE l.pid = pg_backend_pid() AND l.granted AND l.locktype = 'relation' \
     AND n.nspname NOT IN ('pg_catalog', 'information_schema')";

/// Trace `rev`: a scratch database on `scratch`'s server, the project upgraded to the
/// revision's parents, then its up section statement by statement in a rolled-back transaction.
pub async fn trace_revision(
    scratch: &Scratch,
    project: Project,
    rev: RevIdx,
) -> Result<RevisionTrace, ReplayError> {
    let file = project.graph.rev(rev).file.clone();
    let parents: Vec<String> = project
        .graph
        .rev(rev)
        .down
        .iter()
        .map(|&p| project.graph.id(p).to_string())
        .collect();
    let migrator = crate::runner::Migrator::new(project, crate::runner::RunOptions::default());
    let db = scratch.create().await?;
    let result = async {
        for p in &parents {
            migrator.upgrade(&db.url, p, &crate::runner::Quiet).await?;
        }
        let client = crate::db::Endpoint::parse(&db.url)?
            .connect("retort lint --trace")
            .await?;
        let statements = run_traced(&client, &file.up_sql, file.up_line).await?;
        Ok::<_, ReplayError>(RevisionTrace {
            revision: file.id.clone(),
            statements,
        })
    }
    .await;
    scratch.remove(db).await;
    result
}

async fn rows(client: &Client, sql: &str) -> Result<Vec<Vec<String>>, ReplayError> {
    let msgs = client
        .simple_query(sql)
        .await
        .map_err(|e| scratch_failed(&e))?;
    Ok(msgs
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or_default().to_string())
                    .collect(),
            ),
            _ => None,
        })
        .collect())
}

fn scratch_failed(e: &tokio_postgres::Error) -> ReplayError {
    ReplayError::Autogen(crate::autogen::AutogenError::Scratch {
        server: "the scratch database".into(),
        message: crate::db::query_error(e, None).to_string(),
    })
}

/// The statements of `sql` in one transaction, observed, then rolled back.
async fn run_traced(
    client: &Client,
    sql: &str,
    first_line: usize,
) -> Result<Vec<StatementTrace>, ReplayError> {
    let stmts = crate::sql::split_statements(sql).map_err(|e| {
        ReplayError::Autogen(crate::autogen::AutogenError::Scratch {
            server: "the scratch database".into(),
            message: e.to_string(),
        })
    })?;
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| scratch_failed(&e))?;
    let mut held: BTreeSet<(String, String)> = lock_set(client).await?;
    let mut out = Vec::new();
    let mut ends = Vec::new();
    for s in &stmts {
        let line = first_line + s.line - 1;
        let first = s
            .text
            .lines()
            .find(|l| !l.trim_start().starts_with("--"))
            .unwrap_or("");
        let mut t = StatementTrace {
            line,
            sql: first.trim().to_string(),
            locks: Vec::new(),
            rewrites: Vec::new(),
            ms: 0.0,
            not_run: None,
        };
        if needs_autocommit(s.text) {
            t.not_run = Some("cannot run inside a transaction: needs a revision marked `-- transactional: false` (it takes no lock inside this one)".into());
            out.push(t);
            ends.push(Instant::now());
            continue;
        }
        let before = files(client).await?;
        let start = Instant::now();
        client
            .batch_execute(s.text)
            .await
            .map_err(|e| scratch_failed(&e))?;
        t.ms = start.elapsed().as_secs_f64() * 1000.0;
        ends.push(Instant::now());
        let after = files(client).await?;
        t.rewrites = before
            .iter()
            .filter(|(oid, (_, node))| after.get(*oid).is_some_and(|(_, n)| n != node))
            .map(|(_, (name, _))| name.clone())
            .collect();
        let now = lock_set(client).await?;
        t.locks = now
            .difference(&held)
            .map(|(mode, object)| LockTaken {
                mode: mode.clone(),
                object: object.clone(),
                held_ms: 0.0,
            })
            .collect();
        held = now;
        out.push(t);
    }
    let end = Instant::now();
    client
        .batch_execute("ROLLBACK")
        .await
        .map_err(|e| scratch_failed(&e))?;
    for (t, took) in out.iter_mut().zip(ends) {
        for l in &mut t.locks {
            l.held_ms = (end - took).as_secs_f64() * 1000.0;
        }
    }
    Ok(out)
}

/// CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM, CREATE DATABASE...
fn needs_autocommit(text: &str) -> bool {
    use crate::lint::Stmt;
    let upper = text.to_ascii_uppercase();
    matches!(
        crate::lint::parse(text),
        Stmt::CreateIndex {
            concurrently: true,
            ..
        } | Stmt::DropIndex {
            concurrently: true,
            ..
        } | Stmt::Reindex { concurrently: true }
    ) || upper.trim_start().starts_with("VACUUM")
        || upper.contains("DETACH PARTITION") && upper.contains("CONCURRENTLY")
}

async fn lock_set(client: &Client) -> Result<BTreeSet<(String, String)>, ReplayError> {
    Ok(rows(client, LOCKS)
        .await?
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect())
}

async fn files(client: &Client) -> Result<BTreeMap<String, (String, String)>, ReplayError> {
    Ok(rows(client, RELATIONS)
        .await?
        .into_iter()
        .map(|r| (r[0].clone(), (r[1].clone(), r[2].clone())))
        .collect())
}
