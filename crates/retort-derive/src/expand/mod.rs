//! The code the derives generate: the builder calls of what `attrs` parsed.

mod enum_type;
mod table;

pub(crate) use enum_type::pg_enum;
pub(crate) use table::table;
