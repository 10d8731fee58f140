//! SQL text utilities that need no database: statement splitting, identifier and literal quoting.

mod lex;
mod options;
mod quote;
mod split;

pub use lex::block_comment_end;
pub use options::options_change;
pub use quote::{
    push_quoted, quote_ident, quote_ident_unless_plain, quote_identifier, quote_literal,
    quote_qualified, QUOTED_KEYWORDS,
};
pub use split::{split_statements, SplitError, Statement};

#[cfg(test)]
mod tests {
    #[test]
    fn quoting() {
        assert_eq!(
            super::quote_ident("My \"odd\" table"),
            "\"My \"\"odd\"\" table\""
        );
        assert_eq!(super::quote_literal("it's"), "'it''s'");
        assert_eq!(super::quote_literal("''"), "''''''");
        assert_eq!(super::quote_ident("\""), "\"\"\"\"");
        assert_eq!(super::quote_ident(""), "\"\"");
        assert_eq!(super::quote_literal("é'ü"), "'é''ü'");
    }
}
