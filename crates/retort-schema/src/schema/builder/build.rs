//! [`SchemaBuilder::build`]: the declarations into the model, names chosen in the order
//! PostgreSQL chooses them; the [`Context`] every table is built with.

use std::collections::BTreeMap;

use super::build_function::function_model;
use super::{distribution, names, BuildError, Naming, SchemaBuilder, TableBuilder};
use crate::schema::{Extension, QualName, Schema};

impl SchemaBuilder {
    /// The model: names chosen, everything in PostgreSQL's printed form.
    pub fn build(mut self) -> Result<Schema, BuildError> {
        self.tables = self.tables.into_iter().map(truncated).collect();
        let mut s = Schema {
            schemas: self.namespaces.clone(),
            extensions: self.extensions.clone(),
            ..Schema::default()
        };
        for (name, e) in &self.enums {
            if s.enums.insert(name.clone(), e.clone()).is_some() {
                return Err(BuildError::Duplicate(format!("type {name}")));
            }
        }
        // Names taken by what is named explicitly, per PostgreSQL schema, before any is chosen.
        let mut taken: BTreeMap<String, names::Namespace> = BTreeMap::new();
        for t in &self.tables {
            let ns = taken.entry(t.schema.clone()).or_default();
            if !ns.relations.insert(names::truncate_identifier(&t.name)) {
                return Err(BuildError::Duplicate(format!(
                    "table {}.{}",
                    t.schema, t.name
                )));
            }
            for k in t.primary_key.iter().chain(&t.uniques) {
                if let Some(n) = &k.name {
                    ns.relations.insert(names::truncate_identifier(n));
                    ns.constraints.insert(names::truncate_identifier(n));
                }
            }
            for n in t.foreign_keys.iter().filter_map(|f| f.name.as_ref()) {
                ns.constraints.insert(names::truncate_identifier(n));
            }
            for n in t.checks.iter().filter_map(|c| c.name.as_ref()) {
                ns.constraints.insert(names::truncate_identifier(n));
            }
            for n in t.indexes.iter().filter_map(|i| i.name.as_ref()) {
                ns.relations.insert(names::truncate_identifier(n));
            }
        }
        let primary_keys: BTreeMap<QualName, Vec<String>> = self
            .tables
            .iter()
            .filter_map(|t| {
                let pk = t
                    .primary_key
                    .as_ref()
                    .map(|k| k.columns.clone())
                    .or_else(|| {
                        let cols: Vec<String> = t
                            .columns
                            .iter()
                            .filter(|c| c.primary_key)
                            .map(|c| c.name.clone())
                            .collect();
                        (!cols.is_empty()).then_some(cols)
                    })?;
                Some((t.qualified_name(), pk))
            })
            .collect();
        let ctx = Context {
            naming: self.naming,
            extensions: &self.extensions,
            primary_keys: &primary_keys,
        };
        for t in &self.tables {
            let ns = taken.entry(t.schema.clone()).or_default();
            let mut table = ctx.table(t, ns)?;
            table.distribution = t.distribution_model().map_err(|what| BuildError::Table {
                table: t.qualified_name().to_string(),
                what,
            })?;
            s.tables.insert(t.qualified_name(), table);
        }
        distribution::finish(&mut s)?;
        for f in &self.functions {
            let (key, function) = function_model(f, &s)?;
            if s.functions.insert(key.clone(), function).is_some() {
                return Err(BuildError::Duplicate(format!("function {key}")));
            }
        }
        Ok(s)
    }
}

/// The table with every name cut to 63 bytes, as PostgreSQL stores (and so prints) them.
fn truncated(mut t: TableBuilder) -> TableBuilder {
    use names::truncate_identifier as cut;
    let cut_all = |v: &mut Vec<String>| v.iter_mut().for_each(|c| *c = cut(c));
    t.schema = cut(&t.schema);
    t.name = cut(&t.name);
    for c in &mut t.columns {
        c.name = cut(&c.name);
        if let Some(fk) = &mut c.references {
            cut_all(&mut fk.columns);
        }
    }
    for k in t.primary_key.iter_mut().chain(t.uniques.iter_mut()) {
        cut_all(&mut k.columns);
    }
    for fk in &mut t.foreign_keys {
        cut_all(&mut fk.columns);
    }
    for c in &mut t.checks {
        cut_all(&mut c.columns);
    }
    for i in &mut t.indexes {
        cut_all(&mut i.include);
    }
    for tr in &mut t.triggers {
        tr.name = cut(&tr.name);
    }
    for p in &mut t.policies {
        p.name = cut(&p.name);
    }
    t
}

/// What building a table needs of the whole declaration.
pub(super) struct Context<'a> {
    pub(super) naming: Naming,
    pub(super) extensions: &'a BTreeMap<String, Extension>,
    pub(super) primary_keys: &'a BTreeMap<QualName, Vec<String>>,
}

impl Context<'_> {
    pub(super) fn conventional(&self) -> bool {
        self.naming == Naming::Conventional
    }
}
