//! [`render_schema`]: the whole schema as one DDL script, one section per object kind in the
//! order a dump holds them (see the module order in [`super`]). Each section is a function
//! returning its statements; [`Dump::section`] writes a titled section when it has any.

use std::fmt::Write as _;

use super::{
    check_under_parents_not_valid, constraints_in_name_order, creation_order, distribution,
    objects, order, parents, table_order, unsupported_notice,
};
use crate::schema::{ConstraintKind, Extension, QualName, Schema, Table};

/// The whole schema as DDL.
pub fn render_schema(schema: &Schema) -> String {
    let mut out = Dump::new(schema);
    let tables = table_order(schema);
    let t = Tables { schema, tables };
    let (before_tables, after_tables) = creation_order(schema);
    let nodes = |nodes: &[_]| {
        nodes
            .iter()
            .map(|n| objects::create_node(schema, n))
            .collect()
    };
    out.section("schemas", schemas(schema));
    out.section("extensions", extensions(schema));
    // Sequences need nothing but their schema, and a domain's, a function argument's or a
    // foreign table column's default may call `nextval` on one: made first.
    out.section("sequences", sequences(schema));
    out.section("types and functions", nodes(&before_tables));
    out.section("tables", t.create_tables());
    out.section(
        "checks of inheritance children a parent's NOT VALID check merges into",
        t.each(|name, table| t.checks_under_not_valid_parents(name, table)),
    );
    out.section("constraints", t.each(|n, table| t.constraints(n, table)));
    out.section("indexes", t.each(indexes));
    out.section(
        "partition indexes attached to their parent's",
        t.each(attached_indexes),
    );
    out.section(
        "replica identity and clustering",
        t.each(|name, table| vec![objects::table_settings(name, table)]),
    );
    out.section("distribution (Citus)", distribution::render(schema));
    out.section("foreign keys", t.each(foreign_keys));
    out.section("views and functions that use tables", nodes(&after_tables));
    out.section("materialized view indexes", view_indexes(schema));
    out.section("sequence ownership", sequence_ownership(schema));
    out.section("triggers", t.triggers());
    out.section("row-level security", t.each(row_security));
    out.section("grants", objects::all_grants(schema));
    out.section(
        "event triggers and default privileges",
        nodes(&order::last_objects(schema)),
    );
    out.text
}

/// The script being written.
struct Dump {
    text: String,
}

impl Dump {
    fn new(schema: &Schema) -> Self {
        let mut text = String::from("-- Schema dumped by retort\n");
        text.push_str(&unsupported_notice(schema));
        text.push_str("SET check_function_bodies = false;\n");
        Self { text }
    }

    /// `-- title` and the non-empty `parts`, each ending in a newline; nothing when all are
    /// empty.
    fn section(&mut self, title: &str, parts: Vec<String>) {
        let mut parts = parts.into_iter().filter(|p| !p.is_empty()).peekable();
        if parts.peek().is_none() {
            return;
        }
        let _ = write!(self.text, "\n-- {title}\n\n");
        for p in parts {
            self.text.push_str(&p);
            if !p.ends_with('\n') {
                self.text.push('\n');
            }
        }
    }
}

/// The schema's tables in creation order (partitions and inheritance children after their
/// parents), for the sections made table by table.
struct Tables<'a> {
    schema: &'a Schema,
    tables: Vec<QualName>,
}

