//! Deparsed expressions written so that they parse back to the same tree. PostgreSQL prints
//! `status IN ('a', 'b')` on a varchar column as `(status)::text = ANY ((ARRAY['a'::character
//! varying, 'b'::character varying])::text[])`; parsed again, a cast of an `ARRAY[...]`
//! constructor is pushed into its elements, and the constraint then prints
//! `ARRAY[('a'::character varying)::text, ...]`: another definition than the target's, and a
//! diff that never ends. Casting the constructor to its elements' own type first
//! (`(ARRAY[...]::character varying[])::text[]`) parses back to the original tree.

/// `expr` with every `(ARRAY[lit::t, ...])::u[]` written `(ARRAY[lit::t, ...]::t[])::u[]`.
pub fn stable(expr: &str) -> String {
    const OPEN: &str = "(ARRAY[";
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    while let Some(at) = find_outside_quotes(rest, OPEN) {
        let body_start = at + OPEN.len();
        out.push_str(&rest[..body_start]);
        rest = &rest[body_start..];
        let Some(close) = closing_bracket(rest) else {
            break;
        };
        let body = &rest[..close];
        out.push_str(body);
        out.push(']');
        rest = &rest[close + 1..];
        if let Some(t) = element_type(body) {
            let outer = rest
                .strip_prefix(")::")
                .filter(|r| !r.starts_with(&format!("{t}[]")));
            if outer.is_some() {
                out.push_str(&format!("::{t}[]"));
            }
        }
    }
    out.push_str(rest);
    out
}

/// The byte offset of `needle` in `s` outside single-quoted literals.
fn find_outside_quotes(s: &str, needle: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        if c == '\'' {
            quoted = !quoted;
        } else if !quoted && s[i..].starts_with(needle) {
            return Some(i);
        }
    }
    None
}

/// The offset of the `]` closing a constructor whose body starts `s`.
fn closing_bracket(s: &str) -> Option<usize> {
    let (mut depth, mut quoted) = (0usize, false);
    for (i, c) in s.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted && depth == 0 => return Some(i),
            ']' if !quoted => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The type every element casts a literal to (`'a'::character varying`), when all do alike.
fn element_type(body: &str) -> Option<String> {
    let mut found: Option<&str> = None;
    let mut rest = body.trim();
    while !rest.is_empty() {
        let lit_end = literal_end(rest)?;
        let after = rest[lit_end..].strip_prefix("::")?;
        let end = after.find(", '").unwrap_or(after.len());
        let t = after[..end].trim();
        if t.is_empty() || t.contains(['[', ']', '(', ')', ',', '\'']) && !is_typmod(t) {
            return None;
        }
        if found.is_some_and(|f| f != t) {
            return None;
        }
        found = Some(t);
        rest = after[end..]
            .strip_prefix(", ")
            .unwrap_or(&after[end..])
            .trim();
    }
    found.map(str::to_string)
}

/// Whether `t` is a type with a modifier only (`character varying(10)`).
fn is_typmod(t: &str) -> bool {
    t.ends_with(')')
        && t.find('(').is_some_and(|i| {
            t[i + 1..t.len() - 1]
                .chars()
                .all(|c| c.is_ascii_digit() || c == ',')
        })
}

/// The offset just past the single-quoted literal `s` starts with.
fn literal_end(s: &str) -> Option<usize> {
    let s_bytes = s.as_bytes();
    if s_bytes.first() != Some(&b'\'') {
        return None;
    }
    let mut i = 1;
    while i < s_bytes.len() {
        if s_bytes[i] == b'\'' {
            if s_bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::stable;

    #[test]
    fn varchar_in_list_keeps_its_tree() {
        assert_eq!(
            stable("CHECK (((status)::text = ANY ((ARRAY['a'::character varying, 'b''c'::character varying])::text[])))"),
            "CHECK (((status)::text = ANY ((ARRAY['a'::character varying, 'b''c'::character varying]::character varying[])::text[])))"
        );
    }

    #[test]
    fn other_expressions_are_left_alone() {
        for e in [
            "CHECK ((amount > (0)::numeric))",
            "CHECK ((x = ANY (ARRAY[1, 2])))",
            "CHECK ((s = ANY ((ARRAY['a'::text, 'b'::character varying])::text[])))",
            "CHECK ((s = ANY (ARRAY['(ARRAY['::text])))",
            "CHECK ((s = ANY ((ARRAY['a'::text])::text[])))",
        ] {
            assert_eq!(stable(e), e);
        }
    }
}
