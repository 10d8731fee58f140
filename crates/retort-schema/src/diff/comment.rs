//! Comments: the one place a comment change becomes `COMMENT ON`.

use crate::sql::quote_literal;

/// `COMMENT ON what IS ...` when the comment changed (`IS NULL` when it went away).
pub(super) fn comment_change(what: &str, old: Option<&String>, new: Option<&String>) -> String {
    if old == new {
        return String::new();
    }
    match new {
        Some(text) => format!("COMMENT ON {what} IS {};\n", quote_literal(text)),
        None => format!("COMMENT ON {what} IS NULL;\n"),
    }
}
