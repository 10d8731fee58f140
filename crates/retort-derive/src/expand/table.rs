//! `#[derive(retort::Table)]`: `impl TableModel`, the inherent `TABLE` and `from_row`.

use proc_macro2::{Span, TokenStream as Tokens};
use quote::quote;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Error, Field, Fields, LitStr};

use crate::attrs::{
    field_attrs, table_attrs, Actions, FieldAttrs, ForeignKeyAttr, IndexAttr, KeyAttr, TablePart,
};
use crate::rename::rename;
use crate::types::column_type;

/// The columns of the struct's fields: their names, the `.column(...)` calls and the
/// `from_row` field initialisers.
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    calls: Vec<Tokens>,
    reads: Vec<Tokens>,
}

pub(crate) fn table(input: &DeriveInput) -> syn::Result<Tokens> {
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
    let mut cols = Columns::default();
    for f in &fields.named {
        field(&mut cols, f)?;
    }
    let Columns {
        names,
        calls: columns,
        reads,
    } = cols;
    let comment = attrs.comment.as_ref().map(|c| quote!(.comment(#c)));
    let parts: Vec<Tokens> = attrs.parts.iter().map(part).collect();
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

/// One field: its column (unless `skip`) and its `from_row` initialiser.
fn field(cols: &mut Columns, f: &Field) -> syn::Result<()> {
    let a = field_attrs(&f.attrs)?;
    let Some(fident) = &f.ident else {
        return Ok(());
    };
    if a.skip {
        cols.reads
            .push(quote!(#fident: ::std::default::Default::default()));
        return Ok(());
    }
    let field_name = fident.to_string();
    let name = a.column.as_ref().map_or_else(
        || field_name.trim_start_matches("r#").to_string(),
        LitStr::value,
    );
    let c = column(&name, f, &a)?;
    cols.reads.push(quote!(#fident: row.try_get(#name)?));
    cols.names.push(name);
    cols.calls.push(quote!(.column(#c)));
    Ok(())
}

/// `__b::Column::new(name, type)` and its setters.
fn column(name: &str, f: &Field, a: &FieldAttrs) -> syn::Result<Tokens> {
    let (ty, nullable) = column_type(&f.ty, &a.ty)?;
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
    let flags = [
        ("primary_key", a.keys.primary_key),
        ("unique", a.keys.unique),
        ("index", a.keys.index),
        ("unique_index", a.keys.unique_index),
    ];
    for (method, _) in flags.iter().filter(|(_, on)| *on) {
        let method = syn::Ident::new(method, Span::call_site());
        c = quote!(#c.#method());
    }
    if let Some(ch) = &a.check {
        c = quote!(#c.check(#ch));
    }
    if let Some(r) = &a.references {
        c = with_actions(quote!(#c.references(#r)), &a.actions);
    }
    Ok(c)
}

/// `.on_delete(...)` and `.on_update(...)` after `t`, each action parsed at run time
/// (`check_action` accepted it).
fn with_actions(mut t: Tokens, a: &Actions) -> Tokens {
    let action = |lit: &LitStr| quote!(__b::Action::parse(#lit).unwrap_or_default());
    if let Some(d) = &a.on_delete {
        let d = action(d);
        t = quote!(#t.on_delete(#d));
    }
    if let Some(u) = &a.on_update {
        let u = action(u);
        t = quote!(#t.on_update(#u));
    }
    t
}

/// `.name(...)` if a name is given.
fn opt_name(name: &Option<LitStr>) -> Tokens {
    match name {
        Some(n) => quote!(.name(#n)),
        None => quote!(),
    }
}

/// The `TableBuilder` call of a table-level declaration.
fn part(p: &TablePart) -> Tokens {
    match p {
        TablePart::Key(k) => key(k),
        TablePart::Index(i) => index(i),
        TablePart::ForeignKey(fk) => foreign_key(fk),
        TablePart::Check {
            columns: c,
            expr: e,
            name,
        } => {
            let n = opt_name(name);
            quote!(.check(__b::Check::new(&[#(#c),*], #e) #n))
        }
        TablePart::DistributedBy(v) => quote!(.distributed_by(#v)),
        TablePart::ColocateWith(v) => quote!(.colocate_with(#v)),
        TablePart::ShardCount(v) => quote!(.shard_count(#v)),
        TablePart::Reference => quote!(.reference()),
    }
}

fn key(k: &KeyAttr) -> Tokens {
    let c = &k.columns;
    let n = opt_name(&k.name);
    let mut key_tokens = quote!(__b::Key::new(&[#(#c),*]) #n);
    if k.nulls_not_distinct {
        key_tokens = quote!(#key_tokens.nulls_not_distinct());
    }
    if let Some(d) = k.deferrable {
        key_tokens = quote!(#key_tokens.deferrable(#d));
    }
    let method = syn::Ident::new(k.method, Span::call_site());
    quote!(.#method(#key_tokens))
}

fn index(i: &IndexAttr) -> Tokens {
    let c = &i.columns;
    let n = opt_name(&i.name);
    let mut t = quote!(__b::Index::on(&__b::split_list(#c)) #n);
    if i.unique {
        t = quote!(#t.unique());
    }
    if let Some(u) = &i.using {
        t = quote!(#t.using(#u));
    }
    if let Some(inc) = &i.include {
        t = quote!(#t.include(&[#(#inc),*]));
    }
    if let Some(p) = &i.predicate {
        t = quote!(#t.predicate(#p));
    }
    quote!(.index(#t))
}

fn foreign_key(f: &ForeignKeyAttr) -> Tokens {
    let c = &f.columns;
    let target = &f.references;
    let n = opt_name(&f.name);
    let mut fk = with_actions(
        quote!(__b::ForeignKey::new(&[#(#c),*], #target) #n),
        &f.actions,
    );
    if f.match_full {
        fk = quote!(#fk.match_full());
    }
    if let Some(d) = f.deferrable {
        fk = quote!(#fk.deferrable(#d));
    }
    quote!(.foreign_key(#fk))
}
