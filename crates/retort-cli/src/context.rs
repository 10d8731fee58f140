//! What a command line runs in, given by the program that calls the CLI: where the revision
//! files come from and, for `check` and `revision --autogenerate`, the program's models. Passed
//! down to every command (no process-global state), with the ways of opening the project.

use std::path::Path;

use retort::config::Config;
use retort::project::{Error, Project};

use crate::args::Cli;
use crate::Failure;

/// Where the revision files come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// `retort.toml` (found or given with -c) and the script directory on disk.
    Disk,
    /// Compiled into the program (`retort::embed_migrations!`), with its configuration.
    Embedded {
        config: Box<Config>,
        files: &'static [(&'static str, &'static str)],
    },
}

/// The desired schema built in Rust (a program's models), for `check` and
/// `revision --autogenerate` instead of `[autogenerate] schema`.
pub type Models = fn() -> Result<retort::schema::Schema, String>;

/// What `check` and `revision --autogenerate` leave out of the database's schema before
/// comparing it with the models (as Alembic's `include_object`): objects the models do not
/// describe on purpose, such as those an extension makes at run time (TimescaleDB's chunks and
/// catalog schemas).
pub type Ignore = fn(retort::schema::Schema) -> retort::schema::Schema;

/// The models fitted to the database they are compared with, given the database's schema (after
/// [`Ignore`]) and the models: what differs by server on purpose, such as the tables a program
/// distributes only on a Citus cluster.
pub type Fit = fn(&retort::schema::Schema, retort::schema::Schema) -> retort::schema::Schema;

/// The program's side of a command line: revisions, models, and what to ignore.
#[derive(Debug, Clone)]
pub struct Context {
    pub source: Source,
    pub models: Option<Models>,
    /// Used with `models` only.
    pub ignore: Option<Ignore>,
    /// Used with `models` only.
    pub fit: Option<Fit>,
}

impl Context {
    /// `retort` itself: the files on disk, no models.
    pub fn disk() -> Self {
        Self {
            source: Source::Disk,
            models: None,
            ignore: None,
            fit: None,
        }
    }

    pub fn load_config(&self, cli: &Cli) -> Result<Config, Error> {
        let config = match &self.source {
            Source::Embedded { config, .. } => (**config).clone(),
            // Relative to ".", so that file paths stay short (path lookups are a visible share of
            // `retort heads` on 10,000 files) and messages show them as the user would type them.
            Source::Disk => Config::discover(cli.config.as_deref(), Path::new("."))?,
        };
        Ok(config.with_no_cache_env(std::env::var_os(retort::config::NO_CACHE_ENV).as_deref()))
    }

    pub fn open(&self, cli: &Cli) -> Result<Project, Error> {
        let config = self.load_config(cli)?;
        match &self.source {
            Source::Embedded { files, .. } => Project::from_embedded(config, files),
            Source::Disk => Project::open(config),
        }
    }

    /// Commands that write revision files need them on disk.
    pub fn open_for_writing(&self, cli: &Cli, what: &str) -> Result<Project, Failure> {
        if let Source::Embedded { .. } = self.source {
            return Err(crate::io_error(
                &format!("`{what}` writes revision files, and this program's are compiled in"),
                Some("run the `retort` CLI in the source tree, where retort.toml and the revision files are"),
            ));
        }
        Ok(self.open(cli)?)
    }

    /// For commands that only look at the graph: no checksums, and the long SQL of big files is
    /// not read. The project is leaked on purpose: the process ends right after, and freeing
    /// 10,000 revisions one by one costs more than the command itself.
    pub fn open_graph(&self, cli: &Cli) -> Result<&'static Project, Error> {
        let project = match &self.source {
            Source::Embedded { .. } => self.open(cli)?,
            Source::Disk => {
                Project::open_with(self.load_config(cli)?, retort::script::ReadMode::Headers)?
            }
        };
        Ok(Box::leak(Box::new(project)))
    }
}
