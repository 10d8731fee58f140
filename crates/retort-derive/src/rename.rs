//! `rename_all` of `#[derive(retort::Enum)]` (and the default table name, the struct's name in
//! `snake_case`): the conventions of serde and postgres-types.

use proc_macro2::Span;
use syn::Error;

/// A name's words: split at `_`, `-` and case changes (`HTTPServer` → `HTTP`, `Server`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `name` after the `rename_all` rule `rule`; an unknown rule is an error at `span`.
pub(crate) fn rename(name: &str, rule: &str, span: Span) -> syn::Result<String> {
    let w = words(name);
    let lower: Vec<String> = w.iter().map(|s| s.to_lowercase()).collect();
    let capital = |s: &String| {
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase())
            .unwrap_or_default()
    };
    Ok(match rule {
        "lowercase" => name.to_lowercase(),
        "UPPERCASE" => name.to_uppercase(),
        "snake_case" => lower.join("_"),
        "SCREAMING_SNAKE_CASE" => lower.join("_").to_uppercase(),
        "kebab-case" => lower.join("-"),
        "SCREAMING-KEBAB-CASE" => lower.join("-").to_uppercase(),
        "PascalCase" => w.iter().map(capital).collect(),
        "camelCase" => {
            let mut s: String = w.iter().map(capital).collect();
            if let Some(f) = s.get(..1) {
                s = f.to_lowercase() + &s[1..];
            }
            s
        }
        "Train-Case" => w.iter().map(capital).collect::<Vec<_>>().join("-"),
        _ => {
            return Err(Error::new(
                span,
                format!("unknown rename_all rule {rule:?}"),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{rename, words};
    use proc_macro2::Span;

    #[test]
    fn renames_like_postgres_types() {
        assert_eq!(words("IncompleteExpired"), ["Incomplete", "Expired"]);
        assert_eq!(words("HTTPServer"), ["HTTP", "Server"]);
        let r = |n: &str, rule: &str| rename(n, rule, Span::call_site()).expect("rule");
        assert_eq!(
            r("AiAnalysisComplete", "snake_case"),
            "ai_analysis_complete"
        );
        assert_eq!(r("PastDue", "kebab-case"), "past-due");
        assert_eq!(r("PastDue", "SCREAMING_SNAKE_CASE"), "PAST_DUE");
        assert_eq!(r("PastDue", "camelCase"), "pastDue");
        assert_eq!(r("PastDue", "lowercase"), "pastdue");
    }
}
