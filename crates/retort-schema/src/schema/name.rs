//! Qualified names (`schema.name`), serialised as one string so they can key JSON maps.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A schema-qualified object name. Ordered by schema, then name.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualName {
    pub schema: String,
    pub name: String,
}

impl QualName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// `"schema"."name"`, always quoted: safe to paste into SQL.
    pub fn sql(&self) -> String {
        let mut out = String::with_capacity(self.schema.len() + self.name.len() + 5);
        crate::sql::push_quoted(&mut out, &self.schema, '"');
        out.push('.');
        crate::sql::push_quoted(&mut out, &self.name, '"');
        out
    }

    /// Parse the [`Display`](fmt::Display) form back (`schema.name`, either part quoted with
    /// `"` when it is not a plain lower-case identifier).
    pub fn parse(text: &str) -> Result<Self, ParseNameError> {
        let err = || ParseNameError(text.to_string());
        let (schema, rest) = ident(text).ok_or_else(err)?;
        let rest = rest.strip_prefix('.').ok_or_else(err)?;
        let (name, rest) = ident(rest).ok_or_else(err)?;
        if !rest.is_empty() {
            return Err(err());
        }
        Ok(Self { schema, name })
    }
}

/// A qualified name that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid qualified name {0:?}: expected schema.name")]
pub struct ParseNameError(pub String);

/// One identifier at the start of `text`: `"quoted ""x"""` or a plain run up to the first `.`.
fn ident(text: &str) -> Option<(String, &str)> {
    if let Some(mut rest) = text.strip_prefix('"') {
        let mut out = String::new();
        loop {
            let end = rest.find('"')?;
            out.push_str(&rest[..end]);
            rest = &rest[end + 1..];
            if let Some(r) = rest.strip_prefix('"') {
                out.push('"');
                rest = r;
            } else {
                return Some((out, rest));
            }
        }
    }
    let end = text.find('.').unwrap_or(text.len());
    if end == 0 {
        return None;
    }
    Some((text[..end].to_string(), &text[end..]))
}

fn is_plain(part: &str) -> bool {
    let mut chars = part.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
}

fn part(f: &mut fmt::Formatter<'_>, p: &str) -> fmt::Result {
    if is_plain(p) {
        f.write_str(p)
    } else {
        write!(f, "\"{}\"", p.replace('"', "\"\""))
    }
}

/// `schema.name`, each part quoted only when it is not a plain lower-case identifier.
impl fmt::Display for QualName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        part(f, &self.schema)?;
        f.write_str(".")?;
        part(f, &self.name)
    }
}

impl Serialize for QualName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for QualName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        QualName::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::QualName;

    #[test]
    fn display_parses_back() {
        for (s, n) in [
            ("public", "t"),
            ("My Schema", "a.b"),
            ("x\"y", "Z"),
            ("s", "t$1"),
        ] {
            let q = QualName::new(s, n);
            assert_eq!(QualName::parse(&q.to_string()), Ok(q.clone()), "{q}");
        }
        assert_eq!(QualName::new("public", "t").to_string(), "public.t");
        assert_eq!(
            QualName::new("public", "Foo Bar").sql(),
            "\"public\".\"Foo Bar\""
        );
        assert!(QualName::parse("nodot").is_err());
    }
}
