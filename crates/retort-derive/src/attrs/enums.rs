//! An enum's (and its variants') `#[retort(...)]` and `#[postgres(...)]`.

use proc_macro2::Span;
use syn::{Attribute, LitStr};

use super::key_of;

/// `name = "..."` (a variant's `label`), `schema` and `rename_all = "..."` of `#[postgres(...)]`
/// or `#[retort(...)]`.
#[derive(Default)]
pub(crate) struct EnumAttrs {
    pub(crate) name: Option<String>,
    pub(crate) schema: Option<String>,
    pub(crate) rename_all: Option<(String, Span)>,
}

/// The `#[which(...)]` attributes (`which` is `retort` or `postgres`). Other options of
/// postgres-types' are skipped; an unknown one of ours is an error.
pub(crate) fn enum_attrs(attrs: &[Attribute], which: &str) -> syn::Result<EnumAttrs> {
    let mut out = EnumAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(which)) {
        attr.parse_nested_meta(|m| {
            let key = key_of(&m.path);
            match key.as_str() {
                "name" | "label" => out.name = Some(m.value()?.parse::<LitStr>()?.value()),
                "schema" if which == "retort" => {
                    out.schema = Some(m.value()?.parse::<LitStr>()?.value());
                }
                "rename_all" => {
                    let lit: LitStr = m.value()?.parse()?;
                    out.rename_all = Some((lit.value(), lit.span()));
                }
                _ if which == "retort" => {
                    return Err(m.error(format!("unknown enum attribute `{key}`")))
                }
                // postgres-types' other options are not ours: skip their values.
                _ => {
                    if m.input.peek(syn::Token![=]) {
                        let _: syn::Expr = m.value()?.parse()?;
                    }
                }
            }
            Ok(())
        })?;
    }
    Ok(out)
}