impl<'a> Tables<'a> {
    /// What `f` makes of each table, in table order.
    fn each(&self, f: impl Fn(&QualName, &'a Table) -> Vec<String>) -> Vec<String> {
        self.tables
            .iter()
            .filter_map(|name| self.schema.tables.get(name).map(|t| f(name, t)))
            .flatten()
            .collect()
    }

    fn create_tables(&self) -> Vec<String> {
        self.each(|name, t| vec![objects::create_table(name, t, &parents(self.schema, t))])
    }

    fn checks_under_not_valid_parents(&self, name: &QualName, t: &Table) -> Vec<String> {
        t.constraints
            .iter()
            .filter(|(cname, c)| check_under_parents_not_valid(self.schema, t, cname, c))
            .map(|(cname, c)| objects::add_constraint(name, t, cname, c))
            .collect()
    }

    /// Every constraint but foreign keys and the checks made before their parents'.
    fn constraints(&self, name: &QualName, t: &Table) -> Vec<String> {
        t.constraints
            .iter()
            .filter(|(_, c)| c.kind != ConstraintKind::ForeignKey)
            .filter(|(cname, c)| !check_under_parents_not_valid(self.schema, t, cname, c))
            .map(|(cname, c)| {
                if c.inherited {
                    let parent = parents(self.schema, t)
                        .into_iter()
                        .find(|p| p.constraints.contains_key(cname));
                    objects::inherited_check(name, cname, c, parent)
                } else {
                    objects::add_constraint(name, t, cname, c)
                }
            })
            .collect()
    }

    /// Tables' triggers and their enabled states, then views' triggers.
    fn triggers(&self) -> Vec<String> {
        let views = self.schema.views.iter().flat_map(|(name, v)| {
            v.triggers
                .iter()
                .map(|(tname, tr)| objects::create_trigger(name, tname, tr))
        });
        self.each(|name, t| {
            let states = t
                .trigger_states
                .iter()
                .map(|(tname, state)| objects::trigger_state(name, tname, state));
            t.triggers
                .iter()
                .map(|(tname, tr)| objects::create_trigger(name, tname, tr))
                .chain(states)
                .collect()
        })
        .into_iter()
        .chain(views)
        .collect()
    }
}

fn schemas(schema: &Schema) -> Vec<String> {
    schema
        .schemas
        .iter()
        .map(|(name, ns)| objects::create_schema(name, ns))
        .collect()
}

fn extensions(schema: &Schema) -> Vec<String> {
    Extension::creation_order(&schema.extensions)
        .into_iter()
        .map(|name| objects::create_extension(name, &schema.extensions[name]))
        .collect()
}

fn sequences(schema: &Schema) -> Vec<String> {
    schema
        .sequences
        .iter()
        .map(|(name, s)| objects::create_sequence(name, s))
        .collect()
}

fn indexes(name: &QualName, t: &Table) -> Vec<String> {
    t.indexes
        .iter()
        .map(|(iname, i)| objects::create_index(&name.schema, iname, i))
        .collect()
}

/// A partition's key constraints and indexes attached to their parent's.
fn attached_indexes(name: &QualName, t: &Table) -> Vec<String> {
    let constraints = t
        .constraints
        .iter()
        .filter_map(|(cname, c)| Some((cname, c.parent_index.as_ref()?)));
    let indexes = t
        .indexes
        .iter()
        .filter_map(|(iname, i)| Some((iname, i.parent_index.as_ref()?)));
    constraints
        .chain(indexes)
        .map(|(child, parent)| {
            objects::attach_index(parent, &QualName::new(name.schema.clone(), child))
        })
        .collect()
}

fn foreign_keys(name: &QualName, t: &Table) -> Vec<String> {
    constraints_in_name_order(t)
        .into_iter()
        .filter(|(_, c)| c.kind == ConstraintKind::ForeignKey)
        .map(|(cname, c)| objects::add_constraint(name, t, cname, c))
        .collect()
}

fn view_indexes(schema: &Schema) -> Vec<String> {
    schema
        .views
        .iter()
        .flat_map(|(name, v)| {
            v.indexes
                .iter()
                .map(|(iname, i)| objects::create_index(&name.schema, iname, i))
        })
        .collect()
}

fn sequence_ownership(schema: &Schema) -> Vec<String> {
    schema
        .sequences
        .iter()
        .map(|(name, s)| objects::sequence_owned_by(name, s))
        .collect()
}

fn row_security(name: &QualName, t: &Table) -> Vec<String> {
    std::iter::once(objects::row_security(name, t))
        .chain(
            t.policies
                .iter()
                .map(|(pname, p)| objects::create_policy(name, pname, p)),
        )
        .collect()
}
