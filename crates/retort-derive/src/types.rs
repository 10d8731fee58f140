//! The PostgreSQL type of a field's Rust type (see the crate documentation for the mapping).

use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Error, GenericArgument, LitInt, PathArguments, Type};

use crate::attrs::TypeAttrs;

/// The last segment of a type path, with its generic arguments.
fn last_segment(ty: &Type) -> Option<(&syn::Ident, Vec<&Type>)> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let args = match &seg.arguments {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some((&seg.ident, args))
}

/// The column type of a Rust type (an expression giving `impl Into<String>`), and whether it is
/// nullable, given the field's type attributes.
pub(crate) fn column_type(ty: &Type, a: &TypeAttrs) -> syn::Result<(Tokens, bool)> {
    if let Some((ident, args)) = last_segment(ty) {
        if ident == "Option" && args.len() == 1 {
            let (inner, _) = column_type(args[0], a)?;
            return Ok((inner, true));
        }
    }
    if let Some(t) = &a.sql_type {
        return Ok((quote!(#t), false));
    }
    if let Type::Reference(r) = ty {
        return column_type(&r.elem, a);
    }
    let Some((ident, args)) = last_segment(ty) else {
        return Ok((quote!(<#ty as __b::PgType>::pg_type()), false));
    };
    let fixed = |s: &str| Ok((quote!(#s), false));
    match (ident.to_string().as_str(), args.len()) {
        ("String" | "str", 0) => match &a.max_length {
            Some(n) => fixed(&format!("character varying({})", n.base10_parse::<u32>()?)),
            None => fixed("text"),
        },
        ("Decimal" | "BigDecimal", 0) => numeric(a),
        ("Vec", 1) => array(ty, args[0]),
        (name, n) => match fixed_type(name, n) {
            Some(s) => fixed(s),
            None => Ok((quote!(<#ty as __b::PgType>::pg_type()), false)),
        },
    }
}

/// The types that take no attribute, by last path segment and number of generic arguments.
fn fixed_type(name: &str, args: usize) -> Option<&'static str> {
    Some(match (name, args) {
        ("i16", 0) => "smallint",
        ("i32", 0) => "integer",
        ("i64", 0) => "bigint",
        ("f32", 0) => "real",
        ("f64", 0) => "double precision",
        ("bool", 0) => "boolean",
        ("Uuid", 0) => "uuid",
        ("Timestamp" | "Zoned" | "OffsetDateTime", 0) | ("DateTime", 1) => {
            "timestamp with time zone"
        }
        ("NaiveDateTime" | "PrimitiveDateTime" | "DateTime", 0) => "timestamp without time zone",
        ("Date" | "NaiveDate", 0) => "date",
        ("Time" | "NaiveTime", 0) => "time without time zone",
        ("Span", 0) => "interval",
        ("Value", 0) | ("Json", 1) => "jsonb",
        ("IpAddr" | "Ipv4Addr" | "Ipv6Addr" | "IpNetwork" | "IpNet", 0) => "inet",
        _ => return None,
    })
}

/// `numeric`, or `numeric(P,S)` with `precision` (and `scale`).
fn numeric(a: &TypeAttrs) -> syn::Result<(Tokens, bool)> {
    let s = match (&a.precision, &a.scale) {
        (Some(p), s) => {
            let s = s.as_ref().map_or(Ok(0), LitInt::base10_parse::<u32>)?;
            format!("numeric({},{s})", p.base10_parse::<u32>()?)
        }
        (None, Some(s)) => return Err(Error::new(s.span(), "scale needs precision")),
        (None, None) => "numeric".to_string(),
    };
    Ok((quote!(#s), false))
}

/// `Vec<u8>`: `bytea`; `Vec<T>`: an array of `T`'s type.
fn array(ty: &Type, element: &Type) -> syn::Result<(Tokens, bool)> {
    if matches!(last_segment(element), Some((i, a)) if i == "u8" && a.is_empty()) {
        return Ok((quote!("bytea"), false));
    }
    let (inner, nullable) = column_type(element, &TypeAttrs::default())?;
    if nullable {
        return Err(Error::new(ty.span(), "Vec<Option<T>>: use sql_type"));
    }
    Ok((
        quote!(::std::format!("{}[]", ::std::string::String::from(#inner))),
        false,
    ))
}
