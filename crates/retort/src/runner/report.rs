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
    /// In the database's version rows (applied or stamped).
    pub applied: bool,
    /// How it got there: `applied` (retort ran it), `stamped` (`retort stamp`, or applied
    /// before retort kept its log: no record of retort running it), or `pending`.
    pub state: RevisionState,
    /// When it was applied or stamped (UTC), when the log says.
    pub applied_at: Option<String>,
    pub checksum_ok: Option<bool>,
}

/// Whether and how a revision is in the database ([`RevisionStatus::state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RevisionState {
    Applied,
    Stamped,
    Pending,
}

impl RevisionState {
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionState::Applied => "applied",
            RevisionState::Stamped => "stamped",
            RevisionState::Pending => "pending",
        }
    }
}

/// Result of `verify`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct VerifyReport {
    pub ok: Vec<String>,
    pub changed: Vec<String>,
    pub unrecorded: Vec<String>,
    /// In the version table or log, not in the script directory (`MISSING` in the text).
    #[serde(rename = "missing")]
    pub unknown: Vec<String>,
}
