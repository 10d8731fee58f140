//! A column's type change: whether it rewrites the table, and the `USING` cast.

use crate::sql::quote_ident;

/// Whether changing a column from `old` to `new` type keeps its bytes (no rewrite): the same
/// type with a wider length, or varchar to text.
pub(super) fn binary_coercible(old: &str, new: &str) -> bool {
    let base = |t: &str| t.split('(').next().unwrap_or(t).trim().to_string();
    let len = |t: &str| -> Option<u32> {
        t.split_once('(')?
            .1
            .trim_end_matches(')')
            .split(',')
            .next()?
            .trim()
            .parse()
            .ok()
    };
    if old.ends_with("[]") != new.ends_with("[]") {
        return false;
    }
    (base(old) == "character varying"
        && (new == "text" || (base(new) == base(old) && !new.contains('('))))
        || (base(old) == base(new)
            && matches!(base(old).as_str(), "character varying" | "bit varying")
            && matches!((len(old), len(new)), (Some(a), Some(b)) if b >= a))
}

/// The type family of a type, for choosing a cast.
pub(super) fn family(t: &str) -> &'static str {
    let base = t.split('(').next().unwrap_or(t).trim();
    match base {
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" | "money" => {
            "number"
        }
        "text" | "character varying" | "character" | "\"char\"" | "name" | "citext" => "text",
        "date" | "timestamp without time zone" | "timestamp with time zone" => "datetime",
        "time without time zone" | "time with time zone" => "time",
        "json" | "jsonb" => "json",
        "bit" | "bit varying" => "bits",
        "inet" | "cidr" => "network",
        _ => "other",
    }
}

/// `USING col::new`, or through text (PostgreSQL's I/O cast) where the two types have no cast
/// between them (bigint to timestamp).
pub(super) fn using_cast(column: &str, old: &str, new: &str) -> String {
    let col = quote_ident(column);
    let (fo, fnew) = (family(old), family(new));
    let array = old.ends_with("[]") || new.ends_with("[]");
    let direct = array
        || fo == "text"
        || fnew == "text"
        || (fo == fnew && fo != "other")
        || (old == "integer" && new == "boolean")
        || (old == "boolean" && new == "integer");
    if direct {
        format!("{col}::{new}")
    } else {
        format!("{col}::text::{new}")
    }
}
