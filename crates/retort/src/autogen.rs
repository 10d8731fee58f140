//! Where the two schemas of a diff come from: a live database, SQL files loaded into a scratch
//! database, or the script directory replayed into one. The diff itself is pure
//! ([`crate::diff`]); this module is what reads the sides.
//!
//! Invariant: a scratch database is made on the scratch server under a fresh name and dropped
//! afterwards, also when loading fails; retort's own version and log tables are never part of a
//! side.

use std::path::{Path, PathBuf};

mod cache;

pub use cache::{
    KeyInputs, ModelCache, ModelKey, MAX_ENTRIES as MODEL_CACHE_MAX_ENTRIES,
    MODEL_CACHE_RELATIVE_PATH,
};

use crate::db::{DbError, Endpoint};
use crate::introspect::{
    introspect, introspect_parallel, introspect_reusing, IntrospectError, IntrospectOptions,
};
use crate::runner::VersionTables;
use crate::schema::Schema;

/// One side of a diff, as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// A database URL.
    Database(String),
    /// SQL files, loaded in order into a scratch database.
    SqlFiles(Vec<PathBuf>),
    /// The script directory's revisions up to a target (`None`: heads), replayed into a scratch
    /// database.
    Migrations(Option<String>),
    /// A schema model as JSON (`retort schema dump --format json`, or written by a program from
    /// its models): read as it is, no database needed.
    Model(PathBuf),
}

impl Side {
    /// `postgres://...` / `postgresql://...` / `host=... dbname=...`, `migrations[@REV]`, else a
    /// file or a glob of files.
    pub fn parse(text: &str) -> Result<Side, AutogenError> {
        if text.starts_with("postgres://")
            || text.starts_with("postgresql://")
            || (text.contains('=') && text.contains("dbname"))
        {
            return Ok(Side::Database(text.to_string()));
        }
        if text == "migrations" {
            return Ok(Side::Migrations(None));
        }
        if let Some(rev) = text.strip_prefix("migrations@") {
            return Ok(Side::Migrations(Some(rev.to_string())));
        }
        if text.ends_with(".json") {
            let path = expand_globs(&[text.to_string()], Path::new("."))?;
            return Ok(Side::Model(path.into_iter().next().unwrap_or_default()));
        }
        Ok(Side::SqlFiles(expand_globs(
            &[text.to_string()],
            Path::new("."),
        )?))
    }
}

/// Why a side could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum AutogenError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Db(#[from] DbError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Introspect(#[from] IntrospectError),

    #[error("{pattern}: no such file")]
    #[diagnostic(help(
        "give an SQL file, a glob such as schema/*.sql, a database URL, or migrations[@REV]"
    ))]
    NoFiles { pattern: String },

    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },

    #[error("{path}:{line}:{column}: {message}\n{snippet}")]
    #[diagnostic(help(
        "the schema files must load into an empty database; fix the statement and run again"
    ))]
    Load {
        path: String,
        line: usize,
        column: usize,
        message: String,
        /// The line with a caret under the position.
        snippet: String,
    },

    #[error("Target database is not up to date.")]
    #[diagnostic(help(
        "run `retort upgrade head` first (check and autogenerate compare the desired schema with a database at head), or use --from-migrations"
    ))]
    NotUpToDate,

    #[error("no desired schema to compare with")]
    #[diagnostic(help(
        "set [autogenerate] schema = [\"schema/*.sql\"] in retort.toml, or build a Schema in Rust and call retort::autogen from your program"
    ))]
    NoDesiredSchema,

    #[error("cannot make a scratch database on {server}: {message}")]
    #[diagnostic(help(
        "autogenerate loads the desired schema into a scratch database: set [autogenerate] dev_url to a server where retort may CREATE DATABASE, or leave it out to use the local dev cluster"
    ))]
    Scratch { server: String, message: String },
}

