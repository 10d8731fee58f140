//! Splitting SQL text into statements, as psql does: semicolons end statements except inside
//! quotes ('...', E'...', "...", $tag$...$tag$), comments (-- and nested /* */), parentheses'
//! contents are not special, and SQL-standard bodies (`BEGIN ATOMIC ... END` of CREATE
//! FUNCTION/PROCEDURE, with CASE ... END inside) are kept whole.
//!
//! Used to run non-transactional revisions statement by statement in autocommit, and to tell
//! which statement (and line) an error belongs to.

/// One statement of a script, with where it starts in the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement<'a> {
    /// The statement text, without the terminating semicolon, trimmed of surrounding whitespace.
    pub text: &'a str,
    /// Byte offset of `text` in the script.
    pub offset: usize,
    /// 1-based line of the script where `text` starts.
    pub line: usize,
}

/// Unterminated quote or comment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unterminated {what} starting at line {line}, column {column}")]
pub struct SplitError {
    pub what: &'static str,
    /// Byte offset where the unterminated construct starts.
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// PostgreSQL's lexer's whitespace (`space` in scan.l): space, tab, newline, carriage return,
/// form feed and vertical tab. Not Unicode's: a no-break space is part of a statement (and an
/// error there), so a statement is never trimmed down to nothing.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn is_space_char(c: char) -> bool {
    u8::try_from(c).is_ok_and(is_space)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// Split `script` into statements. Empty statements (only whitespace and comments) are dropped.
// Long: one lexer loop (quotes, dollar quotes, comments, BEGIN ATOMIC) whose states share its cursor.
pub fn split_statements(script: &str) -> Result<Vec<Statement<'_>>, SplitError> {
    let b = script.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    let mut start = 0;
    // Words at the start of the current statement (for CREATE [OR REPLACE] FUNCTION|PROCEDURE).
    let mut head_words: Vec<String> = Vec::new();
    let mut has_code = false; // the statement has something other than comments/whitespace
    let mut begin_depth: i32 = 0;
    // (offset, line) of the last statement: lines are counted from there, not from the start,
    // so splitting is linear in the script's length.
    let mut lines = (0usize, 1usize);
    let fail = |what: &'static str, at: usize| {
        let (line, column) = position(script, at);
        SplitError {
            what,
            offset: at,
            line,
            column,
        }
    };
    while i < n {
        let c = b[i];
        match c {
            b'-' if i + 1 < n && b[i + 1] == b'-' => {
                while i < n && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if i + 1 < n && b[i + 1] == b'*' => {
                let at = i;
                let mut depth = 1;
                i += 2;
                while depth > 0 {
                    if i + 1 >= n {
                        return Err(fail("block comment", at));
                    }
                    if b[i] == b'/' && b[i + 1] == b'*' {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b[i + 1] == b'/' {
                        depth -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
            }
            b'\'' => {
                has_code = true;
                // E'...' allows backslash escapes; the E was consumed as an identifier char
                // just before, so look back.
                let escapes = i > 0
                    && (b[i - 1] == b'E' || b[i - 1] == b'e')
                    && (i < 2 || !is_ident_char(b[i - 2]));
                let at = i;
                i += 1;
                loop {
                    if i >= n {
                        return Err(fail("string literal", at));
                    }
                    if escapes && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == b'\'' {
                        if i + 1 < n && b[i + 1] == b'\'' {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            b'"' => {
                has_code = true;
                let at = i;
                i += 1;
                loop {
                    if i >= n {
                        return Err(fail("quoted identifier", at));
                    }
                    if b[i] == b'"' {
                        if i + 1 < n && b[i + 1] == b'"' {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            b'$' => {
                has_code = true;
                // $tag$ ... $tag$ (tag: identifier without $, possibly empty); $1 is a parameter.
                let at = i;
                let mut j = i + 1;
                if j < n && (b[j] == b'$' || is_ident_start(b[j])) {
                    while j < n && b[j] != b'$' && is_ident_char(b[j]) {
                        j += 1;
                    }
                    if j < n && b[j] == b'$' {
                        let tag = &script[i..=j];
                        match script[j + 1..].find(tag) {
                            Some(end) => i = j + 1 + end + tag.len(),
                            None => return Err(fail("dollar-quoted string", at)),
                        }
                        continue;
                    }
                }
                i += 1;
            }
            b';' => {
                if begin_depth <= 0 {
                    push(script, start, i, has_code, &mut out, &mut lines);
                    start = i + 1;
                    head_words.clear();
                    has_code = false;
                    begin_depth = 0;
                }
                i += 1;
            }
            c if is_ident_start(c) => {
                has_code = true;
                let s = i;
                while i < n && is_ident_char(b[i]) {
                    i += 1;
                }
                // An E/e prefix directly followed by a quote is part of an escape string.
                if i < n && b[i] == b'\'' && i - s == 1 && (b[s] == b'E' || b[s] == b'e') {
                    continue;
                }
                let word = script[s..i].to_ascii_uppercase();
                if head_words.len() < 4 {
                    head_words.push(word.clone());
                }
                if is_routine(&head_words) {
                    match word.as_str() {
                        "BEGIN" | "CASE" => begin_depth += 1,
                        "END" => begin_depth -= 1,
                        _ => {}
                    }
                }
            }
            _ => {
                if !is_space(c) {
                    has_code = true;
                }
                i += 1;
            }
        }
    }
    push(script, start, n, has_code, &mut out, &mut lines);
    Ok(out)
}

fn is_routine(words: &[String]) -> bool {
    match words {
        [c, kind, ..] if c == "CREATE" && (kind == "FUNCTION" || kind == "PROCEDURE") => true,
        [c, o, r, kind, ..]
            if c == "CREATE"
                && o == "OR"
                && r == "REPLACE"
                && (kind == "FUNCTION" || kind == "PROCEDURE") =>
        {
            true
        }
        _ => false,
    }
}

fn push<'a>(
    script: &'a str,
    start: usize,
    end: usize,
    has_code: bool,
    out: &mut Vec<Statement<'a>>,
    lines: &mut (usize, usize),
) {
    if !has_code {
        return;
    }
    let raw = &script[start..end];
    let lead = raw.len() - raw.trim_start_matches(is_space_char).len();
    let text = raw.trim_matches(is_space_char);
    let offset = start + lead;
    let line = lines.1 + script[lines.0..offset].matches('\n').count();
    *lines = (offset, line);
    out.push(Statement { text, offset, line });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        split_statements(s)
            .expect("splits")
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn simple_and_lines() {
        let s = "CREATE TABLE a (id int);\n\n-- comment; not a split\nCREATE INDEX CONCURRENTLY i ON a (id);\n";
        let st = split_statements(s).expect("splits");
        assert_eq!(st.len(), 2);
        assert_eq!(
            st[1].text,
            "-- comment; not a split\nCREATE INDEX CONCURRENTLY i ON a (id)"
        );
        assert_eq!(st[1].line, 3);
    }

    #[test]
    fn quotes_and_comments() {
        assert_eq!(
            texts("SELECT 'a;b', E'c\\';d', \"e;f\", $$g;h$$, $x$ $$; $x$; /* i; /* nested; */ j; */ SELECT 2"),
            vec!["SELECT 'a;b', E'c\\';d', \"e;f\", $$g;h$$, $x$ $$; $x$", "/* i; /* nested; */ j; */ SELECT 2"]
        );
        assert_eq!(
            texts("SELECT 'it''s;'; SELECT $1;"),
            vec!["SELECT 'it''s;'", "SELECT $1"]
        );
        // A backslash in a standard string is an ordinary character.
        assert_eq!(
            texts("SELECT 'a\\'; SELECT 2"),
            vec!["SELECT 'a\\'", "SELECT 2"]
        );
    }

    #[test]
    fn begin_atomic_bodies_stay_whole() {
        let s = "CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END; SELECT 2; END;\nSELECT f(1);";
        let t = texts(s);
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t[0].ends_with("SELECT 2; END"));
        // BEGIN as a transaction statement is not a body.
        assert_eq!(
            texts("BEGIN; SELECT 1; COMMIT;"),
            vec!["BEGIN", "SELECT 1", "COMMIT"]
        );
    }

    #[test]
    fn unterminated_constructs_are_errors() {
        let e =
            split_statements("SELECT 1;\nSELECT $body$ never closed").expect_err("unterminated");
        assert_eq!((e.what, e.line, e.column), ("dollar-quoted string", 2, 8));
        assert_eq!(
            split_statements("/* /* */").expect_err("unterminated").what,
            "block comment"
        );
        assert_eq!(
            split_statements("SELECT 'x")
                .expect_err("unterminated")
                .what,
            "string literal"
        );
        assert_eq!(
            split_statements("SELECT \"x")
                .expect_err("unterminated")
                .what,
            "quoted identifier"
        );
    }

    #[test]
    fn empty_statements_dropped() {
        assert!(texts(" ;; -- nothing\n /* x */ ;").is_empty());
    }

    /// Found by `cargo fuzz run splitter` (fuzz/regressions/splitter-vertical-tab): a vertical
    /// tab alone was a statement whose trimmed text was empty, sent to the server as "".
    #[test]
    fn whitespace_is_postgres_whitespace() {
        assert!(texts("\u{b}").is_empty());
        assert!(texts("select 1;\u{b}\u{c};\u{b}").len() == 1);
        assert_eq!(texts("\u{b}select 1\u{b};"), ["select 1"]);
        // Not whitespace to PostgreSQL: kept, so the server reports it.
        assert_eq!(texts("\u{a0};select 1\u{a0}"), ["\u{a0}", "select 1\u{a0}"]);
    }

    /// The splitter's edge cases, one row each: what psql would send as separate statements.
    /// Listed in crates/retort-cli/tests/fixtures/HOSTILE.md; the split of each is snapshotted.
    #[test]
    fn edge_case_set() {
        let cases: &[(&str, &str)] = &[
            ("semicolon in a string", "SELECT ';'; SELECT 2"),
            ("doubled quote in a string", "SELECT 'it''s; fine'; SELECT 2"),
            ("E-string with an escaped quote", "SELECT E'a\\';b'; SELECT 2"),
            ("backslash at the end of a plain string", "SELECT 'a\\'; SELECT 2"),
            ("quoted identifier with a semicolon", "CREATE TABLE \"a;b\" (x int); SELECT 2"),
            ("dollar quote", "DO $$ BEGIN PERFORM 1; END $$; SELECT 2"),
            ("tagged dollar quote holding $$", "SELECT $fn$ a $$ ; $$ b $fn$; SELECT 2"),
            ("dollar sign in an identifier is not a quote", "SELECT a$b$c FROM t; SELECT 2"),
            ("positional parameter is not a quote", "PREPARE p AS SELECT $1; SELECT 2"),
            ("line comment with a semicolon", "SELECT 1 -- not the end;\n; SELECT 2"),
            ("nested block comment", "SELECT 1 /* a /* b; */ c; */; SELECT 2"),
            ("BEGIN ATOMIC body", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 3"),
            ("CASE ... END inside BEGIN ATOMIC", "CREATE PROCEDURE p() BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END; SELECT 2"),
            ("BEGIN as a transaction", "BEGIN; SELECT 1; COMMIT"),
            ("U& string and identifier", "SELECT U&'d\\0061t;a', U&\"x;y\"; SELECT 2"),
            ("only comments and semicolons", "-- a;\n/* b; */ ;;\n"),
            ("no final semicolon", "SELECT 1;\nSELECT 2"),
            ("vertical tab and form feed are whitespace", "\u{b}SELECT 1\u{c};\u{b};"),
            ("no-break space is not whitespace", "SELECT 1\u{a0};\u{a0};"),
            ("unicode in identifiers and strings", "SELECT 'Kraków;東京' AS \"größe;\"; SELECT 2"),
            ("CRLF line endings", "SELECT 1;\r\nSELECT\r\n 2;\r\n"),
            ("unterminated string", "SELECT 'abc; SELECT 2"),
            ("unterminated quoted identifier", "SELECT \"abc; SELECT 2"),
            ("unterminated dollar quote", "DO $x$ BEGIN END $y$; SELECT 2"),
            ("unterminated nested comment", "SELECT 1 /* a /* b */ ; SELECT 2"),
            ("fuzz: control characters after a unicode space", "\u{2004}\u{1}\0\0_"),
        ];
        let mut out = String::new();
        for (name, sql) in cases {
            out.push_str(&format!("## {name}\n{sql:?}\n"));
            match split_statements(sql) {
                Ok(statements) => {
                    for s in statements {
                        out.push_str(&format!("  line {}: {:?}\n", s.line, s.text));
                    }
                }
                Err(e) => out.push_str(&format!("  error: {e}\n")),
            }
        }
        insta::assert_snapshot!(out);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_covers_input(s in "[a-zA-Z0-9 ;'\"$/*\\-\\n_E\\\\]{0,80}") {
            if let Ok(st) = split_statements(&s) {
                for w in st.windows(2) {
                    proptest::prop_assert!(w[0].offset + w[0].text.len() <= w[1].offset);
                }
                for x in &st {
                    proptest::prop_assert_eq!(&s[x.offset..x.offset + x.text.len()], x.text);
                }
            }
        }
    }
}
