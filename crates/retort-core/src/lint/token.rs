//! PostgreSQL's lexical structure, as much as the rules need: words, quoted identifiers, strings
//! (`'...'`, `E'...'`, `$tag$...$tag$`), numbers and punctuation, each with its byte offset.
//! Comments and whitespace are dropped, so a keyword inside a string or a comment never matches.
//! The text comes from [`crate::sql::split_statements`], which has already rejected an
//! unterminated quote or comment; here one simply runs to the end.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A keyword or unquoted identifier (compared case-insensitively).
    Word,
    /// `"Name"`: an identifier kept as written.
    Quoted,
    /// A string constant (any quoting).
    Str,
    Number,
    /// One character of punctuation or an operator character.
    Punct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
    /// Byte offset in the statement text.
    pub at: usize,
}

impl Token<'_> {
    /// The keyword `kw` (lower case), unquoted.
    pub fn is(&self, kw: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(kw)
    }

    pub fn is_punct(&self, p: char) -> bool {
        self.kind == Kind::Punct && self.text.len() == 1 && self.text.starts_with(p)
    }

    /// The identifier this token names: an unquoted word folded to lower case, a quoted one as
    /// written (`""` read as `"`); `None` for anything else.
    pub fn ident(&self) -> Option<String> {
        match self.kind {
            Kind::Word => Some(self.text.to_ascii_lowercase()),
            Kind::Quoted => Some(self.text[1..self.text.len() - 1].replace("\"\"", "\"")),
            _ => None,
        }
    }
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// The tokens of one statement.
pub(crate) fn tokenize(text: &str) -> Vec<Token<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let kind = match b[i] {
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = text[i..].find('\n').map_or(b.len(), |e| i + e);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(b, i);
                continue;
            }
            b'\'' => {
                i = skip_quoted(b, i, b'\'', false);
                Kind::Str
            }
            b'"' => {
                i = skip_quoted(b, i, b'"', false);
                Kind::Quoted
            }
            b'$' => match dollar_tag(text, i) {
                Some(tag) => {
                    i = text[i + tag.len()..]
                        .find(tag)
                        .map_or(b.len(), |e| i + tag.len() + e + tag.len());
                    Kind::Str
                }
                None => {
                    i += 1;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    Kind::Punct
                }
            },
            c if is_ident_start(c) => {
                while i < b.len() && is_ident_char(b[i]) {
                    i += 1;
                }
                let word = &text[start..i];
                if i < b.len()
                    && b[i] == b'\''
                    && matches!(
                        word,
                        "E" | "e" | "B" | "b" | "X" | "x" | "N" | "n" | "U&" | "u&"
                    )
                {
                    i = skip_quoted(b, i, b'\'', word.eq_ignore_ascii_case("e"));
                    Kind::Str
                } else {
                    Kind::Word
                }
            }
            c if c.is_ascii_digit()
                || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_')
                {
                    i += 1;
                }
                Kind::Number
            }
            _ => {
                i += text[i..].chars().next().map_or(1, char::len_utf8);
                Kind::Punct
            }
        };
        out.push(Token {
            kind,
            text: &text[start..i.min(b.len())],
            at: start,
        });
    }
    out
}

fn skip_block_comment(b: &[u8], i: usize) -> usize {
    crate::sql::block_comment_end(b, i)
}

/// The end of a quoted run starting at `i` (doubled quotes stay inside; backslash escapes
/// when `escapes`).
fn skip_quoted(b: &[u8], mut i: usize, quote: u8, escapes: bool) -> usize {
    i += 1;
    while i < b.len() {
        if escapes && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == quote {
            if b.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// `$tag$` starting at `i`, if there is one (`$1` is a parameter, not a tag).
fn dollar_tag(text: &str, i: usize) -> Option<&str> {
    let b = text.as_bytes();
    let mut j = i + 1;
    if j < b.len() && b[j] != b'$' && !is_ident_start(b[j]) {
        return None;
    }
    while j < b.len() && b[j] != b'$' && is_ident_char(b[j]) {
        j += 1;
    }
    (j < b.len() && b[j] == b'$').then(|| &text[i..=j])
}

#[cfg(test)]
mod tests {
    use super::{tokenize, Kind};

    #[test]
    fn strings_comments_and_quotes_are_single_tokens() {
        let sql = "ALTER /* x */ TABLE \"My \"\"T\"\"\" -- ADD COLUMN\n ADD c text DEFAULT E'it\\'s' || $f$DROP TABLE$f$";
        let t = tokenize(sql);
        let kinds: Vec<_> = t.iter().map(|t| (t.kind, t.text)).collect();
        assert_eq!(
            kinds,
            vec![
                (Kind::Word, "ALTER"),
                (Kind::Word, "TABLE"),
                (Kind::Quoted, "\"My \"\"T\"\"\""),
                (Kind::Word, "ADD"),
                (Kind::Word, "c"),
                (Kind::Word, "text"),
                (Kind::Word, "DEFAULT"),
                (Kind::Str, "E'it\\'s'"),
                (Kind::Punct, "|"),
                (Kind::Punct, "|"),
                (Kind::Str, "$f$DROP TABLE$f$"),
            ]
        );
        assert_eq!(t[2].ident().as_deref(), Some("My \"T\""));
        assert_eq!(t[0].at, 0);
        assert_eq!(&sql[t[3].at..t[3].at + 3], "ADD");
    }

    #[test]
    fn numbers_and_parameters() {
        let t = tokenize("varchar(255) $1 1.5e3");
        let texts: Vec<_> = t.iter().map(|t| t.text).collect();
        assert_eq!(texts, vec!["varchar", "(", "255", ")", "$1", "1.5e3"]);
    }
}
