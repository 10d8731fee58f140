//! `pg_get_indexdef`: an index's definition, and the names PostgreSQL gives expression keys.

use super::build::Context;
use super::lists::matching_paren;
use super::names::{quote_identifier, quote_qualified};
use super::sql_text::cols_sql;
use super::{Index, IndexKey, TableBuilder};
use crate::sql::quote_literal;

/// Operator classes of extensions, qualified with the extension's schema when it is declared.
const EXTENSION_OPCLASSES: &[(&str, &str)] =
    &[("gin_trgm_ops", "pg_trgm"), ("gist_trgm_ops", "pg_trgm")];

impl Context<'_> {
    /// `pg_get_indexdef`.
    pub(super) fn index_definition(
        &self,
        t: &TableBuilder,
        name: &str,
        i: &Index,
        keys: &[IndexKey],
    ) -> String {
        let ordered = i.method == "btree";
        let cols: Vec<String> = keys
            .iter()
            .map(|k| {
                let mut s = if !k.expression {
                    quote_identifier(&k.key)
                } else if looks_like_function(&k.key) {
                    k.key.clone()
                } else {
                    format!("({})", k.key)
                };
                if let Some(c) = &k.collation {
                    s.push_str(&format!(" COLLATE {c}"));
                }
                if let Some(o) = &k.opclass {
                    s.push(' ');
                    s.push_str(&self.opclass(o));
                }
                if ordered {
                    if k.desc {
                        s.push_str(" DESC");
                        if k.nulls_first == Some(false) {
                            s.push_str(" NULLS LAST");
                        }
                    } else if k.nulls_first == Some(true) {
                        s.push_str(" NULLS FIRST");
                    }
                }
                s
            })
            .collect();
        let mut d = format!(
            "CREATE {}INDEX {} ON {} USING {} ({})",
            if i.unique { "UNIQUE " } else { "" },
            quote_identifier(name),
            quote_qualified(&t.schema, &t.name),
            i.method,
            cols.join(", ")
        );
        if !i.include.is_empty() {
            d.push_str(&format!(" INCLUDE ({})", cols_sql(&i.include)));
        }
        if i.nulls_not_distinct {
            d.push_str(" NULLS NOT DISTINCT");
        }
        if !i.with.is_empty() {
            let opts: Vec<String> = i
                .with
                .iter()
                .map(|(k, v)| format!("{k}={}", quote_literal(v)))
                .collect();
            d.push_str(&format!(" WITH ({})", opts.join(", ")));
        }
        if let Some(p) = &i.predicate {
            d.push_str(&format!(" WHERE {p}"));
        }
        d
    }

    fn opclass(&self, o: &str) -> String {
        if o.contains('.') {
            return o.to_string();
        }
        match EXTENSION_OPCLASSES
            .iter()
            .find(|(name, _)| *name == o)
            .and_then(|(_, ext)| self.extensions.get(*ext))
        {
            Some(x) => quote_qualified(&x.schema, o),
            None => quote_identifier(o),
        }
    }
}

/// What PostgreSQL names an index column that is an expression: the function it calls, else
/// `expr`.
pub(super) fn expression_name(expr: &str) -> String {
    if looks_like_function(expr) {
        let name = &expr[..expr.find('(').unwrap_or(expr.len())];
        name.rsplit('.')
            .next()
            .unwrap_or(name)
            .trim_matches('"')
            .to_string()
    } else {
        "expr".to_string()
    }
}

/// Whether `pg_get_indexdef` prints an index expression without extra parentheses: a plain
/// function call.
fn looks_like_function(expr: &str) -> bool {
    let name_end = expr
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '"'))
        .unwrap_or(expr.len());
    name_end > 0
        && expr[name_end..].starts_with('(')
        && expr.ends_with(')')
        && matching_paren(&expr[name_end..]) == Some(expr.len() - name_end - 1)
}
