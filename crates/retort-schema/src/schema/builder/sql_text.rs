//! Pieces of the definitions PostgreSQL prints, shared by constraints, indexes and triggers:
//! a column list, a referential action, deferral.

use super::names::quote_identifier;
use super::Action;

/// Columns as a definition lists them: quoted where needed, comma-separated.
pub(super) fn cols_sql(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| quote_identifier(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// ` ON UPDATE|DELETE action`, nothing for `NO ACTION`.
pub(super) fn action(out: &mut String, event: &str, a: &Action) {
    let text = match a {
        Action::NoAction => return,
        Action::Restrict => "RESTRICT".to_string(),
        Action::Cascade => "CASCADE".to_string(),
        Action::SetNull(cols) if cols.is_empty() => "SET NULL".to_string(),
        Action::SetNull(cols) => format!("SET NULL ({})", cols_sql(cols)),
        Action::SetDefault(cols) if cols.is_empty() => "SET DEFAULT".to_string(),
        Action::SetDefault(cols) => format!("SET DEFAULT ({})", cols_sql(cols)),
    };
    out.push_str(&format!(" ON {event} {text}"));
}

/// ` DEFERRABLE`, ` INITIALLY DEFERRED`, ` NOT VALID` as set.
pub(super) fn deferral(
    out: &mut String,
    deferrable: bool,
    initially_deferred: bool,
    not_valid: bool,
) {
    if deferrable {
        out.push_str(" DEFERRABLE");
    }
    if initially_deferred {
        out.push_str(" INITIALLY DEFERRED");
    }
    if not_valid {
        out.push_str(" NOT VALID");
    }
}
