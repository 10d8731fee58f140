//! A field's `#[retort(...)]`: its column.

use syn::meta::ParseNestedMeta;
use syn::{Attribute, Error, LitInt, LitStr};

use super::{check_action, key_of, Actions};

/// What a field's attributes say about its column.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    /// `skip`: not a column (`from_row` gives it its `Default`).
    pub(crate) skip: bool,
    /// `column = "name"`: else the field's name.
    pub(crate) column: Option<LitStr>,
    pub(crate) ty: TypeAttrs,
    /// `default = "expr"`, as PostgreSQL prints it.
    pub(crate) default: Option<LitStr>,
    /// `identity`: `Some(true)` for `GENERATED ALWAYS`, `Some(false)` for `BY DEFAULT`.
    pub(crate) identity: Option<bool>,
    pub(crate) keys: KeyFlags,
    /// `check = "(expr)"`: a check constraint on the column.
    pub(crate) check: Option<LitStr>,
    /// `references = "table(col)"` and its actions.
    pub(crate) references: Option<LitStr>,
    pub(crate) actions: Actions,
    /// `generated = "(expr)"`: a stored generated column.
    pub(crate) generated: Option<LitStr>,
    pub(crate) collate: Option<LitStr>,
    pub(crate) comment: Option<LitStr>,
}

/// What decides the column's type besides the Rust type.
#[derive(Default)]
pub(crate) struct TypeAttrs {
    pub(crate) sql_type: Option<LitStr>,
    pub(crate) max_length: Option<LitInt>,
    pub(crate) precision: Option<LitInt>,
    pub(crate) scale: Option<LitInt>,
}

/// The column's own key and index flags.
#[derive(Default)]
pub(crate) struct KeyFlags {
    pub(crate) primary_key: bool,
    pub(crate) unique: bool,
    pub(crate) index: bool,
    pub(crate) unique_index: bool,
}

/// The `#[retort(...)]` attributes of a field.
pub(crate) fn field_attrs(attrs: &[Attribute]) -> syn::Result<FieldAttrs> {
    let mut a = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("retort")) {
        attr.parse_nested_meta(|m| one(&mut a, &m))?;
    }
    // At the action written without a target (the first of them).
    if let (Some(action), None) = (
        a.actions
            .on_delete
            .as_ref()
            .or(a.actions.on_update.as_ref()),
        &a.references,
    ) {
        return Err(Error::new(
            action.span(),
            "on_delete/on_update need `references`",
        ));
    }
    Ok(a)
}

/// One `key` or `key = value` of a field's attribute.
fn one(a: &mut FieldAttrs, m: &ParseNestedMeta<'_>) -> syn::Result<()> {
    let key = key_of(&m.path);
    match key.as_str() {
        "column" => a.column = Some(m.value()?.parse()?),
        "sql_type" => a.ty.sql_type = Some(m.value()?.parse()?),
        "max_length" => a.ty.max_length = Some(m.value()?.parse()?),
        "precision" => a.ty.precision = Some(m.value()?.parse()?),
        "scale" => a.ty.scale = Some(m.value()?.parse()?),
        "primary_key" => a.keys.primary_key = true,
        "unique" => a.keys.unique = true,
        "index" => a.keys.index = true,
        "unique_index" => a.keys.unique_index = true,
        "references" => a.references = Some(m.value()?.parse()?),
        "on_delete" => a.actions.on_delete = Some(action(m)?),
        "on_update" => a.actions.on_update = Some(action(m)?),
        "default" => a.default = Some(m.value()?.parse()?),
        "check" => a.check = Some(m.value()?.parse()?),
        "identity" => a.identity = Some(identity(m)?),
        "generated" => a.generated = Some(m.value()?.parse()?),
        "collate" => a.collate = Some(m.value()?.parse()?),
        "comment" => a.comment = Some(m.value()?.parse()?),
        "skip" => a.skip = true,
        _ => return Err(m.error(format!("unknown column attribute `{key}`"))),
    }
    Ok(())
}

/// `on_delete = "..."`/`on_update = "..."`: a referential action.
fn action(m: &ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    let lit: LitStr = m.value()?.parse()?;
    check_action(&lit)?;
    Ok(lit)
}

/// `identity` (always), `identity = "always"` or `identity = "by default"`.
fn identity(m: &ParseNestedMeta<'_>) -> syn::Result<bool> {
    if !m.input.peek(syn::Token![=]) {
        return Ok(true);
    }
    let lit: LitStr = m.value()?.parse()?;
    match lit.value().to_lowercase().as_str() {
        "always" => Ok(true),
        "by default" | "by_default" => Ok(false),
        _ => Err(Error::new(
            lit.span(),
            "expected \"always\" or \"by default\"",
        )),
    }
}
