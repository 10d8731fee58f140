//! A project: a resolved config, its script directory and its revision graph, loaded together.
//! This is the entry point the CLI and embedding programs use for every command.

use miette::Diagnostic;

use crate::config::{Config, ConfigError};
use crate::exit::ExitCode;
use crate::graph::{self, RevisionGraph};
use crate::script::{ScriptDirectory, ScriptError};
use crate::target::TargetError;

/// Every error a project-level operation can end in, each mapped to an exit code.
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

impl Error {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Config(_) => ExitCode::Config,
            Error::Script(ScriptError::Io { .. } | ScriptError::Write { .. }) => ExitCode::Io,
            Error::Script(_) => ExitCode::Script,
            Error::Target(_) => ExitCode::Target,
        }
    }
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
        let loaded = ScriptDirectory::read(&config.version_locations)?;
        let mut problems = loaded.problems;
        match graph::build(loaded.files, &loaded.unparsed_ids) {
            Ok(graph) if problems.is_empty() => Ok(Self { config, graph }),
            Ok(_) => Err(ScriptError::Problems { problems }.into()),
            Err(graph_problems) => {
                problems.extend(graph_problems);
                Err(ScriptError::Problems { problems }.into())
            }
        }
    }
}
