//! What the derives implement: [`TableModel`] for a model struct, [`PgEnum`] for an enum type,
//! [`PgType`] for a column's Rust type (and its implementations for the common types).

use super::TableBuilder;

/// A model struct: what `#[derive(retort::Table)]` implements.
pub trait TableModel {
    /// The PostgreSQL schema of the table.
    const SCHEMA: &'static str;
    /// The table's name.
    const TABLE: &'static str;
    /// Its columns, in order.
    const COLUMNS: &'static [&'static str];
    /// The table as declared by the struct's fields and attributes.
    fn table() -> TableBuilder;
}

/// A Rust type stored in a column of one PostgreSQL type. `#[derive(retort::Enum)]`
/// implements it; implement it for your own newtypes.
pub trait PgType {
    /// The type as SQL spells it (`text`, `public.tier`).
    fn pg_type() -> String;
}

/// A Rust enum mirroring a PostgreSQL enum type: what `#[derive(retort::Enum)]` implements.
pub trait PgEnum {
    const SCHEMA: &'static str;
    const NAME: &'static str;
    /// The labels, in their sort order.
    const LABELS: &'static [&'static str];
}

macro_rules! pg_types {
    ($($t:ty => $name:literal),* $(,)?) => {
        $(impl PgType for $t {
            fn pg_type() -> String {
                $name.to_string()
            }
        })*
    };
}

pg_types! {
    String => "text",
    &str => "text",
    bool => "boolean",
    i16 => "smallint",
    i32 => "integer",
    i64 => "bigint",
    f32 => "real",
    f64 => "double precision",
    Vec<u8> => "bytea",
    serde_json::Value => "jsonb",
    std::net::IpAddr => "inet",
    jiff::Timestamp => "timestamp with time zone",
    jiff::Zoned => "timestamp with time zone",
    jiff::civil::DateTime => "timestamp without time zone",
    jiff::civil::Date => "date",
    jiff::civil::Time => "time without time zone",
    jiff::Span => "interval",
}
