//! What runs and checks return: [`RunReport`], [`RevisionStatus`], [`VerifyReport`].

use crate::plan::Direction;

/// One applied revision step, for reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AppliedStep {
    pub revision: String,
    pub direction: Direction,
    pub duration_ms: f64,
}

/// What a run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunReport {
    pub steps: Vec<AppliedStep>,
    pub heads_before: Vec<String>,
    pub heads_after: Vec<String>,
}

/// A revision's state in a database, for `status`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RevisionStatus {
    pub revision: String,
    pub message: String,
    pub applied: bool,
    pub applied_at: Option<String>,
    pub checksum_ok: Option<bool>,
}

/// Result of `verify`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct VerifyReport {
    pub ok: Vec<String>,
    pub changed: Vec<String>,
    pub unrecorded: Vec<String>,
    pub unknown: Vec<String>,
}
