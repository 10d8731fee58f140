//! What `serve --migrate` prints while it migrates (progress, notices, the summary) and its
//! error type. `builtenv migrate <command>` itself is the `retort` CLI (`retort_cli::main_with`)
//! run on the embedded revisions.

use retort::exit::ExitCode;
use retort::plan::Direction;
use retort::runner::{Event, Observer, RunError, RunReport};

/// Why a command failed, and its exit code (retort's).
pub struct Failure {
    pub report: miette::Report,
    pub code: ExitCode,
}

impl Failure {
    pub fn new(code: ExitCode, message: impl std::fmt::Display) -> Self {
        Self {
            report: miette::miette!("{message}"),
            code,
        }
    }
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        let code = e.exit_code();
        Self {
            report: miette::Report::new(e),
            code,
        }
    }
}

impl From<retort::project::Error> for Failure {
    fn from(e: retort::project::Error) -> Self {
        let code = e.exit_code();
        Self {
            report: miette::Report::new(e),
            code,
        }
    }
}

impl From<retort::target::TargetError> for Failure {
    fn from(e: retort::target::TargetError) -> Self {
        Self::from(RunError::Target(e))
    }
}

impl From<retort::local::LocalError> for Failure {
    fn from(e: retort::local::LocalError) -> Self {
        Self {
            report: miette::Report::new(e),
            code: ExitCode::Connection,
        }
    }
}

impl From<retort::devdb::DevDbError> for Failure {
    fn from(e: retort::devdb::DevDbError) -> Self {
        Self {
            report: miette::Report::new(e),
            code: ExitCode::Connection,
        }
    }
}

/// Progress lines on stderr, as the `retort` CLI prints them without a terminal.
pub struct Progress {
    pub verbose: bool,
}

impl Observer for Progress {
    fn event(&self, event: &Event) {
        match event {
            Event::LockWaiting { waited, holder } => eprintln!(
                "retort: waiting for the migration lock ({:.0}s so far), held by {}",
                waited.as_secs_f64(),
                holder
                    .as_ref()
                    .map_or_else(|| "another session".to_string(), ToString::to_string)
            ),
            Event::StepStarted {
                revision,
                direction,
                message,
                ..
            } => {
                eprintln!(
                    "Running {} {revision}{}",
                    if *direction == Direction::Up {
                        "upgrade"
                    } else {
                        "downgrade"
                    },
                    if message.is_empty() {
                        String::new()
                    } else {
                        format!(", {message}")
                    }
                );
            }
            // A revision's own notices (e.g. "hypertable skipped"); retort's are not passed on.
            Event::Notice {
                severity, message, ..
            } => eprintln!("builtenv: {severity}: {message}"),
            Event::Statement { sql, duration, .. } if self.verbose => {
                let first = sql
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                eprintln!(
                    "  {:>8.1} ms  {first}{}",
                    duration.as_secs_f64() * 1000.0,
                    if sql.lines().count() > 1 { " ..." } else { "" }
                );
            }
            _ => {}
        }
    }
}

fn heads_text(heads: &[String]) -> String {
    if heads.is_empty() {
        "base".to_string()
    } else {
        heads.join(", ")
    }
}

/// "Applied 2 revisions in 35 ms; the database is now at b7e24d90c1a5", as the `retort` CLI.
pub fn describe(report: &RunReport, direction: Direction) -> String {
    let after = heads_text(&report.heads_after);
    let verb = if direction == Direction::Up {
        "upgrade"
    } else {
        "downgrade"
    };
    if report.steps.is_empty() {
        return format!("Nothing to {verb}: the database is at {after}");
    }
    let ms: f64 = report.steps.iter().map(|s| s.duration_ms).sum();
    format!(
        "{} {} revision{} in {ms:.0} ms; the database is now at {after}",
        if direction == Direction::Up {
            "Applied"
        } else {
            "Reverted"
        },
        report.steps.len(),
        if report.steps.len() == 1 { "" } else { "s" }
    )
}
