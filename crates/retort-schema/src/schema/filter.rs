//! `[autogenerate] include` / `exclude`: which objects `check`, `revision --autogenerate` and
//! `diff` compare (Alembic's `include_object` / `include_name` as configuration).
//!
//! A pattern is `[KIND:]SCHEMA[.NAME]`, with `*` (any characters) and `?` (one) in SCHEMA and
//! NAME: `audit` (the schema and everything in it), `public.tmp_*`, `table:staging.*`,
//! `extension:*`. KIND is `schema`, `extension`, `enum`, `domain`, `composite`, `sequence`,
//! `table`, `view`, `materialized_view`, `function`, or a catalog object's kind with `_` for
//! spaces (`collation`, `aggregate`, `text_search_configuration`...); an unknown KIND is an
//! error naming the closest. NAME matches an object's name; for functions, aggregates and
//! operators a NAME without `(` matches the name before the arguments (`function:public.calc*`
//! matches `calc(integer)`), one with `(` the whole identity. An object is compared when it
//! matches an `include` pattern (or `include` is empty) and no `exclude` pattern; the same on
//! both sides.

use super::{CatalogObject, QualName, Schema};
use retort_core::suggest;

/// The kinds a pattern may name that are not catalog objects' kinds.
const MODELLED_KINDS: &[&str] = &[
    "schema",
    "extension",
    "enum",
    "domain",
    "composite",
    "sequence",
    "table",
    "view",
    "materialized_view",
    "function",
];

/// A kind as patterns spell it: lower case, `_` for spaces and dashes.
fn kind_token(kind: &str) -> String {
    kind.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// Every kind a pattern may name.
fn known_kinds() -> Vec<String> {
    let objects = super::object::KIND_NAMES.iter().map(|k| kind_token(k));
    MODELLED_KINDS
        .iter()
        .map(|k| k.to_string())
        .chain(objects)
        .collect()
}

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
            Some((k, r)) => (Some(known_kind(text, k)?), r),
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
                (Some(n), _) => {
                    glob(n, &name.name)
                        || (!n.contains('(')
                            && name
                                .name
                                .split_once('(')
                                .is_some_and(|(bare, _)| glob(n, bare.trim_end())))
                }
            }
    }
}

/// The kind `k` of pattern `text`, checked against the kinds there are.
fn known_kind(text: &str, k: &str) -> Result<String, String> {
    let kind = kind_token(k);
    let kinds = known_kinds();
    if kinds.contains(&kind) {
        return Ok(kind);
    }
    let hint = suggest::closest(&kind, kinds.iter().map(String::as_str))
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default();
    Err(format!(
        "pattern {text:?} names no kind of object `{k}`{hint}; kinds: {}",
        kinds.join(", ")
    ))
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
        schema.objects.retain(|n, o| {
            // Keys are `<kind> <identity>`: patterns name the identity.
            let identity = CatalogObject::split_key(&n.name).map_or(n.name.as_str(), |(_, i)| i);
            self.keeps(&kind_token(&o.kind), &q(&n.schema, identity))
        });
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
        let calc = ObjectFilter::new(&[], &["function:public.calc*".into()]).expect("valid");
        assert!(!calc.keeps("function", &name("public", "calc(integer)")));
        assert!(!calc.keeps("function", &name("public", "calcx()")));
        assert!(calc.keeps("function", &name("public", "other(integer)")));
        let exact = ObjectFilter::new(&[], &["function:public.f(integer)".into()]).expect("valid");
        assert!(!exact.keeps("function", &name("public", "f(integer)")));
        assert!(exact.keeps("function", &name("public", "f(text)")));
        assert!(glob("a*b*c", "axxbyyc") && !glob("a*b", "ac") && glob("*", ""));
    }

    #[test]
    fn kinds_are_checked_and_catalog_objects_match_by_identity() {
        let err = ObjectFilter::new(&[], &["tabel:public.x".into()]).expect_err("unknown kind");
        assert!(err.contains("did you mean `table`?"), "{err}");
        assert!(
            err.starts_with("[autogenerate] exclude: pattern \"tabel:public.x\""),
            "{err}"
        );
        let f = ObjectFilter::new(
            &[],
            &[
                "Text Search Configuration:public.en*".into(),
                "aggregate:public.total_len".into(),
                "foreign-data wrapper:*".into(),
            ],
        )
        .expect("kinds with spaces and dashes");
        let mut s = Schema::default();
        for (schema, key, kind) in [
            (
                "public",
                "text search configuration english2",
                "text search configuration",
            ),
            ("public", "aggregate total_len(text)", "aggregate"),
            ("public", "aggregate other(text)", "aggregate"),
            ("", "foreign-data wrapper w", "foreign-data wrapper"),
            ("public", "collation english", "collation"),
        ] {
            let object = CatalogObject {
                kind: kind.into(),
                ..CatalogObject::default()
            };
            s.objects.insert(name(schema, key), object);
        }
        f.apply(&mut s);
        let kept: Vec<&str> = s.objects.keys().map(|k| k.name.as_str()).collect();
        assert_eq!(kept, ["aggregate other(text)", "collation english"]);
    }
}
