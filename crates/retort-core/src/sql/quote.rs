//! Quoting identifiers and literals for the SQL retort writes. (PostgreSQL's own
//! `quote_identifier`, which also leaves keywords out, is `schema::builder::names`'s.)

/// `"name"` with inner quotes doubled: safe for any identifier, whatever it contains.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `name` as SQL reads it back unchanged: bare when plain lower case (a lower-case letter or `_`,
/// then lower-case letters, digits and `_`), else [`quote_ident`]. What `#[derive(Enum)]`
/// writes as its type's name.
pub fn quote_ident_unless_plain(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_string()
    } else {
        quote_ident(name)
    }
}

/// `'text'` with inner quotes doubled (standard_conforming_strings is on since PostgreSQL 9.1).
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
