//! Whether a default expression is volatile: PostgreSQL 11+ stores a non-volatile default of a
//! new column in the catalog, a volatile one is computed for every row (a rewrite).
//!
//! Statically, a function's volatility is known only for PostgreSQL's own functions: any call
//! to a function not listed here as immutable or stable counts as volatile, so the rule may
//! warn about a stable function of your own, never stay silent about a volatile one.

use super::token::{tokenize, Kind};

/// Built-in functions that are immutable or stable (`provolatile` `i` or `s`), commonly used
/// in defaults.
const NON_VOLATILE: &[&str] = &[
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_setting",
    "current_database",
    "current_schema",
    "lower",
    "upper",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
    "length",
    "concat",
    "concat_ws",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "abs",
    "round",
    "floor",
    "ceil",
    "date_trunc",
    "timezone",
    "make_interval",
    "make_date",
    "make_timestamp",
    "make_timestamptz",
    "to_timestamp",
    "to_date",
    "to_char",
    "to_number",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "json_build_array",
    "array",
    "row",
    "int4range",
    "int8range",
    "numrange",
    "tstzrange",
    "daterange",
    "md5",
    "replace",
    "substring",
    "substr",
    "left",
    "right",
    "format",
    "interval",
    "cast",
    "point",
];

/// The first function the expression calls that is volatile or of unknown volatility.
pub(crate) fn is_volatile(expr: &str) -> Option<String> {
    let toks = tokenize(expr);
    (0..toks.len().saturating_sub(1)).find_map(|i| {
        let name = toks[i].ident()?;
        let call = toks[i].kind == Kind::Word && toks[i + 1].is_punct('(');
        // `::numeric(10, 2)` is a type, not a call.
        let cast = i > 0 && toks[i - 1].is_punct(':');
        (call && !cast && !NON_VOLATILE.contains(&name.as_str())).then_some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::is_volatile;

    #[test]
    fn known_functions() {
        assert_eq!(
            is_volatile("gen_random_uuid()").as_deref(),
            Some("gen_random_uuid")
        );
        assert_eq!(
            is_volatile("nextval('s'::regclass)").as_deref(),
            Some("nextval")
        );
        assert_eq!(
            is_volatile("my_stable_fn()").as_deref(),
            Some("my_stable_fn")
        );
        assert_eq!(is_volatile("now()"), None);
        assert_eq!(is_volatile("CURRENT_TIMESTAMP"), None);
        assert_eq!(is_volatile("'{}'::jsonb"), None);
        assert_eq!(is_volatile("'random()'"), None);
        assert_eq!(is_volatile("(0)::numeric"), None);
        assert_eq!(is_volatile("'1'::numeric(10, 2)"), None);
    }
}