/// The files named by `patterns` (globs allowed, `*` and `?` in the file name), relative to
/// `root`, each pattern's matches sorted.
pub fn expand_globs(patterns: &[String], root: &Path) -> Result<Vec<PathBuf>, AutogenError> {
    let mut out = Vec::new();
    for pattern in patterns {
        let path = root.join(pattern);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if !name.contains(['*', '?']) {
            if !path.is_file() {
                return Err(AutogenError::NoFiles {
                    pattern: pattern.clone(),
                });
            }
            out.push(path);
            continue;
        }
        let dir = path.parent().unwrap_or(root);
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| AutogenError::Read {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?
            .filter_map(|e| e.ok())
            .filter(|e| wildcard(&name, &e.file_name().to_string_lossy()))
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        if found.is_empty() {
            return Err(AutogenError::NoFiles {
                pattern: pattern.clone(),
            });
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

fn wildcard(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

/// A schema model from a JSON file (retort's own tables left out).
pub fn read_model(path: &Path, tables: &VersionTables) -> Result<Schema, AutogenError> {
    let shown = crate::util::display_path(path);
    let text = std::fs::read_to_string(path).map_err(|e| AutogenError::Read {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let mut schema: Schema = serde_json::from_str(&text).map_err(|e| AutogenError::Load {
        path: shown,
        line: e.line(),
        column: e.column(),
        message: format!("not a schema model: {e}"),
        snippet: text
            .lines()
            .nth(e.line().saturating_sub(1))
            .map(|l| format!("  {l}"))
            .unwrap_or_default(),
    })?;
    strip_bookkeeping(&mut schema, tables);
    Ok(schema)
}

/// Leaves out retort's version and log tables (and the version table Alembic shares).
pub fn strip_bookkeeping(schema: &mut Schema, tables: &VersionTables) {
    let names = [tables.version.as_str(), tables.history.as_str()];
    schema.tables.retain(|name, _| {
        let bookkeeping = names.contains(&name.name.as_str())
            && tables.schema.as_ref().is_none_or(|s| *s == name.schema);
        !bookkeeping
    });
    schema.sequences.retain(|_, s| {
        s.owned_by.as_ref().is_none_or(|(t, _)| {
            !(names.contains(&t.name.as_str())
                && tables.schema.as_ref().is_none_or(|s| *s == t.schema))
        })
    });
}

/// Introspect the database at `url`, retort's tables left out.
pub async fn read_database(
    url: &str,
    options: &IntrospectOptions,
    tables: &VersionTables,
) -> Result<Schema, AutogenError> {
    read_database_cached(url, options, tables, None).await
}

/// [`read_database`], reusing the model `cache` holds for the database's catalog fingerprint
/// (see [`crate::introspect::introspect_reusing`]) and storing a model it had to read.
pub async fn read_database_cached(
    url: &str,
    options: &IntrospectOptions,
    tables: &VersionTables,
    cache: Option<&ModelCache>,
) -> Result<Schema, AutogenError> {
    let target = Endpoint::parse(url)?;
    let (first, second) = tokio::join!(
        target.connect("retort autogenerate"),
        target.connect("retort autogenerate")
    );
    let first = first?;
    let second = second.ok();
    let mut schema = match cache {
        None => match &second {
            Some(second) => introspect_parallel(&first, second, options).await?,
            None => introspect(&first, options).await?,
        },
        Some(cache) => {
            let key = |fingerprint: &str| {
                cache.key(&KeyInputs {
                    files: &[],
                    server: &format!("target database\n{fingerprint}"),
                    options,
                    tables,
                })
            };
            let read = introspect_reusing(&first, second.as_ref(), options, |fingerprint| {
                cache.load(&key(fingerprint))
            })
            .await?;
            if let (false, Some(fingerprint)) = (read.reused, &read.fingerprint) {
                cache.store(&key(fingerprint), &read.schema);
            }
            read.schema
        }
    };
    strip_bookkeeping(&mut schema, tables);
    Ok(schema)
}

/// `url` naming database `name` instead (URL or `key=value` form).
pub fn url_with_database(url: &str, name: &str) -> String {
    if let Some(rest) = url
        .strip_prefix("postgres://")
        .map(|r| ("postgres://", r))
        .or_else(|| {
            url.strip_prefix("postgresql://")
                .map(|r| ("postgresql://", r))
        })
    {
        let (scheme, rest) = rest;
        let (before_query, query) = match rest.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (rest, None),
        };
        // The authority ends at the first '/' after any '@'.
        let auth_end = match before_query.rfind('@') {
            Some(at) => before_query[at..].find('/').map(|i| at + i),
            None => before_query.find('/'),
        };
        let authority = &before_query[..auth_end.unwrap_or(before_query.len())];
        let mut out = format!("{scheme}{authority}/{name}");
        if let Some(q) = query {
            out.push('?');
            out.push_str(q);
        }
        return out;
    }
    let mut parts: Vec<String> = url
        .split_whitespace()
        .filter(|p| !p.starts_with("dbname="))
        .map(str::to_string)
        .collect();
    parts.push(format!("dbname={name}"));
    parts.join(" ")
}

/// A server where retort makes throwaway databases to load a schema into.
#[derive(Debug, Clone)]
pub struct Scratch {
    /// A URL of the server (any database on it; retort connects there to CREATE DATABASE).
    pub server_url: String,
    /// Where models loaded from SQL files are kept between runs (none: always load).
    pub cache: Option<ModelCache>,
}

/// Where [`Scratch::load_sql_from`] got the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelSource {
    /// The model cache: no scratch database was made.
    Cache,
    /// Loaded into a scratch database and introspected.
    Loaded,
}

/// A scratch database while it exists.
pub(crate) struct ScratchDb {
    admin: tokio_postgres::Client,
    name: String,
    pub(crate) url: String,
}

impl Scratch {
    pub fn new(server_url: impl Into<String>) -> Self {
        Self {
            server_url: server_url.into(),
            cache: None,
        }
    }

    /// Keep models loaded from SQL files in `cache` (none: always load).
    pub fn with_cache(mut self, cache: Option<ModelCache>) -> Self {
        self.cache = cache;
        self
    }

    /// What the server says about itself that changes a model loaded into it (part of the
    /// model cache's key): its version, the settings under which it prints definitions, the
    /// locale of new databases, its roles, tablespaces and available extensions.
    pub async fn server_facts(&self) -> Result<String, AutogenError> {
        let client = Endpoint::parse(&self.server_url)?
            .connect("retort scratch")
            .await?;
        let rows = client
            .simple_query(cache::SERVER_FACTS)
            .await
            .map_err(|e| self.failed(crate::db::query_error(&e, None)))?;
        Ok(rows
            .iter()
            .find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
                _ => None,
            })
            .unwrap_or_default())
    }

    /// Whether the user of `url` may `CREATE DATABASE` on its server (superuser or CREATEDB), so
    /// that its server can hold scratch databases; `false` when it cannot even be asked.
    pub async fn may_create_databases(url: &str) -> bool {
        let Ok(target) = Endpoint::parse(url) else {
            return false;
        };
        let Ok(client) = target.connect("retort scratch check").await else {
            return false;
        };
        let rows = client
            .simple_query(
                "SELECT (rolcreatedb OR rolsuper)::text FROM pg_roles WHERE rolname = current_user",
            )
            .await
            .unwrap_or_default();
        rows.iter().any(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0) == Some("true"),
            _ => false,
        })
    }

    fn failed(&self, message: impl std::fmt::Display) -> AutogenError {
        AutogenError::Scratch {
            server: crate::db::mask_url(&self.server_url),
            message: message.to_string(),
        }
    }

    pub(crate) async fn create(&self) -> Result<ScratchDb, AutogenError> {
        let target = Endpoint::parse(&self.server_url)?;
        let admin = target.connect("retort scratch").await?;
        let name = format!("retort_scratch_{:016x}", rand::random::<u64>());
        admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE template0"))
            .await
            .map_err(|e| self.failed(crate::db::query_error(&e, None)))?;
        let url = url_with_database(&self.server_url, &name);
        Ok(ScratchDb { admin, name, url })
    }

    pub(crate) async fn remove(&self, db: ScratchDb) {
        // Connections of the loader are closed by now; FORCE covers a straggler.
        let _ = db
            .admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name))
            .await;
    }

    /// Load SQL files into a fresh database and introspect it, or take the model from the cache
    /// when nothing it depends on changed.
    pub async fn load_sql(
        &self,
        files: &[PathBuf],
        options: &IntrospectOptions,
        tables: &VersionTables,
    ) -> Result<Schema, AutogenError> {
        Ok(self.load_sql_from(files, options, tables).await?.0)
    }

    /// [`Scratch::load_sql`], saying where the model came from.
    pub async fn load_sql_from(
        &self,
        files: &[PathBuf],
        options: &IntrospectOptions,
        tables: &VersionTables,
    ) -> Result<(Schema, ModelSource), AutogenError> {
        let facts = match &self.cache {
            Some(_) => self.server_facts().await?,
            None => String::new(),
        };
        self.load_sql_with_facts(files, &facts, options, tables)
            .await
    }

    /// [`Scratch::load_sql_from`] with the server's facts as given (what
    /// [`Scratch::server_facts`] returns, or a program's own stand-in for them).
    pub async fn load_sql_with_facts(
        &self,
        files: &[PathBuf],
        facts: &str,
        options: &IntrospectOptions,
        tables: &VersionTables,
    ) -> Result<(Schema, ModelSource), AutogenError> {
        let texts = read_texts(files)?;
        let Some(cache) = &self.cache else {
            let schema = self.load_texts(&texts, options, tables).await?;
            return Ok((schema, ModelSource::Loaded));
        };
        let key = cache.key(&KeyInputs {
            files: &texts,
            server: facts,
            options,
            tables,
        });
        if let Some(schema) = cache.load(&key) {
            return Ok((schema, ModelSource::Cache));
        }
        let schema = self.load_texts(&texts, options, tables).await?;
        cache.store(&key, &schema);
        Ok((schema, ModelSource::Loaded))
    }

    /// Load the files' texts into a fresh database and introspect it.
    ///
    /// Each file is first sent whole, as one query: one round trip and one transaction per file
    /// instead of one per statement (a 500-table schema: 1 query instead of 2,500, and no commit
    /// waiting for the disk after each). When a file fails that way, the files are loaded again,
    /// statement by statement, into a new database, and the failing statement is reported at
    /// its `file:line:column`.
    async fn load_texts(
        &self,
        texts: &[(&PathBuf, String)],
        options: &IntrospectOptions,
        tables: &VersionTables,
    ) -> Result<Schema, AutogenError> {
        let db = self.create().await?;
        let loaded = self.load_whole(&db, texts).await;
        let db = match loaded {
            Ok(true) => db,
            // A file failed as one query: load them again statement by statement into a new
            // database, to find the statement and its position (or to succeed where a file
            // needs statements run outside one transaction, e.g. CREATE INDEX CONCURRENTLY).
            Ok(false) => {
                self.remove(db).await;
                let db = self.create().await?;
                if let Err(e) = self.load_statements(&db, texts).await {
                    self.remove(db).await;
                    return Err(e);
                }
                db
            }
            Err(e) => {
                self.remove(db).await;
                return Err(e);
            }
        };
        let result = read_database(&db.url, options, tables).await;
        self.remove(db).await;
        result
    }

    /// The loader's connection: the database is thrown away, so its commits need not wait for
    /// the disk.
    async fn loader(&self, db: &ScratchDb) -> Result<tokio_postgres::Client, AutogenError> {
        let client = Endpoint::parse(&db.url)?.connect("retort scratch").await?;
        client
            .batch_execute("SET synchronous_commit = off")
            .await
            .map_err(|e| self.failed(crate::db::query_error(&e, None)))?;
        Ok(client)
    }

    /// Each file as one query (one implicit transaction, one round trip, one commit): `false`
    /// when one of them fails.
    async fn load_whole(
        &self,
        db: &ScratchDb,
        texts: &[(&PathBuf, String)],
    ) -> Result<bool, AutogenError> {
        let client = self.loader(db).await?;
        for (_, text) in texts {
            if client.batch_execute(text).await.is_err() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Each statement as its own query, as psql runs a file; the first failure is located.
    async fn load_statements(
        &self,
        db: &ScratchDb,
        texts: &[(&PathBuf, String)],
    ) -> Result<(), AutogenError> {
        let client = self.loader(db).await?;
        for (path, text) in texts {
            load_file(&client, path, text).await?;
        }
        Ok(())
    }

    /// Apply a project's revisions up to `target` (heads when `None`) to a fresh database and
    /// introspect it.
    pub async fn replay(
        &self,
        project: crate::project::Project,
        target: Option<&str>,
        options: &IntrospectOptions,
    ) -> Result<Schema, ReplayError> {
        let tables = VersionTables::from_config(&project.config);
        let migrator = crate::runner::Migrator::new(project, crate::runner::RunOptions::default());
        let db = self.create().await?;
        let result = async {
            migrator
                .upgrade(&db.url, target.unwrap_or("heads"), &crate::runner::Quiet)
                .await?;
            Ok::<_, ReplayError>(read_database(&db.url, options, &tables).await?)
        }
        .await;
        self.remove(db).await;
        result
    }
}

/// Each file with its text, in order.
fn read_texts(files: &[PathBuf]) -> Result<Vec<(&PathBuf, String)>, AutogenError> {
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).map_err(|e| AutogenError::Read {
                path: crate::util::display_path(f),
                message: e.to_string(),
            })?;
            Ok((f, text))
        })
        .collect()
}

