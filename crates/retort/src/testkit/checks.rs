//! The checks of the kit and their error.

use crate::autogen::AutogenError;
use crate::db::DbError;
use crate::diff::{DiffError, DiffOptions};
use crate::introspect::IntrospectOptions;
use crate::runner::{Migrator, Quiet, RunError};
use crate::schema::Schema;

use super::snapshot::{snapshot_at, Snapshot};

/// Why a check failed: what differs, or which step could not run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum KitError {
    #[error("the migrations have {} heads ({}); merge them (`retort merge heads -m ...`)", heads.len(), heads.join(", "))]
    Heads { heads: Vec<String> },

    #[error("{step}: {source}")]
    Run {
        /// `upgrade 3a9f1c2e7b64`, `downgrade of b7e2 to 3a9f`...
        step: String,
        #[source]
        source: RunError,
    },

    #[error("revision {revision} changed nothing in the schema")]
    NoChange { revision: String },

    #[error("{step}: the schema differs (- expected, + actual):\n{diff}")]
    SchemaDiffers {
        /// `after downgrading b7e24d90c1a5 to 3a9f1c2e7b64`...
        step: String,
        /// The snapshot lines only expected (`- `) and only found (`+ `).
        diff: String,
    },

    #[error("after downgrade base, version rows are left: {}", rows.join(", "))]
    VersionRowsLeft { rows: Vec<String> },

    #[error("the database migrated to head differs from the models: {} operation{} would make it equal:\n{details}", count, if *count == 1 { "" } else { "s" })]
    #[diagnostic(help(
        "change the models or write a revision (`retort revision --autogenerate -m ...`) so that they agree"
    ))]
    ModelDrift {
        count: usize,
        /// Each operation: `- <summary>` and its SQL, indented.
        details: String,
        /// The operations' summaries (`add column public.t.v`...).
        summaries: Vec<String>,
    },

    #[error("snapshot query failed: {message}\n{query}")]
    Snapshot {
        query: &'static str,
        message: String,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Db(#[from] DbError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Autogen(#[from] AutogenError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Diff(#[from] DiffError),
}

fn run_step(step: String) -> impl FnOnce(RunError) -> KitError {
    move |source| KitError::Run { step, source }
}

fn same(step: String, expected: &Snapshot, actual: &Snapshot) -> Result<(), KitError> {
    if expected == actual {
        return Ok(());
    }
    Err(KitError::SchemaDiffers {
        step,
        diff: expected.diff(actual),
    })
}

/// The graph has exactly one head; returns it.
pub fn single_head(migrator: &Migrator) -> Result<String, KitError> {
    let g = migrator.graph();
    let mut heads = g.ids(g.heads());
    if heads.len() == 1 {
        return Ok(heads.remove(0));
    }
    Err(KitError::Heads { heads })
}

/// The revisions from base to head, in the order an upgrade applies them.
pub fn revisions_in_order(migrator: &Migrator) -> Vec<String> {
    let g = migrator.graph();
    let all: Vec<usize> = (0..g.len()).collect();
    let mut order = g.newest_first(&all);
    order.reverse();
    order.into_iter().map(|i| g.id(i).to_string()).collect()
}

/// From an empty database at `url`, for each revision R in order (its predecessor P, or base):
/// upgrade to R (schema S_R, which must differ from S_P), downgrade to P (the schema must equal
/// S_P), upgrade to R again (it must equal S_R). Ends at head. Returns the schema before the
/// first revision and at head (for [`downgrade_to_base_restores`]).
///
/// A revision whose down section forgets something fails the downgrade step, with the lines it
/// left (`+`) or did not restore (`-`).
pub async fn up_down_up_each_revision(
    migrator: &Migrator,
    url: &str,
) -> Result<(Snapshot, Snapshot), KitError> {
    up_down_up_each_revision_but(migrator, url, &[]).await
}

/// [`up_down_up_each_revision`], where the revisions `may_do_nothing` may leave this server's
/// schema as it was (one that acts only on some servers, such as a Citus-only revision on plain
/// PostgreSQL); each is still run up, down and up, and compared.
pub async fn up_down_up_each_revision_but(
    migrator: &Migrator,
    url: &str,
    may_do_nothing: &[&str],
) -> Result<(Snapshot, Snapshot), KitError> {
    let empty = snapshot_at(migrator, url).await?;
    let mut previous = "base".to_string();
    let mut before = empty.clone();
    for rev in revisions_in_order(migrator) {
        migrator
            .upgrade(url, &rev, &Quiet)
            .await
            .map_err(run_step(format!("upgrade to {rev}")))?;
        let after = snapshot_at(migrator, url).await?;
        if after == before && !may_do_nothing.contains(&rev.as_str()) {
            return Err(KitError::NoChange { revision: rev });
        }
        migrator
            .downgrade(url, &previous, &Quiet)
            .await
            .map_err(run_step(format!("downgrade of {rev} to {previous}")))?;
        same(
            format!("after downgrading {rev} to {previous}"),
            &before,
            &snapshot_at(migrator, url).await?,
        )?;
        migrator
            .upgrade(url, &rev, &Quiet)
            .await
            .map_err(run_step(format!("upgrade to {rev} again")))?;
        same(
            format!("after upgrading to {rev} a second time"),
            &after,
            &snapshot_at(migrator, url).await?,
        )?;
        before = after;
        previous = rev;
    }
    Ok((empty, before))
}

/// From wherever the database at `url` is, upgrade to head, then `downgrade base`: the schema
/// must be `expected` (the database's before it was ever migrated, as
/// [`up_down_up_each_revision`] returns it) and no version row may be left.
pub async fn downgrade_to_base_restores(
    migrator: &Migrator,
    url: &str,
    expected: &Snapshot,
) -> Result<(), KitError> {
    migrator
        .upgrade(url, "heads", &Quiet)
        .await
        .map_err(run_step("upgrade heads".into()))?;
    migrator
        .downgrade(url, "base", &Quiet)
        .await
        .map_err(run_step("downgrade base".into()))?;
    same(
        "after downgrade base".into(),
        expected,
        &snapshot_at(migrator, url).await?,
    )?;
    let rows = migrator
        .current(url)
        .await
        .map_err(run_step("current".into()))?;
    if rows.is_empty() {
        Ok(())
    } else {
        Err(KitError::VersionRowsLeft { rows })
    }
}

/// How [`model_matches_head`] reads and compares.
#[derive(Debug, Clone, Default)]
pub struct ModelCheck {
    /// Which PostgreSQL schemas to read (default: every non-system schema).
    pub introspect: IntrospectOptions,
    /// How to diff (renames are never guessed, so a renamed column shows as drop + add).
    pub diff: DiffOptions,
    /// Applied to the database's schema before comparing, to leave out what the models do not
    /// describe on purpose (as Alembic's `include_object`): an extension's own objects made at
    /// run time, such as TimescaleDB's chunks. `None`: compare everything.
    pub ignore: Option<fn(Schema) -> Schema>,
}

/// `retort check` as a test: upgrade the database at `url` to head, introspect it (retort's
/// version tables left out, then [`ModelCheck::ignore`]) and diff it against `models`: there
/// must be no operation. On a difference the error lists each operation, with its SQL, that
/// would turn the database into the models (`add column public.documents.summary` when the
/// models have a column no revision adds).
pub async fn model_matches_head(
    migrator: &Migrator,
    url: &str,
    models: &Schema,
    check: &ModelCheck,
) -> Result<(), KitError> {
    migrator
        .upgrade(url, "heads", &Quiet)
        .await
        .map_err(run_step("upgrade heads".into()))?;
    let mut database =
        crate::autogen::read_database(url, &check.introspect, migrator.tables()).await?;
    if let Some(ignore) = check.ignore {
        database = ignore(database);
    }
    let diff = crate::diff::diff(&database, models, &check.diff)?;
    if diff.is_empty() {
        return Ok(());
    }
    let mut details = String::new();
    for op in &diff.operations {
        details.push_str(&format!("- {}\n", op.summary));
        for line in op.sql.lines() {
            details.push_str(&format!("    {line}\n"));
        }
    }
    Err(KitError::ModelDrift {
        count: diff.operations.len(),
        summaries: diff.operations.iter().map(|o| o.summary.clone()).collect(),
        details,
    })
}
