//! A project: a resolved config, its script directory and its revision graph, loaded together.
//! This is the entry point the CLI and embedding programs use for every command.

use miette::Diagnostic;

use crate::config::{Config, ConfigError};
use crate::graph::{self, RevisionGraph};
use crate::resolve::TargetError;
use crate::script::{ReadMode, ScriptDirectory, ScriptError};

/// Every error a project-level operation can end in (exit codes: `retort::exit::HasExitCode`).
#[derive(Debug, thiserror::Error, Diagnostic)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Script(#[from] ScriptError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Target(#[from] TargetError),
}

/// A loaded, validated project.
#[derive(Debug, Clone)]
pub struct Project {
    pub config: Config,
    pub graph: RevisionGraph,
}

impl Project {
    /// Read every version location and build the graph; all problems are reported together.
    pub fn open(config: Config) -> Result<Self, Error> {
        Self::open_with(config, ReadMode::Full)
    }

    /// Like [`Project::open`], reading only what `mode` needs (headers suffice for the graph).
    /// Headers come through the project's header cache unless `config.header_cache` is off.
    pub fn open_with(config: Config, mode: ReadMode) -> Result<Self, Error> {
        let dirs = &config.version_locations;
        let loaded = match (mode, crate::script::HeaderCache::of(&config)) {
            (ReadMode::Headers, Some(cache)) => ScriptDirectory::read_headers_cached(dirs, &cache)?,
            _ => ScriptDirectory::read_with(dirs, mode)?,
        };
        let mut problems = loaded.problems;
        match graph::build(loaded.files, &loaded.unparsed_ids) {
            Ok(graph) if problems.is_empty() => Ok(Self { config, graph }),
            Ok(_) => Err(Self::problems(problems)),
            Err(graph_problems) => {
                problems.extend(graph_problems);
                Err(Self::problems(problems))
            }
        }
    }
}

impl Project {
    /// A project whose revision files were embedded at compile time with
    /// `retort::embed_migrations!`: `files` are (file name, contents), read as
    /// if they were in `config`'s first version location.
    pub fn from_embedded(
        config: Config,
        files: &[(&'static str, &'static str)],
    ) -> Result<Self, Error> {
        let dir = config.version_locations[0].clone();
        let mut parsed = Vec::with_capacity(files.len());
        let mut problems = Vec::new();
        for (name, text) in files {
            let path = dir.join(name);
            match crate::script::parse_revision_file(&path, text.as_bytes()) {
                Ok(mut f) => {
                    f.embedded_text = Some(text);
                    parsed.push(f);
                }
                Err(p) => problems.extend(p),
            }
        }
        match graph::build(parsed, &[]) {
            Ok(graph) if problems.is_empty() => Ok(Self { config, graph }),
            Ok(_) => Err(Self::problems(problems)),
            Err(graph_problems) => {
                problems.extend(graph_problems);
                Err(Self::problems(problems))
            }
        }
    }

    /// Problems in file and line order, so a reader can go through them top to bottom.
    fn problems(mut problems: Vec<crate::script::ScriptProblem>) -> Error {
        problems.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        ScriptError::Problems { problems }.into()
    }
}

/// The `retort.toml` that `retort init` writes.
pub const INIT_CONFIG: &str = r#"# retort configuration. Every key is optional; shown here with its default.

# Folder of revision files.
script_location = "migrations"
# Several folders of revision files (the first is where new revisions go):
# version_locations = ["migrations", "migrations/feature"]

# Name of new revision files: {year} {month} {day} {hour} {minute} {second} {epoch} {rev} {slug}
file_template = "{year}{month}{day}_{hour}{minute}_{rev}_{slug}"
truncate_slug_length = 40
# timezone = "UTC"
revision_id_length = 12

# Database: --database-url and DATABASE_URL override this; ${VAR} is read from the environment.
# database_url = "postgres://app:${PGPASSWORD}@localhost/app"
version_table = "retort_version"
# version_table_schema = "public"

# The migration lock: "session" (one advisory lock for the whole run) or "transaction" (one per
# migration's transaction, re-checked under it: for PgBouncer in transaction pooling).
lock_mode = "session"
# PostgreSQL's lock_timeout and statement_timeout for the migrating session ("5s", "500ms",
# "1min"; "0": none). Unset: the server's. --db-lock-timeout and --statement-timeout override.
# lock_timeout = "5s"
# statement_timeout = "10min"

# New revision files made from this file instead of the built-in header (Alembic's
# script.py.mako): {revision} {down_revision} {branch_labels} {depends_on} {message} {created}
# {transactional} {up} {down}.
# revision_template = "migrations/template.sql"

# Keep the parsed revision headers in .retort/cache/headers, so that heads, history, branches and
# graph do not open every file (RETORT_NO_CACHE=1 also turns it off).
# header_cache = true

# Commands run on each new revision file; {path} is the file.
# [[post_write_hooks]]
# name = "format"
# command = ["pg_format", "-i", "{path}"]

# The desired schema, for `retort check` and `retort revision --autogenerate`.
# [autogenerate]
# SQL files or globs, loaded in order into a scratch database; or one JSON model file.
# schema = ["schema/*.sql"]
# A server where retort may CREATE DATABASE for scratch databases (${VAR} allowed).
# Unset: the database URL's server if its user may CREATE DATABASE there, else the project's
# scratch PostgreSQL in .retort/scratch (no fsync: it holds nothing that must survive a crash).
# dev_url = "postgres://postgres@localhost/postgres"
# Keep the model loaded from the SQL files in .retort/cache/models and reuse it while the files,
# the scratch server and retort are unchanged (RETORT_NO_CACHE=1 also turns it off).
# cache = true
# PostgreSQL schemas compared (unset: every non-system schema).
# schemas = ["public"]
# Objects compared: `[KIND:]SCHEMA[.NAME]` globs (Alembic's include_object), on both sides.
# include = ["table:public.*"]
# exclude = ["audit", "public.tmp_*", "extension:timescaledb"]

# `retort lint`: each rule's severity ("error", "warning" or "off"; unset: the rule's own), whether
# `upgrade` refuses revisions with error-level findings, and findings accepted for one revision.
# [lint]
# rules = { "prefer-text-field" = "off", "require-statement-timeout" = "error" }
# upgrade = false
# [[lint.allow]]
# revision = "3a9f1c2e7b64"
# rule = "prefer-bigint-over-int"
# reason = "small bounded quantities, not ids"
"#;

/// `retort init [DIR]`: write `retort.toml` and the script directory, never overwriting.
pub fn init(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, Error> {
    let config_path = dir.join(crate::config::CONFIG_FILE_NAME);
    let scripts = dir.join(crate::config::DEFAULT_SCRIPT_LOCATION);
    for existing in [&config_path, &scripts] {
        if existing.exists() {
            return Err(Error::Script(ScriptError::Write {
                message: format!("{} already exists", crate::util::display_path(existing)),
                help: Some(
                    "retort init never overwrites; remove it or choose another directory".into(),
                ),
            }));
        }
    }
    let io = |path: &std::path::Path, source: std::io::Error| {
        Error::Script(ScriptError::Io {
            path: crate::util::display_path(path),
            error: source,
        })
    };
    std::fs::create_dir_all(&scripts).map_err(|e| io(&scripts, e))?;
    std::fs::write(&config_path, INIT_CONFIG).map_err(|e| io(&config_path, e))?;
    Ok(vec![config_path, scripts])
}
