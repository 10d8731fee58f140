//! What a run reports as it goes: [`Event`]s to an [`Observer`] (and to `tracing`).

use std::time::Duration;

use super::{AppliedStep, LockHolder};
use crate::plan::Direction;
use crate::script::RevisionFile;

/// What a run reports as it goes (progress bars, `-v` logs). Also emitted as tracing events.
#[derive(Debug, Clone)]
pub enum Event {
    LockWaiting {
        waited: Duration,
        holder: Option<LockHolder>,
    },
    LockAcquired {
        waited: Duration,
    },
    PlanReady {
        steps: usize,
    },
    StepStarted {
        index: usize,
        total: usize,
        revision: String,
        direction: Direction,
        message: String,
    },
    Statement {
        revision: String,
        sql: String,
        duration: Duration,
    },
    /// A notice or warning the server sent while a revision ran (`RAISE NOTICE ...`).
    Notice {
        revision: Option<String>,
        severity: String,
        message: String,
    },
    StepFinished {
        index: usize,
        total: usize,
        revision: String,
        direction: Direction,
        duration: Duration,
    },
}

/// Receives [`Event`]s.
pub trait Observer: Send + Sync {
    fn event(&self, event: &Event);
}

/// An observer that only emits tracing events.
pub struct Quiet;

impl Observer for Quiet {
    fn event(&self, _: &Event) {}
}

pub(super) fn emit(obs: &dyn Observer, event: Event) {
    match &event {
        Event::StepFinished {
            revision,
            direction,
            duration,
            ..
        } => {
            tracing::info!(
                revision,
                ?direction,
                ms = duration.as_secs_f64() * 1000.0,
                "revision applied"
            );
        }
        Event::LockWaiting { holder, .. } => {
            tracing::info!(?holder, "waiting for the migration lock")
        }
        _ => tracing::debug!(?event),
    }
    obs.event(&event);
}

pub(super) fn step_started(
    obs: &dyn Observer,
    index: usize,
    total: usize,
    f: &RevisionFile,
    direction: Direction,
) {
    emit(
        obs,
        Event::StepStarted {
            index,
            total,
            revision: f.id.clone(),
            direction,
            message: f.message.clone(),
        },
    );
}

/// Report a finished step and describe it for the run's report.
pub(super) fn step_finished(
    obs: &dyn Observer,
    index: usize,
    total: usize,
    f: &RevisionFile,
    direction: Direction,
    duration: Duration,
) -> AppliedStep {
    emit(
        obs,
        Event::StepFinished {
            index,
            total,
            revision: f.id.clone(),
            direction,
            duration,
        },
    );
    AppliedStep {
        revision: f.id.clone(),
        direction,
        duration_ms: duration.as_secs_f64() * 1000.0,
    }
}

/// Pass on the notices received so far.
pub(super) fn forward_notices(
    notices: &std::sync::Mutex<crate::db::Notices>,
    revision: Option<&str>,
    out: &dyn Fn(Event),
) {
    let Ok(mut rx) = notices.lock() else { return };
    while let Ok((severity, message)) = rx.try_recv() {
        out(Event::Notice {
            revision: revision.map(str::to_string),
            severity,
            message,
        });
    }
}
