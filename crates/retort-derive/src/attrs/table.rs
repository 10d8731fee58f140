//! A struct's `#[retort(...)]`: the table's name, constraints, indexes and Citus distribution.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Error, LitInt, LitStr};

use super::{check_action, key_of, list, Actions};

/// What a struct's attributes say about its table.
#[derive(Default)]
pub(crate) struct TableAttrs {
    pub(crate) from_row: bool,
    pub(crate) table: Option<LitStr>,
    pub(crate) schema: Option<LitStr>,
    pub(crate) comment: Option<LitStr>,
    /// The constraints, indexes and Citus settings, in the order written.
    pub(crate) parts: Vec<TablePart>,
    citus: CitusSeen,
}

/// Where the Citus attributes were written, to check they fit together.
#[derive(Default)]
struct CitusSeen {
    distributed_by: bool,
    reference: Option<Span>,
    /// `colocate_with` or `shard_count`, which need `distributed_by`.
    needs_distributed_by: Option<(Span, &'static str)>,
}

/// One table-level declaration.
pub(crate) enum TablePart {
    Key(KeyAttr),
    Index(IndexAttr),
    ForeignKey(ForeignKeyAttr),
    Check {
        columns: Vec<String>,
        expr: LitStr,
        name: Option<LitStr>,
    },
    DistributedBy(LitStr),
    ColocateWith(LitStr),
    ShardCount(LitInt),
    Reference,
}

/// `primary_key` or `unique`.
pub(crate) struct KeyAttr {
    /// `primary_key` or `unique`: the `TableBuilder` method.
    pub(crate) method: &'static str,
    pub(crate) columns: Vec<String>,
    pub(crate) name: Option<LitStr>,
    pub(crate) nulls_not_distinct: bool,
    /// `Some(initially_deferred)` if deferrable.
    pub(crate) deferrable: Option<bool>,
}

pub(crate) struct IndexAttr {
    /// The keys, as `IndexKey::parse` reads them (split at run time by `split_list`).
    pub(crate) columns: LitStr,
    pub(crate) name: Option<LitStr>,
    pub(crate) unique: bool,
    pub(crate) using: Option<LitStr>,
    pub(crate) include: Option<Vec<String>>,
    pub(crate) predicate: Option<LitStr>,
}

pub(crate) struct ForeignKeyAttr {
    pub(crate) columns: Vec<String>,
    pub(crate) references: LitStr,
    pub(crate) name: Option<LitStr>,
    pub(crate) actions: Actions,
    pub(crate) match_full: bool,
    /// `Some(initially_deferred)` if deferrable.
    pub(crate) deferrable: Option<bool>,
}

/// The `#[retort(...)]` attributes of a struct.
pub(crate) fn table_attrs(attrs: &[Attribute]) -> syn::Result<TableAttrs> {
    let mut t = TableAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("retort")) {
        attr.parse_nested_meta(|m| one(&mut t, &m))?;
    }
    check_distribution(&t.citus)?;
    Ok(t)
}

/// One part of a struct's attribute.
fn one(t: &mut TableAttrs, m: &ParseNestedMeta<'_>) -> syn::Result<()> {
    let key = key_of(&m.path);
    match key.as_str() {
        "table" => t.table = Some(m.value()?.parse()?),
        "from_row" => t.from_row = true,
        "schema" => t.schema = Some(m.value()?.parse()?),
        "comment" => t.comment = Some(m.value()?.parse()?),
        "primary_key" | "unique" => {
            let method = if key == "unique" {
                "unique"
            } else {
                "primary_key"
            };
            let o = Options::parse(m, &key)?;
            t.parts.push(TablePart::Key(key_attr(method, &o)?));
        }
        "index" => {
            let o = Options::parse(m, &key)?;
            t.parts.push(TablePart::Index(index_attr(&o)?));
        }
        "foreign_key" => {
            let o = Options::parse(m, &key)?;
            t.parts.push(TablePart::ForeignKey(foreign_key_attr(&o)?));
        }
        "check" => {
            let o = Options::parse(m, &key)?;
            o.allow(&["expr"])?;
            let columns = o.column_list()?;
            let expr = o
                .value("expr")
                .ok_or_else(|| o.m.error("`check` needs expr = \"...\""))?;
            let name = o.name.clone();
            t.parts.push(TablePart::Check {
                columns,
                expr,
                name,
            });
        }
        "distributed_by" | "colocate_with" | "shard_count" | "reference" => {
            distribution_attr(t, &key, m)?;
        }
        _ => return Err(m.error(format!("unknown table attribute `{key}`"))),
    }
    Ok(())
}

/// The options of a constraint or index: `key = "columns"` or `key(columns = "...", name =
/// "...", flag, option = "...")`.
struct Options<'m, 'a> {
    m: &'m ParseNestedMeta<'a>,
    key: &'m str,
    columns: Option<LitStr>,
    name: Option<LitStr>,
    other: Vec<(String, Option<LitStr>, Span)>,
}

