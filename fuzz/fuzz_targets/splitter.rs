//! The statement splitter: no panic on any text, and these invariants:
//! - each statement is the slice of the script at its offset, non-empty, trimmed, and the
//!   statements come in order without overlapping;
//! - its line is the line of its offset;
//! - what lies between statements holds no statement (only whitespace, `;` and comments);
//! - splitting a statement on its own gives back that one statement;
//! - an error points inside the script, at the line and column of its offset.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retort::sql::split_statements;

fn line_col(s: &str, offset: usize) -> (usize, usize) {
    let before = &s[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fuzz_target!(|data: &[u8]| {
    let Ok(script) = std::str::from_utf8(data) else {
        return;
    };
    match split_statements(script) {
        Ok(statements) => {
            let mut end = 0;
            for st in &statements {
                assert!(st.offset >= end, "statements overlap or go backwards");
                assert!(!st.text.is_empty());
                // Trimmed of PostgreSQL's whitespace (a no-break space is not).
                let pg_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c');
                assert_eq!(
                    st.text,
                    st.text.trim_matches(pg_space),
                    "statement not trimmed"
                );
                assert_eq!(&script[st.offset..st.offset + st.text.len()], st.text);
                assert_eq!(st.line, line_col(script, st.offset).0);
                let gap = &script[end..st.offset];
                let in_gap = split_statements(gap);
                assert!(
                    matches!(&in_gap, Ok(v) if v.is_empty()),
                    "code between statements: {gap:?} -> {in_gap:?}"
                );
                end = st.offset + st.text.len();
                let alone = split_statements(st.text).expect("a statement alone fails to split");
                assert_eq!(
                    alone.iter().map(|s| s.text).collect::<Vec<_>>(),
                    vec![st.text],
                    "a statement alone splits differently"
                );
            }
            let tail = &script[end..];
            assert!(matches!(split_statements(tail), Ok(v) if v.is_empty()));
        }
        Err(e) => {
            assert!(e.offset < script.len().max(1));
            assert!(script.is_char_boundary(e.offset));
            assert_eq!((e.line, e.column), line_col(script, e.offset));
            assert!(!e.to_string().contains('\n'));
        }
    }
});
