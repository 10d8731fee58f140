//! `#[derive(retort::Table)]` and `#[derive(retort::Enum)]`: model structs and enums as
//! retort's schema (`retort::schema::builder`), the way SQLAlchemy models are Alembic's
//! autogenerate source. Use them through the `retort` crate, which re-exports both; the code
//! they generate names `::retort::schema::builder`, so this crate depends on nothing of retort's.
//!
//! ```ignore
//! #[derive(retort::Table)]
//! #[retort(table = "users", index(columns = "tenant_id, status"))]
//! struct User {
//!     #[retort(primary_key, default = "gen_random_uuid()")]
//!     id: Uuid,
//!     #[retort(references = "tenants(id)", on_delete = "cascade")]
//!     tenant_id: Uuid,
//!     #[retort(unique, max_length = 255)]
//!     email: String,            // character varying(255) NOT NULL
//!     nickname: Option<String>, // text, nullable
//!     status: UserStatus,       // #[derive(retort::Enum)]: public.userstatus
//! }
//! ```
//!
//! Column types come from the Rust type, by its last path segment: `String` → `text` (with
//! `max_length = N`: `varchar(N)`), `i16`/`i32`/`i64` → `smallint`/`integer`/`bigint`, `f32`/`f64`
//! → `real`/`double precision`, `bool`, `Uuid` → `uuid`, `Decimal` → `numeric` (with `precision
//! = P, scale = S`: `numeric(P,S)`), `Timestamp`/`Zoned`/`OffsetDateTime`/`DateTime<Tz>` →
//! `timestamp with time zone`, `NaiveDateTime`/`PrimitiveDateTime`/`civil::DateTime` →
//! `timestamp without time zone`, `Date`/`NaiveDate` → `date`, `Time`/`NaiveTime` → `time
//! without time zone`, `Span` → `interval`, `Value`/`Json<T>` → `jsonb`, `IpAddr` → `inet`,
//! `Vec<u8>` → `bytea`, `Vec<T>` → `T[]`, `Option<T>` → nullable (anything else is `NOT NULL`),
//! any other type through its `retort::schema::builder::PgType` implementation (which
//! `#[derive(retort::Enum)]` writes). `sql_type = "..."` overrides all of this.
//!
//! Attributes of the struct: `table = "name"` (default: the struct's name in snake_case),
//! `schema = "name"` (default `public`), `comment`, `from_row` (also generate `fn
//! from_row(&tokio_postgres::Row) -> Result<Self, tokio_postgres::Error>`, reading each column
//! by name), and, repeatable, `primary_key = "a, b"`, `unique = "a, b"` or `unique(columns,
//! name, nulls_not_distinct, deferrable, initially_deferred)`, `index = "a, b DESC"` or
//! `index(columns, name, unique, using, include, predicate)` (each key as `IndexKey::parse`
//! reads it: `col [COLLATE c] [opclass] [DESC] [NULLS FIRST|LAST]`, or an expression),
//! `foreign_key(columns, references = "table(cols)", on_delete, on_update, name, match_full,
//! deferrable, initially_deferred)`, `check(columns, expr, name)`; Citus distribution:
//! `distributed_by = "column"` with optional `colocate_with = "table"` or `shard_count = N`, or
//! `reference` (see `retort::schema::builder`'s `TableBuilder::distributed_by`).
//!
//! Attributes of a field: `column = "name"`, `sql_type`, `max_length`, `precision`, `scale`,
//! `primary_key`, `unique`, `index`, `unique_index`, `references = "table(col)"` with
//! `on_delete`/`on_update` (`cascade`, `restrict`, `no action`, `set null [(cols)]`, `set
//! default [(cols)]`), `default = "..."`, `check = "(expr)"`, `identity` (or `identity = "by
//! default"`), `generated = "(expr)"`, `collate`, `comment`, `skip` (not a column).
//! Expressions are written as PostgreSQL prints them; see `retort::schema::builder`.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::quote;
use syn::spanned::Spanned;
use syn::{
    parse_macro_input, Attribute, Data, DeriveInput, Error, Fields, GenericArgument, LitInt,
    LitStr, PathArguments, Type,
};

