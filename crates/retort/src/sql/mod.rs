//! SQL text utilities that need no database: statement splitting, identifier and literal quoting.

mod split;

pub use split::{split_statements, SplitError, Statement};

/// `"name"` with inner quotes doubled: safe for any identifier, whatever it contains.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'` with inner quotes doubled (standard_conforming_strings is on since PostgreSQL 9.1).
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoting() {
        assert_eq!(
            super::quote_ident("My \"odd\" table"),
            "\"My \"\"odd\"\" table\""
        );
        assert_eq!(super::quote_literal("it's"), "'it''s'");
    }
}