/// Why replaying the migrations failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReplayError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Autogen(#[from] AutogenError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Run(#[from] crate::runner::RunError),
}

impl From<DbError> for ReplayError {
    fn from(e: DbError) -> Self {
        ReplayError::Autogen(e.into())
    }
}

/// The statements of one schema file; a file that cannot be split is reported at the place.
fn split_file<'a>(
    path: &Path,
    text: &'a str,
) -> Result<Vec<crate::sql::Statement<'a>>, AutogenError> {
    crate::sql::split_statements(text).map_err(|e| AutogenError::Load {
        path: crate::util::display_path(path),
        line: e.line,
        column: e.column,
        message: e.to_string(),
        snippet: String::new(),
    })
}

/// Run one schema file statement by statement (as psql does); a failing statement is reported
/// at its file:line:column, with a caret where PostgreSQL points.
async fn load_file(
    client: &tokio_postgres::Client,
    path: &Path,
    text: &str,
) -> Result<(), AutogenError> {
    let shown = crate::util::display_path(path);
    for statement in split_file(path, text)? {
        let Err(e) = client.batch_execute(statement.text).await else {
            continue;
        };
        let message = crate::db::query_error(&e, None).to_string();
        // PostgreSQL counts characters from 1 within the statement sent.
        let position = e.as_db_error().and_then(|d| match d.position() {
            Some(tokio_postgres::error::ErrorPosition::Original(p)) => Some(*p as usize),
            _ => None,
        });
        let within = position
            .map(|p| {
                statement
                    .text
                    .char_indices()
                    .nth(p.saturating_sub(1))
                    .map_or(statement.text.len(), |(i, _)| i)
            })
            .unwrap_or(0);
        let offset = statement.offset + within;
        let line = text[..offset].matches('\n').count() + 1;
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        let line_text = text[line_start..].lines().next().unwrap_or_default();
        let caret = if position.is_some() {
            format!("\n  {}^", " ".repeat(column - 1))
        } else {
            String::new()
        };
        return Err(AutogenError::Load {
            path: shown,
            line,
            column,
            message,
            snippet: format!("  {line_text}{caret}"),
        });
    }
    Ok(())
}

