//! `--json` on `upgrade`, `downgrade` and `stamp`: one JSON object per line on stdout as the run
//! goes (for deploy pipelines), the human lines staying on stderr. Each line is an `Event` of
//! docs/json-schema.json.

use std::io::Write;

use retort::plan::Direction;
use retort::runner::{Event, Observer, RunReport};
use serde_json::{json, Value};

/// Writes each event as a line of JSON, flushed at once (a pipeline reads it as it comes).
pub struct JsonLines {
    /// Also each statement (`-v`).
    pub statements: bool,
}

/// One line on stdout; a closed pipe is ignored (the run itself goes on).
pub fn line(value: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer(&mut out, value);
    let _ = writeln!(out);
    let _ = out.flush();
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Up => "up",
        Direction::Down => "down",
    }
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl Observer for JsonLines {
    fn event(&self, event: &Event) {
        let value = match event {
            Event::LockWaiting { waited, holder } => json!({
                "event": "lock_waiting",
                "waited_ms": ms(*waited),
                "holder": holder.as_ref().map(ToString::to_string),
            }),
            Event::LockAcquired { waited } => {
                json!({ "event": "lock_acquired", "waited_ms": ms(*waited) })
            }
            Event::PlanReady { steps } => json!({ "event": "plan", "steps": steps }),
            Event::StepStarted {
                index,
                total,
                revision,
                direction: d,
                message,
            } => json!({
                "event": "step_started",
                "index": index,
                "total": total,
                "revision": revision,
                "direction": direction(*d),
                "message": message,
            }),
            Event::Statement {
                revision,
                sql,
                duration,
            } if self.statements => json!({
                "event": "statement",
                "revision": revision,
                "sql": sql,
                "duration_ms": ms(*duration),
            }),
            Event::Notice {
                revision,
                severity,
                message,
            } => json!({
                "event": "notice",
                "revision": revision,
                "severity": severity,
                "message": message,
            }),
            Event::StepFinished {
                index,
                total,
                revision,
                direction: d,
                duration,
            } => json!({
                "event": "step_finished",
                "index": index,
                "total": total,
                "revision": revision,
                "direction": direction(*d),
                "duration_ms": ms(*duration),
            }),
            _ => return,
        };
        line(&value);
    }
}

/// The last line of a run that succeeded.
pub fn summary(command: &str, report: &RunReport) {
    line(&json!({
        "event": "summary",
        "command": command,
        "steps": report.steps.len(),
        "duration_ms": report.steps.iter().map(|s| s.duration_ms).sum::<f64>(),
        "heads_before": report.heads_before,
        "heads_after": report.heads_after,
    }));
}

/// The last line of a run that failed (the error itself is on stderr as always).
pub fn failed(command: &str, failure: &crate::Failure) {
    line(&json!({
        "event": "failed",
        "command": command,
        "exit_code": failure.code.code(),
        "message": failure.report.to_string(),
    }));
}
