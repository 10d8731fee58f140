//! Target resolution: what `head`, `heads`, `base`, `ae10`, `feature@head`, `+2`, `ae10-1`, `feature@+1`
//! mean against a [`RevisionGraph`](crate::graph::RevisionGraph) and the database's current heads.
//!
//! This follows Alembic's `RevisionMap` resolution rule for rule (so that a team moving over
//! finds every target means what it meant), with its error texts. Pure: no connection.

pub(crate) mod error;
mod map;

pub use error::{Context, RevisionError, TargetError};
pub use map::Node;

/// A parsed relative target: `[label@][symbol](+|-)N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relative<'a> {
    pub branch_label: Option<&'a str>,
    pub symbol: Option<&'a str>,
    /// The signed number as written (`+2`, `-1`), used in messages.
    pub relative_str: &'a str,
    pub relative: i64,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Alembic's `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)`, matched at the start of the target.
pub fn parse_relative(target: &str) -> Option<Relative<'_>> {
    // The optional label group is tried first, shortest label first; then without a label.
    let at_positions = target
        .char_indices()
        .filter(|(_, c)| *c == '@')
        .map(|(i, _)| i);
    for at in at_positions.filter(|i| *i > 0) {
        if let Some(r) = match_symbol_relative(&target[at + 1..]) {
            return Some(Relative {
                branch_label: Some(&target[..at]),
                ..r
            });
        }
    }
    match_symbol_relative(target)
}

fn match_symbol_relative(s: &str) -> Option<Relative<'_>> {
    let word_end = s
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(s.len(), |(i, _)| i);
    let symbol = (word_end > 0).then(|| &s[..word_end]);
    let rest = &s[word_end..];
    let sign = rest.chars().next().filter(|c| *c == '+' || *c == '-')?;
    let digits_end = rest[1..]
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(rest.len() - 1, |(i, _)| i);
    if digits_end == 0 {
        return None;
    }
    let relative_str = &rest[..1 + digits_end];
    let magnitude: i64 = rest[1..1 + digits_end].parse().ok()?;
    Some(Relative {
        branch_label: None,
        symbol,
        relative_str,
        relative: if sign == '-' { -magnitude } else { magnitude },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_grammar() {
        let r = parse_relative("ae10+2").expect("relative");
        assert_eq!(
            (r.branch_label, r.symbol, r.relative),
            (None, Some("ae10"), 2)
        );
        let r = parse_relative("+3").expect("relative");
        assert_eq!(
            (r.branch_label, r.symbol, r.relative, r.relative_str),
            (None, None, 3, "+3")
        );
        let r = parse_relative("feature@-1").expect("relative");
        assert_eq!(
            (r.branch_label, r.symbol, r.relative),
            (Some("feature"), None, -1)
        );
        let r = parse_relative("feature@ae10+1").expect("relative");
        assert_eq!(
            (r.branch_label, r.symbol, r.relative),
            (Some("feature"), Some("ae10"), 1)
        );
        assert!(parse_relative("head").is_none());
        assert!(parse_relative("feature@head").is_none());
        assert!(parse_relative("ae10+").is_none());
        // Like Python's re.match, trailing text is ignored.
        assert_eq!(parse_relative("+2x").map(|r| r.relative), Some(2));
    }
}