/// The two sections of an autogenerated revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sections {
    pub up_sql: String,
    pub down_sql: String,
    /// False when an operation cannot run in a transaction (CREATE INDEX CONCURRENTLY), or when
    /// a new enum label is used by a later statement (PostgreSQL refuses that before commit).
    pub transactional: bool,
}

/// The up section from `up` and the down section from `down` (the diff the other way), with a
/// note where the down section restores a structure but not the data the upgrade dropped.
pub fn sections(up: &crate::diff::Diff, down: &crate::diff::Diff) -> Sections {
    let dropped: Vec<String> = up
        .operations
        .iter()
        .filter(|o| o.hazards.iter().any(|h| h.deletes_data()))
        .filter_map(|o| o.summary.strip_prefix("drop ").map(str::to_string))
        .collect();
    let mut down = down.clone();
    for op in &mut down.operations {
        let restored = ["create ", "add "]
            .iter()
            .find_map(|p| op.summary.strip_prefix(p))
            .is_some_and(|rest| dropped.iter().any(|d| d == rest));
        if restored {
            op.notes.push(format!(
                "{}: the structure comes back, the data the upgrade deleted does not",
                op.summary
            ));
        }
    }
    let uses_new_label = up.operations.iter().enumerate().any(|(i, o)| {
        o.sql.contains(" ADD VALUE ")
            && o.sql
                .lines()
                .filter(|l| l.contains(" ADD VALUE "))
                .any(|l| {
                    let name = l
                        .trim_start_matches("ALTER TYPE ")
                        .split(" ADD VALUE ")
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    let shown = name.replace('"', "");
                    up.operations[i + 1..]
                        .iter()
                        .any(|later| later.sql.contains(&name) || later.sql.contains(&shown))
                })
    });
    Sections {
        up_sql: up.sql(),
        down_sql: down.sql(),
        transactional: up.transactional() && down.transactional() && !uses_new_label,
    }
}