/// `impl retort::schema::builder::TableModel` for a struct with named fields: one column per
/// field, in order; and the inherent `const TABLE: &str`, the table's name. See the crate
/// documentation for the attributes.
#[proc_macro_derive(Table, attributes(retort))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    table(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// `impl retort::schema::builder::PgEnum` and `PgType` for a fieldless enum: a PostgreSQL enum
/// type whose labels are the variants, in order. Reads `#[postgres(name = "...", rename_all =
/// "...")]` and variants' `#[postgres(name = "...")]` (postgres-types' own attributes) when
/// present, so one declaration serves both; `#[retort(name, schema, rename_all)]` and
/// variants' `#[retort(label = "...")]` take precedence.
#[proc_macro_derive(Enum, attributes(retort))]
pub fn derive_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    pg_enum(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// `snake_case` and the other `rename_all` conventions of serde and postgres-types.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn rename(name: &str, rule: &str, span: Span) -> syn::Result<String> {
    let w = words(name);
    let lower: Vec<String> = w.iter().map(|s| s.to_lowercase()).collect();
    let capital = |s: &String| {
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase())
            .unwrap_or_default()
    };
    Ok(match rule {
        "lowercase" => name.to_lowercase(),
        "UPPERCASE" => name.to_uppercase(),
        "snake_case" => lower.join("_"),
        "SCREAMING_SNAKE_CASE" => lower.join("_").to_uppercase(),
        "kebab-case" => lower.join("-"),
        "SCREAMING-KEBAB-CASE" => lower.join("-").to_uppercase(),
        "PascalCase" => w.iter().map(capital).collect(),
        "camelCase" => {
            let mut s: String = w.iter().map(capital).collect();
            if let Some(f) = s.get(..1) {
                s = f.to_lowercase() + &s[1..];
            }
            s
        }
        "Train-Case" => w.iter().map(capital).collect::<Vec<_>>().join("-"),
        _ => {
            return Err(Error::new(
                span,
                format!("unknown rename_all rule {rule:?}"),
            ))
        }
    })
}

