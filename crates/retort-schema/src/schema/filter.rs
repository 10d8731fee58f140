//! `[autogenerate] include` / `exclude`: which objects `check`, `revision --autogenerate` and
//! `diff` compare (Alembic's `include_object` / `include_name` as configuration).
//!
//! A pattern is `[KIND:]SCHEMA[.NAME]`, with `*` (any characters) and `?` (one) in SCHEMA and
//! NAME: `audit` (the schema and everything in it), `public.tmp_*`, `table:staging.*`,
//! `extension:*`. KIND is `schema`, `extension`, `enum`, `domain`, `composite`, `sequence`,
//! `table`, `view`, `materialized_view`, `function`, or a catalog object's kind (`collation`,
//! `aggregate`...). An object is compared when it matches an `include` pattern (or `include` is
//! empty) and no `exclude` pattern; the same on both sides.

use super::{QualName, Schema};

/// One parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    kind: Option<String>,
    schema: String,
    name: Option<String>,
}

/// The include and exclude patterns of a configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectFilter {
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
}

impl Pattern {
    fn parse(text: &str) -> Result<Self, String> {
        let (kind, rest) = match text.split_once(':') {
            Some((k, r)) => (Some(k.trim().to_ascii_lowercase().replace(' ', "_")), r),
            None => (None, text),
        };
        let rest = rest.trim();
        let (schema, name) = match rest.split_once('.') {
            Some((s, n)) => (s.to_string(), Some(n.to_string())),
            None => (rest.to_string(), None),
        };
        if schema.is_empty() || name.as_deref() == Some("") {
            return Err(format!(
                "pattern {text:?} is not `[KIND:]SCHEMA[.NAME]` (e.g. `public.tmp_*`, `table:staging.*`)"
            ));
        }
        Ok(Self { kind, schema, name })
    }

    fn matches(&self, kind: &str, name: &QualName) -> bool {
        self.kind.as_deref().is_none_or(|k| k == kind)
            && glob(&self.schema, &name.schema)
            && match (&self.name, kind) {
                (None, _) => true,
                // A schema has no NAME: `SCHEMA.NAME` names what is in it.
                (Some(_), "schema") => false,
                (Some(n), _) => glob(n, &name.name),
            }
    }
}

impl ObjectFilter {
    /// Parse the configured patterns; the error says which is wrong and why.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, String> {
        let parse = |list: &[String], key: &str| -> Result<Vec<Pattern>, String> {
            list.iter()
                .map(|p| Pattern::parse(p).map_err(|e| format!("[autogenerate] {key}: {e}")))
                .collect()
        };
        Ok(Self {
            include: parse(include, "include")?,
            exclude: parse(exclude, "exclude")?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Whether an object of `kind` named `name` is compared.
    pub fn keeps(&self, kind: &str, name: &QualName) -> bool {
        (self.include.is_empty() || self.include.iter().any(|p| p.matches(kind, name)))
            && !self.exclude.iter().any(|p| p.matches(kind, name))
    }

    /// `schema` without the objects that are not compared.
    pub fn apply(&self, schema: &mut Schema) {
        if self.is_empty() {
            return;
        }
        let q = |s: &str, n: &str| QualName {
            schema: s.to_string(),
            name: n.to_string(),
        };
        schema
            .schemas
            .retain(|s, _| self.keeps("schema", &q(s, "")));
        schema
            .extensions
            .retain(|n, e| self.keeps("extension", &q(&e.schema, n)));
        schema.enums.retain(|n, _| self.keeps("enum", n));
        schema.domains.retain(|n, _| self.keeps("domain", n));
        schema.composites.retain(|n, _| self.keeps("composite", n));
        schema.sequences.retain(|n, _| self.keeps("sequence", n));
        schema.tables.retain(|n, _| self.keeps("table", n));
        schema.views.retain(|n, v| {
            let kind = if v.materialized {
                "materialized_view"
            } else {
                "view"
            };
            self.keeps(kind, n)
        });
        schema.functions.retain(|n, _| self.keeps("function", n));
        schema
            .objects
            .retain(|n, o| self.keeps(&o.kind.to_ascii_lowercase().replace(' ', "_"), n));
    }
}

/// `*` and `?` glob matching (no classes, no escapes).
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str, n: &str) -> QualName {
        QualName {
            schema: s.into(),
            name: n.into(),
        }
    }

    #[test]
    fn patterns() {
        let f = ObjectFilter::new(
            &[],
            &[
                "audit".into(),
                "public.tmp_*".into(),
                "view:public.v?".into(),
            ],
        )
        .expect("valid");
        assert!(!f.keeps("table", &name("audit", "events")));
        assert!(!f.keeps("schema", &name("audit", "")));
        assert!(!f.keeps("table", &name("public", "tmp_x")));
        assert!(f.keeps("table", &name("public", "tenants")));
        assert!(!f.keeps("view", &name("public", "v1")));
        assert!(f.keeps("table", &name("public", "v1")));
        assert!(f.keeps("view", &name("public", "v12")));
        let only = ObjectFilter::new(&["table:public.*".into()], &[]).expect("valid");
        assert!(only.keeps("table", &name("public", "a")));
        assert!(!only.keeps("view", &name("public", "a")));
        assert!(ObjectFilter::new(&["public.".into()], &[]).is_err());
        assert!(glob("a*b*c", "axxbyyc") && !glob("a*b", "ac") && glob("*", ""));
    }
}
