//! A cursor over a statement's tokens: the small recursive-descent vocabulary of `parse`.

use super::token::{Kind, Token};

pub(crate) struct Cursor<'t, 'a> {
    toks: &'t [Token<'a>],
    text: &'a str,
    pub i: usize,
    /// Length of the statement text (the offset of "the end").
    end: usize,
}

impl<'t, 'a> Cursor<'t, 'a> {
    pub fn new(toks: &'t [Token<'a>], text: &'a str) -> Self {
        Cursor {
            toks,
            text,
            i: 0,
            end: text.len(),
        }
    }

    /// The statement's text from token `from` up to (not including) token `to`.
    pub fn text_between(&self, from: usize, to: usize) -> String {
        let Some(first) = self.toks.get(from).filter(|_| to > from) else {
            return String::new();
        };
        let last = &self.toks[to.min(self.toks.len()) - 1];
        self.text[first.at..last.at + last.text.len()].to_string()
    }

    pub fn peek(&self) -> Option<&'t Token<'a>> {
        self.toks.get(self.i)
    }

    pub fn peek_is(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is(kw))
    }

    pub fn peek_punct(&self, p: char) -> bool {
        self.peek().is_some_and(|t| t.is_punct(p))
    }

    pub fn done(&self) -> bool {
        self.i >= self.toks.len()
    }

    /// Offset of the next token (or the end of the statement).
    pub fn at(&self) -> usize {
        self.peek().map_or(self.end, |t| t.at)
    }

    pub fn next(&mut self) -> Option<&'t Token<'a>> {
        let t = self.toks.get(self.i);
        self.i += 1;
        t
    }

    /// Consume the keyword `kw` if it is next.
    pub fn eat(&mut self, kw: &str) -> bool {
        let yes = self.peek_is(kw);
        if yes {
            self.i += 1;
        }
        yes
    }

    /// Consume the keywords `kws` if they are all next, in order.
    pub fn eat_all(&mut self, kws: &[&str]) -> bool {
        let yes = kws
            .iter()
            .enumerate()
            .all(|(k, kw)| self.toks.get(self.i + k).is_some_and(|t| t.is(kw)));
        if yes {
            self.i += kws.len();
        }
        yes
    }

    pub fn eat_punct(&mut self, p: char) -> bool {
        let yes = self.peek_punct(p);
        if yes {
            self.i += 1;
        }
        yes
    }

    /// An identifier (word or quoted).
    pub fn ident(&mut self) -> Option<String> {
        let id = self.peek().and_then(Token::ident)?;
        self.i += 1;
        Some(id)
    }

    /// `name` or `schema.name` (a third part, `db.schema.name`, keeps the last two).
    pub fn qname(&mut self) -> Option<super::ast::QName> {
        let mut parts = vec![self.ident()?];
        while self.peek_punct('.') {
            self.i += 1;
            parts.push(self.ident()?);
        }
        let name = parts.pop()?;
        Some(super::ast::QName {
            schema: parts.pop(),
            name,
        })
    }

    /// Skip a balanced `( ... )` or `[ ... ]` group if one is next; true if there was one.
    pub fn skip_group(&mut self) -> bool {
        if !self.peek_punct('(') && !self.peek_punct('[') {
            return false;
        }
        let mut depth = 0usize;
        while let Some(t) = self.next() {
            if t.is_punct('(') || t.is_punct('[') {
                depth += 1;
            } else if t.is_punct(')') || t.is_punct(']') {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
        }
        true
    }

    /// Skip to the next `,` at this nesting level (not consumed), or to the end, or to an
    /// unbalanced `)`. Stops early before a keyword in `stop` at this level.
    pub fn skip_to_comma(&mut self, stop: &[&str]) {
        while let Some(t) = self.peek() {
            if t.is_punct(',') || t.is_punct(')') {
                return;
            }
            if t.kind == Kind::Word && stop.iter().any(|s| t.is(s)) {
                return;
            }
            if !self.skip_group() {
                self.i += 1;
            }
        }
    }

    /// A cursor at the same place (to look ahead without moving this one).
    pub fn clone_at(other: &Self) -> Self {
        Cursor {
            toks: other.toks,
            text: other.text,
            i: other.i,
            end: other.end,
        }
    }

    /// Move to the next keyword `kw` at any depth (or the end).
    pub fn skip_to_word(&mut self, kw: &str) {
        while self.peek().is_some_and(|t| !t.is(kw)) {
            self.i += 1;
        }
    }

    /// True if the keyword `kw` appears anywhere in the rest of the statement (outside
    /// strings: they are single tokens).
    pub fn rest_has(&self, kw: &str) -> bool {
        self.toks[self.i.min(self.toks.len())..]
            .iter()
            .any(|t| t.is(kw))
    }
}
