//! `retort lint`: migration-safety rules over revision SQL (squawk's rule set and more), with
//! the context a static linter lacks: the revision (tables made in it are new, so building an
//! index on one is safe), its transaction mode, retort.toml's timeouts, and, when a database is
//! reachable, table sizes (empty tables are left alone, findings ranked by size).
//!
//! Pure: no connection. Statements are split by [`crate::sql::split_statements`], tokenised
//! (`token`) and classified (`parse`, `table`) into the forms the rules look at (`ast`);
//! anything else is `Stmt::Other`, never guessed at. One rule per file in `rules/`.

mod ast;
mod cursor;
mod engine;
mod hazards;
mod objects;
mod parse;
mod revisions;
mod rule;
mod rules;
mod state;
mod suppress;
mod table;
mod token;
mod volatile;

pub use ast::{QName, Stmt};
pub use engine::{lint_section, Finding, Section, Settings, TableSize};
pub use hazards::hazards;
pub use parse::parse;
pub use revisions::{lint_down_sections, lint_revisions, rank, select, settings};
pub use rule::{Kind, Rule, Severity};
pub use rules::{find as find_rule, ALL as RULES};

/// SQL that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum LintError {
    #[error("{path}:{line}:{column}: unterminated {what}")]
    #[diagnostic(help("close it; the statements after it cannot be told apart until then"))]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        what: &'static str,
    },
    #[error("[[lint.allow]] for revision {revision}, rule `{rule}`: no reason given")]
    #[diagnostic(help("say why the risk is accepted: reason = \"...\""))]
    NoReason { revision: String, rule: String },
    #[error("[lint] rules in {path}: unknown rule `{rule}`{suggestion}")]
    #[diagnostic(help("`retort lint --rules` lists the rules"))]
    UnknownRule {
        path: String,
        rule: String,
        suggestion: String,
    },
}
