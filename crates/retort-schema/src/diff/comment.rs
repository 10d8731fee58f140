//! Comments: the one place a comment change becomes `COMMENT ON`, for an object or for the
//! members (columns, attributes) of one.

use super::{Ops, Phase};
use crate::schema::QualName;
use crate::sql::{quote_ident, quote_literal};

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

/// `COMMENT ON COLUMN owner.member` for each member of `new` (name, comment) whose comment differs
/// from the one of the same name in `old`.
pub(super) fn member_comments<'a>(
    owner: &QualName,
    old: &[(&'a str, Option<&'a String>)],
    new: &[(&'a str, Option<&'a String>)],
) -> String {
    new.iter()
        .map(|(member, comment)| {
            let before = old.iter().find(|(o, _)| o == member).and_then(|(_, c)| *c);
            comment_change(
                &format!("COLUMN {}.{}", owner.sql(), quote_ident(member)),
                before,
                *comment,
            )
        })
        .collect()
}

impl Ops {
    /// The comment change of `what` (`TABLE s.t`, `POLICY p ON s.t`...), if any.
    pub(super) fn comment(
        &mut self,
        summary: impl Into<String>,
        what: &str,
        old: Option<&String>,
        new: Option<&String>,
    ) {
        self.push(Phase::Comment, summary, comment_change(what, old, new));
    }

    /// The comment change of column `column` of `table`, if any.
    pub(super) fn column_comment(
        &mut self,
        table: &QualName,
        column: &str,
        old: Option<&String>,
        new: Option<&String>,
    ) {
        self.comment(
            format!("comment on column {table}.{column}"),
            &format!("COLUMN {}.{}", table.sql(), quote_ident(column)),
            old,
            new,
        );
    }
}
