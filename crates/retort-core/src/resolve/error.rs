//! Target errors: Alembic's internal error kinds, and the user-facing message each becomes.

use miette::Diagnostic;

/// Alembic's `RevisionError` family, as raised while resolving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisionError {
    RangeNotAncestor {
        lower: String,
        upper: String,
    },
    MultipleHeads {
        heads: Vec<String>,
        argument: String,
    },
    /// A name that resolves to nothing (or to several revisions); `detail` says which.
    Resolution {
        detail: String,
        argument: String,
        candidates: Vec<String>,
    },
    Other(String),
}

/// What the user sees: Alembic's `CommandError` text, plus a hint Alembic does not give.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Diagnostic)]
#[error("{message}")]
pub struct TargetError {
    pub message: String,
    #[help]
    pub help: Option<String>,
}

/// Which command is resolving: decides the wording of a range error, as in Alembic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context<'a> {
    Upgrade { destination: &'a str },
    Downgrade { destination: &'a str },
    Other,
}

impl RevisionError {
    /// Alembic's `_catch_revision_errors`.
    pub fn into_target_error(self, context: Context<'_>) -> TargetError {
        match self {
            RevisionError::RangeNotAncestor { lower, upper } => {
                let message = match context {
                    Context::Upgrade { destination } => format!(
                        "Destination {destination} is not a valid upgrade target from current head(s)"
                    ),
                    Context::Downgrade { destination } => format!(
                        "Destination {destination} is not a valid downgrade target from current head(s)"
                    ),
                    Context::Other => format!(
                        "Requested range {lower}:{upper} does not refer to ancestor/descendant revisions along the same branch"
                    ),
                };
                TargetError {
                    message,
                    help: Some("`retort history` shows which revisions are above and below the current ones".into()),
                }
            }
            RevisionError::MultipleHeads { heads, argument } => {
                let head_arg = match context {
                    Context::Upgrade { destination } | Context::Downgrade { destination } => {
                        destination.to_string()
                    }
                    Context::Other => argument,
                };
                TargetError {
                    message: format!(
                        "Multiple head revisions are present for given argument '{head_arg}'; please specify a specific target revision, '<branchname>@{head_arg}' to narrow to a specific head, or 'heads' for all heads"
                    ),
                    help: Some(format!("the heads are {}", heads.join(", "))),
                }
            }
            RevisionError::Resolution {
                detail,
                argument,
                candidates,
            } => TargetError {
                message: format!("Can't locate revision identified by '{argument}'"),
                help: Some(if candidates.is_empty() {
                    detail
                } else {
                    format!("{detail}; did you mean {}?", candidates.join(" or "))
                }),
            },
            RevisionError::Other(message) => {
                let help = match message.as_str() {
                    "Ambiguous walk" => Some(
                        "several revisions follow (or precede) here; walk along one branch with LABEL@+N or REV+N".to_string(),
                    ),
                    "Walked too far" => {
                        Some("there are fewer revisions than that in that direction".to_string())
                    }
                    _ => None,
                };
                TargetError { message, help }
            }
        }
    }
}
