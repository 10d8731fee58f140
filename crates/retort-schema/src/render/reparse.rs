//! Deparsed expressions written so that they parse back to the same tree. PostgreSQL prints
//! `status IN ('a', 'b')` on a varchar column as `(status)::text = ANY ((ARRAY['a'::character
//! varying, 'b'::character varying])::text[])`; parsed again, a cast of an `ARRAY[...]`
//! constructor is pushed into its elements, and the constraint then prints
//! `ARRAY[('a'::character varying)::text, ...]`: another definition than the target's, and a
//! diff that never ends. Casting the constructor to its elements' own type first
//! (`(ARRAY[...]::character varying[])::text[]`) parses back to the original tree.

/// `expr` (an expression, or a statement holding expressions: a view's query, an index or
/// trigger definition) with every `(ARRAY[lit::t, ...])::u[]` written
/// `(ARRAY[lit::t, ...]::t[])::u[]`. Only code is read: string literals (`'...'`, `E'...'`,
/// dollar-quoted), quoted identifiers and comments are left as they are.
pub fn stable(expr: &str) -> String {
    const OPEN: &str = "(ARRAY[";
    let code = code_bytes(expr);
    let mut out = String::with_capacity(expr.len());
    let mut from = 0;
    let mut at = 0;
    while let Some(found) = find_in_code(expr, &code, at, OPEN) {
        let body_start = found + OPEN.len();
        let Some(close) = closing_bracket(expr, &code, body_start) else {
            break;
        };
        at = close + 1;
        let Some(t) = element_type(&expr[body_start..close]) else {
            continue;
        };
        let rest = &expr[at..];
        let recast = rest
            .strip_prefix(")::")
            .is_some_and(|r| !r.starts_with(&format!("{t}[]")));
        if recast {
            out.push_str(&expr[from..at]);
            out.push_str(&format!("::{t}[]"));
            from = at;
        }
    }
    out.push_str(&expr[from..]);
    out
}

/// Per byte of `s`, whether it is code: not inside a string literal (`'...'` with `''`,
/// `E'...'` with backslash escapes, `$tag$...$tag$`), a quoted identifier (`"..."` with `""`)
/// or a comment (`-- ...` to the end of the line, `/* ... */` nested).
fn code_bytes(s: &str) -> Vec<bool> {
    let b = s.as_bytes();
    let mut code = vec![true; b.len()];
    let mut i = 0;
    while i < b.len() {
        let end = match b[i] {
            b'\'' => quoted_end(b, i, b'\'', escapes_backslash(b, i)),
            b'"' => quoted_end(b, i, b'"', false),
            b'-' if b.get(i + 1) == Some(&b'-') => b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |n| i + n),
            b'/' if b.get(i + 1) == Some(&b'*') => crate::sql::block_comment_end(b, i),
            b'$' => dollar_quote_end(s, i).unwrap_or(i + 1),
            _ => i + 1,
        };
        if end > i + 1 {
            code[i..end].iter_mut().for_each(|c| *c = false);
        }
        i = end.max(i + 1);
    }
    code
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Whether the literal opening at `i` is an `E'...'` string (backslash escapes).
fn escapes_backslash(b: &[u8], i: usize) -> bool {
    i >= 1
        && matches!(b[i - 1], b'E' | b'e')
        && (i < 2 || !(is_ident_byte(b[i - 2]) || b[i - 2] == b'$'))
}

/// The offset just past the literal or identifier opening at `i` with `quote`.
fn quoted_end(b: &[u8], i: usize, quote: u8, backslash: bool) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        if backslash && b[j] == b'\\' {
            j += 2;
        } else if b[j] == quote {
            if b.get(j + 1) == Some(&quote) {
                j += 2;
            } else {
                return j + 1;
            }
        } else {
            j += 1;
        }
    }
    b.len()
}

/// The offset just past the dollar-quoted string opening at `i` (`$$` or `$tag$`), if one
/// does (not a parameter `$1`, nor a `$` inside an identifier).
fn dollar_quote_end(s: &str, i: usize) -> Option<usize> {
    let b = s.as_bytes();
    if i > 0 && is_ident_byte(b[i - 1]) {
        return None;
    }
    let tag_len = b[i + 1..].iter().position(|&c| !is_ident_byte(c))?;
    if b.get(i + 1 + tag_len) != Some(&b'$') || b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let tag = &s[i..i + tag_len + 2];
    let body = i + tag.len();
    Some(
        s[body..]
            .find(tag)
            .map_or(s.len(), |n| body + n + tag.len()),
    )
}

/// The byte offset of `needle` in `s` from `from` on, where all of it is code.
fn find_in_code(s: &str, code: &[bool], from: usize, needle: &str) -> Option<usize> {
    let mut at = from;
    while let Some(n) = s.get(at..)?.find(needle) {
        let i = at + n;
        if code[i..i + needle.len()].iter().all(|&c| c) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// The offset of the `]` (in code) closing a constructor whose body starts at `from`.
fn closing_bracket(s: &str, code: &[bool], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.bytes().enumerate().skip(from) {
        match c {
            _ if !code[i] => {}
            b'[' => depth += 1,
            b']' if depth == 0 => return Some(i),
            b']' => depth -= 1,
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

    const IN_LIST: &str = "(ARRAY['a'::character varying])::text[]";
    const STABLE: &str = "(ARRAY['a'::character varying]::character varying[])::text[]";

    #[test]
    fn view_bodies_and_statements_are_written_stably() {
        let view = "SELECT t.id,\n    CASE\n        WHEN ((t.status)::text = ANY ((ARRAY['paid'::character varying, 'completed'::character varying])::text[])) THEN 1\n        ELSE 0\n    END AS x\n   FROM t";
        assert_eq!(
            stable(view),
            view.replace(
                "'completed'::character varying])::text[]",
                "'completed'::character varying]::character varying[])::text[]"
            )
        );
        let index = format!(
            "CREATE INDEX i ON public.t USING btree (id) WHERE ((status)::text = ANY ({IN_LIST}))"
        );
        assert_eq!(stable(&index), index.replace(IN_LIST, STABLE));
        // Two in one text, the second after a literal holding a bracket.
        let two = format!("(a = ANY ({IN_LIST})) AND b = ']' AND (c = ANY ({IN_LIST}))");
        assert_eq!(stable(&two), two.replace(IN_LIST, STABLE));
    }

    #[test]
    fn literals_identifiers_and_comments_are_not_code() {
        // The pattern where it is not code is left alone, and what follows is still read.
        for not_code in [
            format!("\"{IN_LIST}\""),
            format!("'{}'", IN_LIST.replace('\'', "''")),
            format!("E'\\' {}'", IN_LIST.replace('\'', "\\'")),
            format!("$q${IN_LIST}$q$"),
            format!("$${IN_LIST}$$"),
            format!("-- {IN_LIST}\n"),
            format!("/* /* {IN_LIST} */ {IN_LIST} */"),
        ] {
            assert_eq!(stable(&not_code), not_code, "{not_code}");
            let then = format!("{not_code} = ANY ({IN_LIST})");
            assert_eq!(
                stable(&then),
                format!("{not_code} = ANY ({STABLE})"),
                "{then}"
            );
        }
        // A quote inside a quoted identifier opens no literal; `$1` is a parameter.
        let e = format!("(\"it's\" = ANY ({IN_LIST})) AND $1 = x$y");
        assert_eq!(stable(&e), e.replace(IN_LIST, STABLE));
    }
}
