//! [`BuildError`]: why a declaration does not make a schema.

/// Why a declaration does not make a schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    #[error("type {input:?}: {why}")]
    Type { input: String, why: String },
    #[error("{table}: {what}")]
    Table { table: String, what: String },
    #[error("{0} is declared twice")]
    Duplicate(String),
    #[error("function {function}: {what}")]
    Function { function: String, what: String },
}
