//! What a rule is: a stable id, its documentation and examples, a default severity, and a
//! check of one statement in the state the statements before it left.

use super::ast::{QName, Stmt};
use super::state::State;

pub use crate::config::Severity;

/// One lint rule. Each lives in its own file under `lint/rules/`.
pub struct Rule {
    /// Stable id (squawk's where the meaning is the same), used in `-- retort:allow` and config.
    pub id: &'static str,
    /// One line: what is wrong.
    pub summary: &'static str,
    /// Why it hurts and what to write instead.
    pub help: &'static str,
    pub severity: Severity,
    /// A statement the rule flags, and the safe way to write it.
    pub bad: &'static str,
    pub good: &'static str,
    /// What the rule is about: only [`Kind::Hazard`] rules are hazards of the diff's operations.
    pub kind: Kind,
    /// Only a risk on a table that exists and holds rows: not raised on a table created in the
    /// same revision, nor on one the database reports empty.
    pub existing_table_only: bool,
    /// Reported once per section (the first statement that needs what is missing).
    pub once: bool,
    pub check: fn(&Stmt, &State, &mut Vec<Hit>),
    /// Called once after the last statement (for what is wrong about the whole section); its
    /// hits' `at` are offsets in the section, at the start of a statement.
    pub finish: Option<fn(&State, &mut Vec<Hit>)>,
}

/// What a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A risk of running the statement on a live database (a lock, a scan, a rewrite, lost data,
    /// broken clients): the diff reports these as the hazards of the operations it writes
    /// (`-- hazard:` comments, `retort diff --summary`), by running these rules over its SQL.
    Hazard,
    /// A schema design choice (a type, an enum label's place): not a hazard of running it.
    Design,
    /// About the revision as a whole (transactions, timeouts, re-runnability), not one operation.
    Script,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Hazard => "hazard",
            Kind::Design => "design",
            Kind::Script => "script",
        }
    }
}

/// What a rule found in one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Byte offset in the statement's text.
    pub at: usize,
    pub message: String,
    /// The table at risk, for context (new, empty) and ranking (size).
    pub table: Option<QName>,
}

impl Hit {
    pub fn new(at: usize, message: impl Into<String>) -> Self {
        Hit {
            at,
            message: message.into(),
            table: None,
        }
    }

    pub fn on(mut self, table: &QName) -> Self {
        self.table = Some(table.clone());
        self
    }
}
