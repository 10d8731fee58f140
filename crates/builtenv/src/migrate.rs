//! What `serve --migrate` prints while it migrates (progress, notices, the summary).
//! `builtenv migrate <command>` itself is the `retort` CLI (`retort_cli::main_with`) run on the
//! embedded revisions. Errors are `retort_cli::Failure`, as for any program embedding retort:
//! every library error converts into it with its exit code from
//! [`retort::exit::HasExitCode`]; builtenv has no error → exit code mapping of its own.

use retort::plan::Direction;
use retort::runner::{Event, Observer, RunReport};

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
