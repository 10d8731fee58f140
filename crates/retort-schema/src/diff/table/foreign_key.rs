//! Whether a foreign key must be made again because what it references changes, and the
//! column lists it is read from.

use std::collections::BTreeSet;

use super::constraint::same_constraint;
use crate::diff::Differ;
use crate::schema::{Constraint, ConstraintKind, Table};

/// Whether what foreign key `fk` depends on goes away or is made again, so that it must be
/// dropped first and made again after: the referenced table (gone or made again), a referenced
/// column (gone, or its type changes), or a unique index or key constraint on exactly the
/// referenced columns (PostgreSQL makes the foreign key depend on one of those, of its
/// choosing). Nothing else of the referenced table matters: its other columns, indexes,
/// constraints and comments change under the foreign key.
pub(super) fn referenced_key_changes(d: &Differ<'_>, fk: &Constraint) -> bool {
    let Some(referenced) = &fk.references else {
        return false;
    };
    if d.cascade.tables.contains(referenced) {
        return true;
    }
    let (Some(old), Some(new)) = (d.from.tables.get(referenced), d.to.tables.get(referenced))
    else {
        return true;
    };
    let Some(columns) = referenced_columns(&fk.definition) else {
        return true;
    };
    let remade = crate::diff::cascade::remade_columns(old, new);
    let column_changes = columns.iter().any(|name| {
        if remade.contains(&name.as_str()) {
            return true;
        }
        let find = |t: &'_ Table| t.columns.iter().find(|c| &c.name == name).cloned();
        match (find(old), find(new)) {
            (Some(o), Some(n)) => {
                o.data_type != n.data_type
                    || o.collation != n.collation
                    || o.generated != n.generated
                    || d.cascade
                        .enum_swaps
                        .iter()
                        .any(|e| e.to_string() == n.data_type.trim_end_matches("[]"))
            }
            _ => true,
        }
    });
    let wanted: BTreeSet<&str> = columns.iter().map(String::as_str).collect();
    let key_goes = old.constraints.iter().any(|(cname, c)| {
        matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
            && c.columns
                .iter()
                .map(String::as_str)
                .collect::<BTreeSet<_>>()
                == wanted
            && (new
                .constraints
                .get(cname)
                .is_none_or(|n| !same_constraint(c, n))
                || d.cascade.mentions_gone(&c.definition))
    });
    let index_goes = old.indexes.iter().any(|(iname, i)| {
        i.unique
            && i.predicate.is_none()
            && index_columns(&i.definition).is_some_and(|cols| {
                cols.iter().map(String::as_str).collect::<BTreeSet<_>>() == wanted
            })
            && (new
                .indexes
                .get(iname)
                .is_none_or(|n| n.definition != i.definition)
                || d.cascade.mentions_gone(&i.definition))
    });
    column_changes || key_goes || index_goes
}

/// The items of the parenthesised list opening at byte `open` of `text` (at the top level of
/// the list, outside quotes), and the byte after its closing parenthesis.
pub(super) fn list_at(text: &str, open: usize) -> Option<(Vec<&str>, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(open) != Some(&b'(') {
        return None;
    }
    let (mut depth, mut quote, mut start) = (0usize, None::<u8>, open + 1);
    let mut items = Vec::new();
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') => {
                depth -= 1;
                if depth == 0 {
                    items.push(text[start..i].trim());
                    return Some((items, i + 1));
                }
            }
            (None, b',') if depth == 1 => {
                items.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// The column an index or list item names (`a`, `"A b" DESC`, `a text_pattern_ops`), or None
/// for an expression.
pub(super) fn item_column(item: &str) -> Option<String> {
    let (name, rest) = if let Some(quoted) = item.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = quoted.char_indices().peekable();
        loop {
            let (i, c) = chars.next()?;
            if c == '"' {
                if chars.peek().map(|(_, c)| *c) == Some('"') {
                    chars.next();
                    name.push('"');
                    continue;
                }
                break (name, &quoted[i + 1..]);
            }
            name.push(c);
        }
    } else {
        let end = item
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(item.len());
        (item[..end].to_string(), &item[end..])
    };
    let plain = !name.is_empty() && (rest.is_empty() || rest.starts_with(char::is_whitespace));
    (plain && !rest.contains('(')).then_some(name)
}

/// The position of the first `(` of `text` outside double quotes.
pub(super) fn first_paren(text: &str, from: usize) -> Option<usize> {
    let mut quoted = false;
    for (i, b) in text.bytes().enumerate().skip(from) {
        match b {
            b'"' => quoted = !quoted,
            b'(' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// A foreign key's referenced columns: `FOREIGN KEY (a) REFERENCES s.t(b, "C") ...` gives `b`,
/// `C`.
pub(super) fn referenced_columns(definition: &str) -> Option<Vec<String>> {
    let (_, after_own) = list_at(definition, first_paren(definition, 0)?)?;
    let (items, _) = list_at(definition, first_paren(definition, after_own)?)?;
    items.into_iter().map(item_column).collect()
}

/// An index's key columns (`CREATE UNIQUE INDEX i ON s.t USING btree (a, b DESC) INCLUDE (c)`
/// gives `a`, `b`), or None when one is an expression.
pub(super) fn index_columns(definition: &str) -> Option<Vec<String>> {
    let (items, _) = list_at(definition, first_paren(definition, 0)?)?;
    items.into_iter().map(item_column).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referenced_columns_of_foreign_keys() {
        let cols = |d: &str| referenced_columns(d).map(|v| v.join("|"));
        assert_eq!(
            cols("FOREIGN KEY (a, b) REFERENCES public.t(x, \"Y, z\") ON DELETE SET NULL (a)"),
            Some("x|Y, z".to_string())
        );
        assert_eq!(
            cols("FOREIGN KEY (\"a(\") REFERENCES \"s(\".\"t)\"(id) MATCH FULL"),
            Some("id".to_string())
        );
    }

    #[test]
    fn key_columns_of_indexes() {
        let cols = |d: &str| index_columns(d).map(|v| v.join("|"));
        assert_eq!(
            cols("CREATE UNIQUE INDEX \"i (x)\" ON public.t USING btree (a DESC NULLS LAST, \"B\" text_pattern_ops) INCLUDE (c)"),
            Some("a|B".to_string())
        );
        assert_eq!(
            cols("CREATE UNIQUE INDEX i ON public.t USING btree (lower(a))"),
            None
        );
        assert_eq!(
            cols("CREATE UNIQUE INDEX i ON public.t USING btree (a, ((b + 1)))"),
            None
        );
    }
}
