//! Lexical pieces every reader of SQL text here needs alike (the statement splitter, the
//! linter's tokenizer, the diff's expression re-printer).

/// The offset just past the block comment opening at `i` (`/*`), nested comments included
/// as PostgreSQL nests them; the end of `b` when it is unterminated.
pub fn block_comment_end(b: &[u8], i: usize) -> usize {
    let (mut depth, mut j) = (0usize, i);
    while j + 1 < b.len() {
        if b[j] == b'/' && b[j + 1] == b'*' {
            depth += 1;
            j += 2;
        } else if b[j] == b'*' && b[j + 1] == b'/' {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return j;
            }
        } else {
            j += 1;
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::block_comment_end;

    #[test]
    fn nested_and_unterminated_comments() {
        let s = b"/* a /* b */ c */ x";
        assert_eq!(block_comment_end(s, 0), 17);
        assert_eq!(&s[17..], b" x");
        assert_eq!(block_comment_end(b"/* open", 0), 7);
        assert_eq!(block_comment_end(b"/*/", 0), 3);
        assert_eq!(block_comment_end(b"x /**/y", 2), 6);
    }
}