impl<'m, 'a> Options<'m, 'a> {
    fn parse(m: &'m ParseNestedMeta<'a>, key: &'m str) -> syn::Result<Self> {
        let mut o = Options {
            m,
            key,
            columns: None,
            name: None,
            other: Vec::new(),
        };
        if !m.input.peek(syn::token::Paren) {
            o.columns = Some(m.value()?.parse()?);
            return Ok(o);
        }
        m.parse_nested_meta(|n| {
            let k = key_of(&n.path);
            let span = n.path.span();
            match k.as_str() {
                "columns" => o.columns = Some(n.value()?.parse()?),
                "name" => o.name = Some(n.value()?.parse()?),
                _ if n.input.peek(syn::Token![=]) => {
                    o.other.push((k, Some(n.value()?.parse()?), span));
                }
                _ => o.other.push((k, None, span)),
            }
            Ok(())
        })?;
        Ok(o)
    }

    fn get(&self, k: &str) -> Option<&(String, Option<LitStr>, Span)> {
        self.other.iter().find(|(o, _, _)| o == k)
    }

    fn flag(&self, k: &str) -> bool {
        self.get(k).is_some()
    }

    fn value(&self, k: &str) -> Option<LitStr> {
        self.get(k).and_then(|(_, v, _)| v.clone())
    }

    /// `Some(initially_deferred)` if `deferrable` or `initially_deferred` is written.
    fn deferrable(&self) -> Option<bool> {
        (self.flag("deferrable") || self.flag("initially_deferred"))
            .then(|| self.flag("initially_deferred"))
    }

    /// An error at the first option not in `allowed`.
    fn allow(&self, allowed: &[&str]) -> syn::Result<()> {
        match self
            .other
            .iter()
            .find(|(k, _, _)| !allowed.contains(&k.as_str()))
        {
            Some((k, _, span)) => Err(Error::new(
                *span,
                format!("unknown `{}` option `{k}`", self.key),
            )),
            None => Ok(()),
        }
    }

    fn columns(&self) -> syn::Result<&LitStr> {
        self.columns
            .as_ref()
            .ok_or_else(|| self.m.error(format!("`{}` needs columns", self.key)))
    }

    fn column_list(&self) -> syn::Result<Vec<String>> {
        Ok(list(self.columns()?))
    }
}

fn key_attr(method: &'static str, o: &Options<'_, '_>) -> syn::Result<KeyAttr> {
    o.allow(&["nulls_not_distinct", "deferrable", "initially_deferred"])?;
    Ok(KeyAttr {
        method,
        columns: o.column_list()?,
        name: o.name.clone(),
        nulls_not_distinct: o.flag("nulls_not_distinct"),
        deferrable: o.deferrable(),
    })
}

fn index_attr(o: &Options<'_, '_>) -> syn::Result<IndexAttr> {
    o.allow(&["unique", "using", "include", "predicate"])?;
    Ok(IndexAttr {
        columns: o.columns()?.clone(),
        name: o.name.clone(),
        unique: o.flag("unique"),
        using: o.value("using"),
        include: o.value("include").map(|i| list(&i)),
        predicate: o.value("predicate"),
    })
}

fn foreign_key_attr(o: &Options<'_, '_>) -> syn::Result<ForeignKeyAttr> {
    o.allow(&[
        "references",
        "on_delete",
        "on_update",
        "deferrable",
        "initially_deferred",
        "match_full",
    ])?;
    let columns = o.column_list()?;
    let references = o.value("references").ok_or_else(|| {
        o.m.error("`foreign_key` needs references = \"table(columns)\"")
    })?;
    let on_delete = o.value("on_delete");
    if let Some(a) = &on_delete {
        check_action(a)?;
    }
    let on_update = o.value("on_update");
    if let Some(a) = &on_update {
        check_action(a)?;
    }
    Ok(ForeignKeyAttr {
        columns,
        references,
        name: o.name.clone(),
        actions: Actions {
            on_delete,
            on_update,
        },
        match_full: o.flag("match_full"),
        deferrable: o.deferrable(),
    })
}

/// Citus: `distributed_by = "column"`, `colocate_with = "table"`, `shard_count = N`,
/// `reference`.
fn distribution_attr(t: &mut TableAttrs, key: &str, m: &ParseNestedMeta<'_>) -> syn::Result<()> {
    let span = m.path.span();
    let part = match key {
        "distributed_by" => {
            t.citus.distributed_by = true;
            TablePart::DistributedBy(m.value()?.parse()?)
        }
        "colocate_with" => {
            let v: LitStr = m.value()?.parse()?;
            t.citus.needs_distributed_by = Some((span, "colocate_with"));
            TablePart::ColocateWith(v)
        }
        "shard_count" => {
            let v: LitInt = m.value()?.parse()?;
            if v.base10_parse::<i32>().map_or(true, |n| n < 1) {
                return Err(Error::new(
                    v.span(),
                    "shard_count must be a positive integer",
                ));
            }
            t.citus.needs_distributed_by = Some((span, "shard_count"));
            TablePart::ShardCount(v)
        }
        _ => {
            t.citus.reference = Some(span);
            TablePart::Reference
        }
    };
    t.parts.push(part);
    Ok(())
}

/// A table is distributed or a reference table, not both; `colocate_with` and `shard_count`
/// need `distributed_by`.
fn check_distribution(c: &CitusSeen) -> syn::Result<()> {
    if let (Some(span), true) = (c.reference, c.distributed_by) {
        return Err(Error::new(
            span,
            "`reference` and `distributed_by` together: a Citus table is either a reference \
             table or distributed by a column",
        ));
    }
    match c.needs_distributed_by {
        Some((span, what)) if !c.distributed_by => Err(Error::new(
            span,
            format!("`{what}` needs `distributed_by = \"column\"` (the distribution column)"),
        )),
        _ => Ok(()),
    }
}
