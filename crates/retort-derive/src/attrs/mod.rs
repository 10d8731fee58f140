//! Parsing the `#[retort(...)]` attributes (and postgres-types' `#[postgres(...)]` of an enum):
//! what is written, checked, with errors at the attribute that is wrong. No code is generated
//! here; `expand` turns what is parsed into the builder calls.

mod enums;
mod field;
mod table;

pub(crate) use enums::enum_attrs;
pub(crate) use field::{field_attrs, FieldAttrs, TypeAttrs};
pub(crate) use table::{table_attrs, ForeignKeyAttr, IndexAttr, KeyAttr, TablePart};

use syn::{Error, LitStr, Path};

/// The attribute's name (`index` of `index(...)`), empty if it is not one identifier.
fn key_of(path: &Path) -> String {
    path.get_ident()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// A comma-separated list, trimmed, empty items dropped.
fn list(lit: &LitStr) -> Vec<String> {
    lit.value()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `on_delete` and `on_update` of a foreign key, each checked by [`check_action`].
#[derive(Default)]
pub(crate) struct Actions {
    pub(crate) on_delete: Option<LitStr>,
    pub(crate) on_update: Option<LitStr>,
}

const ACTIONS: &str = "cascade, restrict, no action, set null, set null (columns), set default";

/// A referential action `on_delete`/`on_update` names (`Action::parse` reads it at run time).
fn check_action(lit: &LitStr) -> syn::Result<()> {
    let v = lit.value().to_lowercase().replace('_', " ");
    let head = v.split('(').next().unwrap_or("").trim().to_string();
    let head = head.split_whitespace().collect::<Vec<_>>().join(" ");
    let with_columns = v.contains('(');
    match (head.as_str(), with_columns) {
        ("cascade" | "restrict" | "no action", false) | ("set null" | "set default", _) => Ok(()),
        _ => Err(Error::new(
            lit.span(),
            format!("expected one of: {ACTIONS}"),
        )),
    }
}