/// A comma-separated list, trimmed, empty items dropped.
fn list(lit: &LitStr) -> Vec<String> {
    lit.value()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

const ACTIONS: &str = "cascade, restrict, no action, set null, set null (columns), set default";

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

fn action(lit: &LitStr) -> Tokens {
    quote!(__b::Action::parse(#lit).unwrap_or_default())
}

#[derive(Default)]
struct FieldAttrs {
    column: Option<LitStr>,
    sql_type: Option<LitStr>,
    max_length: Option<LitInt>,
    precision: Option<LitInt>,
    scale: Option<LitInt>,
    primary_key: bool,
    unique: bool,
    index: bool,
    unique_index: bool,
    references: Option<LitStr>,
    on_delete: Option<LitStr>,
    on_update: Option<LitStr>,
    default: Option<LitStr>,
    check: Option<LitStr>,
    identity: Option<bool>,
    generated: Option<LitStr>,
    collate: Option<LitStr>,
    comment: Option<LitStr>,
    skip: bool,
}

fn field_attrs(attrs: &[Attribute]) -> syn::Result<FieldAttrs> {
    let mut a = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("retort")) {
        attr.parse_nested_meta(|m| {
            let key = m
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match key.as_str() {
                "column" => a.column = Some(m.value()?.parse()?),
                "sql_type" => a.sql_type = Some(m.value()?.parse()?),
                "max_length" => a.max_length = Some(m.value()?.parse()?),
                "precision" => a.precision = Some(m.value()?.parse()?),
                "scale" => a.scale = Some(m.value()?.parse()?),
                "primary_key" => a.primary_key = true,
                "unique" => a.unique = true,
                "index" => a.index = true,
                "unique_index" => a.unique_index = true,
                "references" => a.references = Some(m.value()?.parse()?),
                "on_delete" => {
                    let lit: LitStr = m.value()?.parse()?;
                    check_action(&lit)?;
                    a.on_delete = Some(lit);
                }
                "on_update" => {
                    let lit: LitStr = m.value()?.parse()?;
                    check_action(&lit)?;
                    a.on_update = Some(lit);
                }
                "default" => a.default = Some(m.value()?.parse()?),
                "check" => a.check = Some(m.value()?.parse()?),
                "identity" => {
                    a.identity = Some(if m.input.peek(syn::Token![=]) {
                        let lit: LitStr = m.value()?.parse()?;
                        match lit.value().to_lowercase().as_str() {
                            "always" => true,
                            "by default" | "by_default" => false,
                            _ => {
                                return Err(Error::new(
                                    lit.span(),
                                    "expected \"always\" or \"by default\"",
                                ))
                            }
                        }
                    } else {
                        true
                    });
                }
                "generated" => a.generated = Some(m.value()?.parse()?),
                "collate" => a.collate = Some(m.value()?.parse()?),
                "comment" => a.comment = Some(m.value()?.parse()?),
                "skip" => a.skip = true,
                _ => return Err(m.error(format!("unknown column attribute `{key}`"))),
            }
            Ok(())
        })?;
    }
    if (a.on_delete.is_some() || a.on_update.is_some()) && a.references.is_none() {
        return Err(Error::new(
            Span::call_site(),
            "on_delete/on_update need `references`",
        ));
    }
    Ok(a)
}

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
/// nullable.
fn column_type(ty: &Type, a: &FieldAttrs) -> syn::Result<(Tokens, bool)> {
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
    let name = ident.to_string();
    let fixed = |s: &str| Ok((quote!(#s), false));
    match (name.as_str(), args.len()) {
        ("String" | "str", 0) => match &a.max_length {
            Some(n) => {
                let s = format!("character varying({})", n.base10_parse::<u32>()?);
                fixed(&s)
            }
            None => fixed("text"),
        },
        ("Decimal" | "BigDecimal", 0) => match (&a.precision, &a.scale) {
            (Some(p), s) => {
                let s = s.as_ref().map_or(Ok(0), LitInt::base10_parse::<u32>)?;
                fixed(&format!("numeric({},{s})", p.base10_parse::<u32>()?))
            }
            (None, Some(s)) => Err(Error::new(s.span(), "scale needs precision")),
            (None, None) => fixed("numeric"),
        },
        ("i16", 0) => fixed("smallint"),
        ("i32", 0) => fixed("integer"),
        ("i64", 0) => fixed("bigint"),
        ("f32", 0) => fixed("real"),
        ("f64", 0) => fixed("double precision"),
        ("bool", 0) => fixed("boolean"),
        ("Uuid", 0) => fixed("uuid"),
        ("Timestamp" | "Zoned" | "OffsetDateTime", 0) | ("DateTime", 1) => {
            fixed("timestamp with time zone")
        }
        ("NaiveDateTime" | "PrimitiveDateTime" | "DateTime", 0) => {
            fixed("timestamp without time zone")
        }
        ("Date" | "NaiveDate", 0) => fixed("date"),
        ("Time" | "NaiveTime", 0) => fixed("time without time zone"),
        ("Span", 0) => fixed("interval"),
        ("Value", 0) | ("Json", 1) => fixed("jsonb"),
        ("IpAddr" | "Ipv4Addr" | "Ipv6Addr" | "IpNetwork" | "IpNet", 0) => fixed("inet"),
        ("Vec", 1) => {
            if matches!(last_segment(args[0]), Some((i, a)) if i == "u8" && a.is_empty()) {
                return fixed("bytea");
            }
            let (inner, nullable) = column_type(args[0], &FieldAttrs::default())?;
            if nullable {
                return Err(Error::new(ty.span(), "Vec<Option<T>>: use sql_type"));
            }
            Ok((
                quote!(::std::format!("{}[]", ::std::string::String::from(#inner))),
                false,
            ))
        }
        _ => Ok((quote!(<#ty as __b::PgType>::pg_type()), false)),
    }
}

struct TableAttrs {
    from_row: bool,
    table: Option<LitStr>,
    schema: Option<LitStr>,
    comment: Option<LitStr>,
    parts: Vec<Tokens>,
    /// Citus: `distributed_by`, and where `reference` and what needs `distributed_by`
    /// (`colocate_with`, `shard_count`) were written.
    distributed_by: bool,
    reference: Option<Span>,
    needs_distributed_by: Option<(Span, &'static str)>,
}

fn opt_name(name: &Option<LitStr>) -> Tokens {
    match name {
        Some(n) => quote!(.name(#n)),
        None => quote!(),
    }
}

// Long: one arm per `#[retort(...)]` table attribute: the derive's grammar in one place.
fn table_attrs(attrs: &[Attribute]) -> syn::Result<TableAttrs> {
    let mut t = TableAttrs {
        from_row: false,
        table: None,
        schema: None,
        comment: None,
        parts: Vec::new(),
        distributed_by: false,
        reference: None,
        needs_distributed_by: None,
    };
    for attr in attrs.iter().filter(|a| a.path().is_ident("retort")) {
        attr.parse_nested_meta(|m| {
            let key = m
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            // Every nested part: `key = "list"` or `key(columns = "...", ...)`.
            let mut columns: Option<LitStr> = None;
            let mut name: Option<LitStr> = None;
            let mut other: Vec<(String, Option<LitStr>, Span)> = Vec::new();
            let nested = matches!(
                key.as_str(),
                "primary_key" | "unique" | "index" | "foreign_key" | "check"
            );
            if nested {
                if m.input.peek(syn::token::Paren) {
                    m.parse_nested_meta(|n| {
                        let k = n
                            .path
                            .get_ident()
                            .map(ToString::to_string)
                            .unwrap_or_default();
                        let span = n.path.span();
                        match k.as_str() {
                            "columns" => columns = Some(n.value()?.parse()?),
                            "name" => name = Some(n.value()?.parse()?),
                            _ if n.input.peek(syn::Token![=]) => {
                                other.push((k, Some(n.value()?.parse()?), span));
                            }
                            _ => other.push((k, None, span)),
                        }
                        Ok(())
                    })?;
                } else {
                    columns = Some(m.value()?.parse()?);
                }
            }
            let get = |k: &str| other.iter().find(|(o, _, _)| o == k);
            let flag = |k: &str| get(k).is_some();
            let value = |k: &str| get(k).and_then(|(_, v, _)| v.clone());
            let allow = |allowed: &[&str]| -> syn::Result<()> {
                match other
                    .iter()
                    .find(|(k, _, _)| !allowed.contains(&k.as_str()))
                {
                    Some((k, _, span)) => {
                        Err(Error::new(*span, format!("unknown `{key}` option `{k}`")))
                    }
                    None => Ok(()),
                }
            };
            let cols = |c: &Option<LitStr>| -> syn::Result<Vec<String>> {
                let c = c
                    .as_ref()
                    .ok_or_else(|| m.error(format!("`{key}` needs columns")))?;
                Ok(list(c))
            };
            let n = opt_name(&name);
            match key.as_str() {
                "table" => t.table = Some(m.value()?.parse()?),
                "from_row" => t.from_row = true,
                "schema" => t.schema = Some(m.value()?.parse()?),
                "comment" => t.comment = Some(m.value()?.parse()?),
                "primary_key" | "unique" => {
                    allow(&["nulls_not_distinct", "deferrable", "initially_deferred"])?;
                    let c = cols(&columns)?;
                    let mut key_tokens = quote!(__b::Key::new(&[#(#c),*]) #n);
                    if flag("nulls_not_distinct") {
                        key_tokens = quote!(#key_tokens.nulls_not_distinct());
                    }
                    if flag("deferrable") || flag("initially_deferred") {
                        let d = flag("initially_deferred");
                        key_tokens = quote!(#key_tokens.deferrable(#d));
                    }
                    let method = syn::Ident::new(&key, Span::call_site());
                    t.parts.push(quote!(.#method(#key_tokens)));
                }
                "index" => {
                    allow(&["unique", "using", "include", "predicate"])?;
                    let c = columns
                        .as_ref()
                        .ok_or_else(|| m.error("`index` needs columns"))?;
                    let mut i = quote!(__b::Index::on(&__b::split_list(#c)) #n);
                    if flag("unique") {
                        i = quote!(#i.unique());
                    }
                    if let Some(u) = value("using") {
                        i = quote!(#i.using(#u));
                    }
                    if let Some(inc) = value("include") {
                        let inc = list(&inc);
                        i = quote!(#i.include(&[#(#inc),*]));
                    }
                    if let Some(p) = value("predicate") {
                        i = quote!(#i.predicate(#p));
                    }
                    t.parts.push(quote!(.index(#i)));
                }
                "foreign_key" => {
                    allow(&[
                        "references",
                        "on_delete",
                        "on_update",
                        "deferrable",
                        "initially_deferred",
                        "match_full",
                    ])?;
                    let c = cols(&columns)?;
                    let target = value("references").ok_or_else(|| {
                        m.error("`foreign_key` needs references = \"table(columns)\"")
                    })?;
                    let mut fk = quote!(__b::ForeignKey::new(&[#(#c),*], #target) #n);
                    if let Some(a) = value("on_delete") {
                        check_action(&a)?;
                        let a = action(&a);
                        fk = quote!(#fk.on_delete(#a));
                    }
                    if let Some(a) = value("on_update") {
                        check_action(&a)?;
                        let a = action(&a);
                        fk = quote!(#fk.on_update(#a));
                    }
                    if flag("match_full") {
                        fk = quote!(#fk.match_full());
                    }
                    if flag("deferrable") || flag("initially_deferred") {
                        let d = flag("initially_deferred");
                        fk = quote!(#fk.deferrable(#d));
                    }
                    t.parts.push(quote!(.foreign_key(#fk)));
                }
                "check" => {
                    allow(&["expr"])?;
                    let c = cols(&columns)?;
                    let e = value("expr").ok_or_else(|| m.error("`check` needs expr = \"...\""))?;
                    t.parts
                        .push(quote!(.check(__b::Check::new(&[#(#c),*], #e) #n)));
                }
                "distributed_by" | "colocate_with" | "shard_count" | "reference" => {
                    distribution_attr(&mut t, &key, &m)?;
                }
                _ => return Err(m.error(format!("unknown table attribute `{key}`"))),
            }
            Ok(())
        })?;
    }
    check_distribution(&t)?;
    Ok(t)
}

/// Citus: `distributed_by = "column"`, `colocate_with = "table"`, `shard_count = N`,
/// `reference`.
fn distribution_attr(
    t: &mut TableAttrs,
    key: &str,
    m: &syn::meta::ParseNestedMeta<'_>,
) -> syn::Result<()> {
    let span = m.path.span();
    match key {
        "distributed_by" => {
            let v: LitStr = m.value()?.parse()?;
            t.distributed_by = true;
            t.parts.push(quote!(.distributed_by(#v)));
        }
        "colocate_with" => {
            let v: LitStr = m.value()?.parse()?;
            t.needs_distributed_by = Some((span, "colocate_with"));
            t.parts.push(quote!(.colocate_with(#v)));
        }
        "shard_count" => {
            let v: LitInt = m.value()?.parse()?;
            if v.base10_parse::<i32>().map_or(true, |n| n < 1) {
                return Err(Error::new(
                    v.span(),
                    "shard_count must be a positive integer",
                ));
            }
            t.needs_distributed_by = Some((span, "shard_count"));
            t.parts.push(quote!(.shard_count(#v)));
        }
        _ => {
            t.reference = Some(span);
            t.parts.push(quote!(.reference()));
        }
    }
    Ok(())
}

/// A table is distributed or a reference table, not both; `colocate_with` and `shard_count`
/// need `distributed_by`.
fn check_distribution(t: &TableAttrs) -> syn::Result<()> {
    if let (Some(span), true) = (t.reference, t.distributed_by) {
        return Err(Error::new(
            span,
            "`reference` and `distributed_by` together: a Citus table is either a reference \
             table or distributed by a column",
        ));
    }
    match t.needs_distributed_by {
        Some((span, what)) if !t.distributed_by => Err(Error::new(
            span,
            format!("`{what}` needs `distributed_by = \"column\"` (the distribution column)"),
        )),
        _ => Ok(()),
    }
}

// Long: the generated code for one table, quoted in one piece.
fn table(input: &DeriveInput) -> syn::Result<Tokens> {
    let Data::Struct(data) = &input.data else {
        return Err(Error::new(input.span(), "derive(Table) needs a struct"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(Error::new(input.span(), "derive(Table) needs named fields"));
    };
    let attrs = table_attrs(&input.attrs)?;
    let ident = &input.ident;
    let table = attrs.table.as_ref().map_or_else(
        || rename(&ident.to_string(), "snake_case", ident.span()),
        |l| Ok(l.value()),
    )?;
    let schema = attrs
        .schema
        .as_ref()
        .map_or_else(|| "public".to_string(), LitStr::value);
    let mut names = Vec::new();
    let mut columns = Vec::new();
    let mut reads = Vec::new();
    for f in &fields.named {
        let a = field_attrs(&f.attrs)?;
        let Some(fident) = &f.ident else { continue };
        if a.skip {
            reads.push(quote!(#fident: ::std::default::Default::default()));
            continue;
        }
        let field_name = fident.to_string();
        let name = a.column.as_ref().map_or_else(
            || field_name.trim_start_matches("r#").to_string(),
            LitStr::value,
        );
        let (ty, nullable) = column_type(&f.ty, &a)?;
        let mut c = quote!(__b::Column::new(#name, #ty));
        if !nullable {
            c = quote!(#c.not_null());
        }
        if let Some(d) = &a.default {
            c = quote!(#c.default(#d));
        }
        if let Some(always) = a.identity {
            c = quote!(#c.identity(#always));
        }
        if let Some(g) = &a.generated {
            c = quote!(#c.generated(#g));
        }
        if let Some(col) = &a.collate {
            c = quote!(#c.collate(#col));
        }
        if let Some(cm) = &a.comment {
            c = quote!(#c.comment(#cm));
        }
        if a.primary_key {
            c = quote!(#c.primary_key());
        }
        if a.unique {
            c = quote!(#c.unique());
        }
        if a.index {
            c = quote!(#c.index());
        }
        if a.unique_index {
            c = quote!(#c.unique_index());
        }
        if let Some(ch) = &a.check {
            c = quote!(#c.check(#ch));
        }
        if let Some(r) = &a.references {
            c = quote!(#c.references(#r));
            if let Some(d) = &a.on_delete {
                let d = action(d);
                c = quote!(#c.on_delete(#d));
            }
            if let Some(u) = &a.on_update {
                let u = action(u);
                c = quote!(#c.on_update(#u));
            }
        }
        reads.push(quote!(#fident: row.try_get(#name)?));
        names.push(name);
        columns.push(quote!(.column(#c)));
    }
    let comment = attrs.comment.as_ref().map(|c| quote!(.comment(#c)));
    let parts = &attrs.parts;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let from_row = attrs.from_row.then(|| {
        quote! {
            /// The struct from a row holding its columns (by name; a `skip` field is its
            /// `Default`).
            pub fn from_row(
                row: &::retort::tokio_postgres::Row,
            ) -> ::std::result::Result<Self, ::retort::tokio_postgres::Error> {
                ::std::result::Result::Ok(Self { #(#reads),* })
            }
        }
    });
    Ok(quote! {
        impl #impl_generics #ident #ty_generics #where_clause {
            /// The table's name (also `TableModel::TABLE`).
            pub const TABLE: &'static str = #table;
            #from_row
        }
        impl #impl_generics ::retort::schema::builder::TableModel for #ident #ty_generics #where_clause {
            const SCHEMA: &'static str = #schema;
            const TABLE: &'static str = #table;
            const COLUMNS: &'static [&'static str] = &[#(#names),*];
            fn table() -> ::retort::schema::builder::TableBuilder {
                use ::retort::schema::builder as __b;
                __b::TableBuilder::new(#schema, #table)
                    #(#columns)*
                    #(#parts)*
                    #comment
            }
        }
    })
}

/// `name = "..."` and `rename_all = "..."` of `#[postgres(...)]` or `#[retort(...)]`.
#[derive(Default)]
struct EnumAttrs {
    name: Option<String>,
    schema: Option<String>,
    rename_all: Option<(String, Span)>,
}

fn enum_attrs(attrs: &[Attribute], which: &str) -> syn::Result<EnumAttrs> {
    let mut out = EnumAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(which)) {
        attr.parse_nested_meta(|m| {
            let key = m
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
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

fn pg_enum(input: &DeriveInput) -> syn::Result<Tokens> {
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

#[cfg(test)]
mod tests {
    use super::{rename, words};
    use proc_macro2::Span;

    #[test]
    fn renames_like_postgres_types() {
        assert_eq!(words("IncompleteExpired"), ["Incomplete", "Expired"]);
        assert_eq!(words("HTTPServer"), ["HTTP", "Server"]);
        let r = |n: &str, rule: &str| rename(n, rule, Span::call_site()).expect("rule");
        assert_eq!(
            r("AiAnalysisComplete", "snake_case"),
            "ai_analysis_complete"
        );
        assert_eq!(r("PastDue", "kebab-case"), "past-due");
        assert_eq!(r("PastDue", "SCREAMING_SNAKE_CASE"), "PAST_DUE");
        assert_eq!(r("PastDue", "camelCase"), "pastDue");
        assert_eq!(r("PastDue", "lowercase"), "pastdue");
    }
}
