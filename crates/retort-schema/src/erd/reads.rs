//! Which relations a view's query reads: `pg_get_viewdef` under an empty `search_path`
//! qualifies every relation (`public.users`, `"My Schema"."T"`), so the qualified names in
//! the text that are drawn relations are what it reads (the model's `depends_on` lists views
//! and functions only).

use std::collections::BTreeSet;

use crate::schema::QualName;

/// An identifier at `chars[i..]` (plain or double-quoted): its name and the index after it.
fn ident(chars: &[char], i: usize) -> Option<(String, usize)> {
    let c = *chars.get(i)?;
    if c == '"' {
        let mut name = String::new();
        let mut j = i + 1;
        loop {
            match chars.get(j)? {
                '"' if chars.get(j + 1) == Some(&'"') => {
                    name.push('"');
                    j += 2;
                }
                '"' => return Some((name, j + 1)),
                ch => {
                    name.push(*ch);
                    j += 1;
                }
            }
        }
    }
    if c.is_alphabetic() || c == '_' {
        let end = (i..chars.len())
            .find(|j| !(chars[*j].is_alphanumeric() || chars[*j] == '_' || chars[*j] == '$'))
            .unwrap_or(chars.len());
        return Some((chars[i..end].iter().collect(), end));
    }
    None
}

/// The drawn relations named `schema.name` in `definition`.
pub(super) fn relations_read(definition: &str, drawn: &BTreeSet<&QualName>) -> BTreeSet<QualName> {
    let chars: Vec<char> = definition.chars().collect();
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        // String literals are skipped whole.
        if chars[i] == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            continue;
        }
        if let (true, Some((schema, after))) = (starts, ident(&chars, i)) {
            if chars.get(after) == Some(&'.') {
                if let Some((name, _)) = ident(&chars, after + 1) {
                    let q = QualName::new(schema, name);
                    if drawn.contains(&q) {
                        out.insert(q);
                    }
                }
            }
            i = after.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}
