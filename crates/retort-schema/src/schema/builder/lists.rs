//! The list texts of declarations: a comma-separated list of index keys, a `REFERENCES` target,
//! the parenthesis that closes a call.

use super::names;
use crate::schema::QualName;

/// Split a comma-separated list at the commas outside parentheses and quotes
/// (`"lower(a), b DESC"` → `["lower(a)", "b DESC"]`), items trimmed, empty ones dropped.
pub fn split_list(text: &str) -> Vec<String> {
    let (mut depth, mut quote) = (0i32, None::<char>);
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A table name as `fk_*`/`REFERENCES` parse it: `schema.table` or `table`, with its columns.
pub(super) fn parse_target(target: &str, default_schema: &str) -> Option<(QualName, Vec<String>)> {
    let target = target.trim();
    let (table, cols) = match target.find('(') {
        Some(open) => {
            let inner = target[open + 1..].trim_end().strip_suffix(')')?;
            let cols = inner
                .split(',')
                .map(|c| c.trim().trim_matches('"').to_string())
                .filter(|c| !c.is_empty())
                .collect();
            (target[..open].trim(), cols)
        }
        None => (target, Vec::new()),
    };
    let parts: Vec<&str> = table
        .split('.')
        .map(|p| p.trim().trim_matches('"'))
        .collect();
    let cut = names::truncate_identifier;
    let qn = match parts.as_slice() {
        [t] => QualName::new(default_schema, cut(t)),
        [s, t] => QualName::new(cut(s), cut(t)),
        _ => return None,
    };
    Some((qn, cols))
}

/// The index of the parenthesis closing the first one opened in `s` (quotes respected).
pub(super) fn matching_paren(s: &str) -> Option<usize> {
    let (mut depth, mut quote) = (0i32, None::<char>);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}
