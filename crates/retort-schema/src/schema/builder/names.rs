//! Identifiers as PostgreSQL prints and chooses them: `quote_identifier` (ruleutils.c),
//! identifier truncation, and the names it makes up for unnamed constraints and indexes
//! (`makeObjectName`, `ChooseRelationName`, `ChooseConstraintName`, `ChooseIndexNameAddition`).
//! The quoting itself lives with retort's other quoting, in `retort_core::sql` (re-exported
//! here under its old path).

use std::collections::BTreeSet;

#[cfg(test)]
use retort_core::sql::QUOTED_KEYWORDS;
pub use retort_core::sql::{quote_identifier, quote_qualified};

/// PostgreSQL's `NAMEDATALEN`: identifiers are at most `NAMEDATALEN - 1` = 63 bytes.
pub const NAMEDATALEN: usize = 64;

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary
/// (`pg_mbcliplen` for UTF-8).
pub(crate) fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// An identifier as PostgreSQL stores it: cut to 63 bytes (`truncate_identifier`).
pub fn truncate_identifier(name: &str) -> String {
    clip(name, NAMEDATALEN - 1).to_string()
}

/// `makeObjectName`: `name1_name2_label`, shortening the longer of name1 and name2 first until
/// it fits in 63 bytes.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut overhead = label.len() + 1;
    let mut name1chars = name1.len();
    let mut name2chars = 0;
    if let Some(n2) = name2 {
        name2chars = n2.len();
        overhead += 1;
    }
    let avail = (NAMEDATALEN - 1).saturating_sub(overhead);
    while name1chars + name2chars > avail {
        if name1chars > name2chars {
            name1chars -= 1;
        } else {
            name2chars -= 1;
        }
    }
    let mut out = clip(name1, name1chars).to_string();
    if let Some(n2) = name2 {
        out.push('_');
        out.push_str(clip(n2, name2chars));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// `ChooseIndexNameAddition` / `ChooseForeignKeyConstraintNameAddition`: the names joined by
/// `_`, stopping once 64 bytes are reached.
pub fn name_addition<S: AsRef<str>>(names: &[S]) -> String {
    let mut buf = String::new();
    for name in names {
        if !buf.is_empty() {
            buf.push('_');
        }
        buf.push_str(clip(name.as_ref(), NAMEDATALEN - 1));
        if buf.len() >= NAMEDATALEN {
            break;
        }
    }
    buf
}

/// `ChooseIndexColumnNames`: each index column's name (its column, or `expr`, or the function
/// an expression calls), a repeated one numbered (`a`, `a1`, `a2`...).
pub fn index_column_names<S: AsRef<str>>(origins: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for origin in origins {
        let origin = origin.as_ref();
        let mut current = origin.to_string();
        let mut i = 1;
        while out.contains(&current) {
            let suffix = i.to_string();
            current = format!("{}{suffix}", clip(origin, NAMEDATALEN - 1 - suffix.len()));
            i += 1;
        }
        out.push(current);
    }
    out
}

/// The names already taken in one PostgreSQL schema, as `ChooseRelationName` and
/// `ChooseConstraintName` look them up.
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    /// Tables, indexes, sequences, views (`pg_class`).
    pub relations: BTreeSet<String>,
    /// Constraints of every table (`pg_constraint`).
    pub constraints: BTreeSet<String>,
}

impl Namespace {
    /// `ChooseRelationName`: the first of `label`, `label1`, `label2`... whose object name is no
    /// relation (and, for a constraint's index, no constraint) yet; the name is then taken.
    pub fn choose_relation_name(
        &mut self,
        name1: &str,
        name2: Option<&str>,
        label: &str,
        is_constraint: bool,
    ) -> String {
        let mut pass = 0;
        let mut modlabel = label.to_string();
        loop {
            let name = make_object_name(name1, name2, &modlabel);
            let taken = self.relations.contains(&name)
                || (is_constraint && self.constraints.contains(&name));
            if !taken {
                self.relations.insert(name.clone());
                if is_constraint {
                    self.constraints.insert(name.clone());
                }
                return name;
            }
            pass += 1;
            modlabel = format!("{label}{pass}");
        }
    }

    /// `ChooseConstraintName`: the first free constraint name; it is then taken.
    pub fn choose_constraint_name(
        &mut self,
        name1: &str,
        name2: Option<&str>,
        label: &str,
    ) -> String {
        let mut pass = 0;
        let mut modlabel = label.to_string();
        loop {
            let name = make_object_name(name1, name2, &modlabel);
            if !self.constraints.contains(&name) {
                self.constraints.insert(name.clone());
                return name;
            }
            pass += 1;
            modlabel = format!("{label}{pass}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_sorted_for_binary_search() {
        assert!(QUOTED_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn quotes_as_postgres_does() {
        assert_eq!(quote_identifier("tenant_id"), "tenant_id");
        assert_eq!(quote_identifier("timestamp"), "\"timestamp\"");
        assert_eq!(quote_identifier("Mixed"), "\"Mixed\"");
        assert_eq!(quote_identifier("a$b"), "\"a$b\"");
        assert_eq!(quote_identifier("1a"), "\"1a\"");
        assert_eq!(quote_identifier("name"), "name");
        assert_eq!(quote_identifier("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote_qualified("public", "user"), "public.\"user\"");
    }

    #[test]
    fn long_names_are_cut_as_postgres_cuts_them() {
        // Seen on PostgreSQL 15.
        let table = "a very long table name that goes on and on and on and on and on";
        let col = "long_column_name_that_is_quite_long_indeed_yes_it_is";
        let other = "other_long_column_name_that_is_quite_long";
        let mut ns = Namespace::default();
        assert_eq!(
            ns.choose_relation_name(table, Some(col), "key", true),
            "a very long table name that g_long_column_name_that_is_quit_key"
        );
        let both = name_addition(&[col, other]);
        assert_eq!(
            ns.choose_relation_name(table, Some(&both), "key", true),
            "a very long table name that g_long_column_name_that_is_qui_key1"
        );
        assert_eq!(make_object_name("t", None, "pkey"), "t_pkey");
        assert_eq!(
            index_column_names(&["a", "a", "expr", "a"]),
            ["a", "a1", "expr", "a2"]
        );
        assert_eq!(truncate_identifier(&"é".repeat(40)).len(), 62);
    }
}
