//! `#[derive(retort::Enum)]`: `impl PgEnum` and `impl PgType`.

use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Error, Fields};

use crate::attrs::enum_attrs;
use crate::rename::rename;

pub(crate) fn pg_enum(input: &DeriveInput) -> syn::Result<Tokens> {
    let Data::Enum(data) = &input.data else {
        return Err(Error::new(input.span(), "derive(Enum) needs an enum"));
    };
    let ours = enum_attrs(&input.attrs, "retort")?;
    let theirs = enum_attrs(&input.attrs, "postgres")?;
    let ident = &input.ident;
    let name = ours
        .name
        .or(theirs.name)
        .unwrap_or_else(|| ident.to_string().to_lowercase());
    let schema = ours.schema.unwrap_or_else(|| "public".to_string());
    let rule = ours.rename_all.or(theirs.rename_all);
    let mut labels = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            return Err(Error::new(v.span(), "derive(Enum) needs unit variants"));
        }
        let own = enum_attrs(&v.attrs, "retort")?.name;
        let pg = enum_attrs(&v.attrs, "postgres")?.name;
        let label = match (own.or(pg), &rule) {
            (Some(l), _) => l,
            (None, Some((r, span))) => rename(&v.ident.to_string(), r, *span)?,
            (None, None) => v.ident.to_string(),
        };
        labels.push(label);
    }
    Ok(quote! {
        impl ::retort::schema::builder::PgEnum for #ident {
            const SCHEMA: &'static str = #schema;
            const NAME: &'static str = #name;
            const LABELS: &'static [&'static str] = &[#(#labels),*];
        }
        impl ::retort::schema::builder::PgType for #ident {
            fn pg_type() -> ::std::string::String {
                ::std::format!(
                    "{}.{}",
                    ::retort::sql::quote_ident_unless_plain(#schema),
                    ::retort::sql::quote_ident_unless_plain(#name)
                )
            }
        }
    })
}
