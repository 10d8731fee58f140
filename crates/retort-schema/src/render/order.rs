//! Creation order: a topological sort of the objects that depend on one another, with kind and
//! name as the tie-break so the order is deterministic.

use std::collections::{BTreeMap, BTreeSet};

use crate::schema::{QualName, Schema};

/// An object created in one of the two sorted phases.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Node {
    Enum(QualName),
    Domain(QualName),
    Composite(QualName),
    Function(QualName),
    View(QualName),
    /// A catalog object (collation, aggregate, operator, rule...).
    Object(QualName),
    /// A view that reads itself, or is in a cycle of views: first made as a placeholder with
    /// its columns (as pg_dump does)...
    ViewPlaceholder(QualName),
    /// ... and given its definition once what it reads exists.
    ViewReplace(QualName),
}

impl Node {
    pub fn name(&self) -> &QualName {
        match self {
            Node::Enum(n) | Node::Domain(n) | Node::Composite(n) | Node::Function(n) => n,
            Node::View(n) | Node::Object(n) | Node::ViewPlaceholder(n) | Node::ViewReplace(n) => n,
        }
    }
}

fn deps_of<'a>(schema: &'a Schema, node: &Node) -> Box<dyn Iterator<Item = &'a QualName> + 'a> {
    match node {
        Node::Enum(_) => Box::new(std::iter::empty()),
        Node::Domain(n) => Box::new(
            schema
                .domains
                .get(n)
                .into_iter()
                .flat_map(|d| &d.depends_on),
        ),
        Node::Composite(n) => Box::new(
            schema
                .composites
                .get(n)
                .into_iter()
                .flat_map(|d| &d.depends_on),
        ),
        Node::Function(n) => Box::new(
            schema
                .functions
                .get(n)
                .into_iter()
                .flat_map(|d| &d.depends_on),
        ),
        Node::View(n) | Node::ViewPlaceholder(n) | Node::ViewReplace(n) => {
            Box::new(schema.views.get(n).into_iter().flat_map(|d| &d.depends_on))
        }
        Node::Object(n) => Box::new(
            schema
                .objects
                .get(n)
                .into_iter()
                .flat_map(|d| &d.depends_on),
        ),
    }
}

/// Sort `nodes` so each comes after what it depends on (among `nodes`); on a cycle, the rest in
/// name order.
fn topo(schema: &Schema, nodes: Vec<Node>) -> Vec<Node> {
    let by_name: BTreeMap<&QualName, &Node> = nodes.iter().map(|n| (n.name(), n)).collect();
    let mut waiting: BTreeMap<&Node, BTreeSet<&Node>> = BTreeMap::new();
    let mut dependents: BTreeMap<&Node, Vec<&Node>> = BTreeMap::new();
    for n in &nodes {
        let deps: BTreeSet<&Node> = deps_of(schema, n)
            .filter_map(|d| by_name.get(d).copied())
            .filter(|d| *d != n)
            .collect();
        for d in &deps {
            dependents.entry(*d).or_default().push(n);
        }
        waiting.insert(n, deps);
    }
    let mut ready: BTreeSet<&Node> = waiting
        .iter()
        .filter(|(_, d)| d.is_empty())
        .map(|(n, _)| *n)
        .collect();
    let mut out = Vec::with_capacity(nodes.len());
    let mut done: BTreeSet<&Node> = BTreeSet::new();
    // Plain views that read themselves, and those taken to break a cycle, are placeholders.
    let replaceable = |n: &Node| match n {
        Node::View(v) => schema.views.get(v).is_some_and(|v| !v.materialized),
        _ => false,
    };
    let mut placeholders: Vec<&Node> = nodes
        .iter()
        .filter(|n| replaceable(n) && deps_of(schema, n).any(|d| d == n.name()))
        .collect();
    loop {
        while let Some(n) = ready.pop_first() {
            done.insert(n);
            out.push(if placeholders.contains(&n) {
                Node::ViewPlaceholder(n.name().clone())
            } else {
                n.clone()
            });
            for m in dependents.get(n).into_iter().flatten() {
                if let Some(w) = waiting.get_mut(m) {
                    w.remove(n);
                    if w.is_empty() && !done.contains(m) {
                        ready.insert(m);
                    }
                }
            }
        }
        // A cycle: take the first remaining by name (a view if there is one, made as a
        // placeholder) and go on.
        let remaining = || waiting.keys().filter(|n| !done.contains(*n));
        match remaining()
            .find(|n| replaceable(n))
            .or_else(|| remaining().next())
        {
            Some(n) => {
                if replaceable(n) {
                    placeholders.push(n);
                }
                ready.insert(n);
            }
            None => break,
        }
    }
    out.extend(
        placeholders
            .iter()
            .map(|n| Node::ViewReplace(n.name().clone())),
    );
    out
}

/// The types and functions created before the tables, and the views, and the types and functions
/// that need a table or view (maybe through others), created after them, each in dependency order.
pub fn creation_order(schema: &Schema) -> (Vec<Node>, Vec<Node>) {
    let mut nodes: Vec<Node> = Vec::new();
    nodes.extend(schema.enums.keys().cloned().map(Node::Enum));
    nodes.extend(schema.domains.keys().cloned().map(Node::Domain));
    nodes.extend(schema.composites.keys().cloned().map(Node::Composite));
    nodes.extend(schema.functions.keys().cloned().map(Node::Function));
    nodes.extend(
        schema
            .objects
            .iter()
            .filter(|(_, o)| !o.last())
            .map(|(n, _)| Node::Object(n.clone())),
    );
    // Late: a view, a late kind of catalog object, or what depends on a table, a view or
    // something late.
    let mut late: BTreeSet<QualName> = schema.views.keys().cloned().collect();
    late.extend(
        schema
            .objects
            .iter()
            .filter(|(_, o)| o.late_kind())
            .map(|(n, _)| n.clone()),
    );
    let relations: BTreeSet<&QualName> = schema.tables.keys().chain(schema.views.keys()).collect();
    loop {
        let more: Vec<QualName> = nodes
            .iter()
            .filter(|n| !late.contains(n.name()))
            .filter(|n| deps_of(schema, n).any(|d| relations.contains(d) || late.contains(d)))
            .map(|n| n.name().clone())
            .collect();
        if more.is_empty() {
            break;
        }
        late.extend(more);
    }
    let (after, before): (Vec<Node>, Vec<Node>) =
        nodes.into_iter().partition(|n| late.contains(n.name()));
    let mut after = after;
    after.extend(schema.views.keys().cloned().map(Node::View));
    (topo(schema, before), topo(schema, after))
}

/// The catalog objects made last (event triggers, default privileges), by name.
pub fn last_objects(schema: &Schema) -> Vec<Node> {
    schema
        .objects
        .iter()
        .filter(|(_, o)| o.last())
        .map(|(n, _)| Node::Object(n.clone()))
        .collect()
}

/// Tables by name, each partition after its parent, and each inheritance child after all its
/// parents (right after the last of them); a table with a column of another's row type after
/// that table, the same way.
pub fn table_order(schema: &Schema) -> Vec<QualName> {
    let mut out = Vec::with_capacity(schema.tables.len());
    let mut children: BTreeMap<&QualName, Vec<&QualName>> = BTreeMap::new();
    // Inheritance parents (in the schema) a child still waits for.
    let mut waiting: BTreeMap<&QualName, usize> = BTreeMap::new();
    let mut roots = Vec::new();
    let by_type_name: BTreeMap<String, &QualName> =
        schema.tables.keys().map(|k| (k.to_string(), k)).collect();
    for (name, t) in &schema.tables {
        // Tables it inherits, and tables whose row type a column has.
        // Every key is `schema.name`: a type without a dot is none of them (most columns).
        let row_types = t
            .columns
            .iter()
            .filter(|c| c.data_type.contains('.'))
            .filter_map(|c| {
                by_type_name
                    .get(c.data_type.trim_end_matches("[]"))
                    .copied()
            });
        let parents: BTreeSet<&QualName> = t
            .inherits
            .iter()
            .chain(row_types)
            .filter(|p| *p != name && schema.tables.contains_key(*p))
            .collect();
        match &t.partition_of {
            Some(p) if schema.tables.contains_key(&p.parent) => {
                children.entry(&p.parent).or_default().push(name);
            }
            _ if !parents.is_empty() => {
                for p in &parents {
                    children.entry(*p).or_default().push(name);
                }
                waiting.insert(name, parents.len());
            }
            _ => roots.push(name),
        }
    }
    let mut done: BTreeSet<&QualName> = BTreeSet::new();
    let mut stack: Vec<&QualName> = roots.into_iter().rev().collect();
    loop {
        while let Some(n) = stack.pop() {
            if !done.insert(n) {
                continue;
            }
            out.push(n.clone());
            for c in children.get(n).into_iter().flatten().rev() {
                match waiting.get_mut(c) {
                    Some(w) => {
                        *w -= 1;
                        if *w == 0 {
                            stack.push(c);
                        }
                    }
                    None => stack.push(c),
                }
            }
        }
        // A cycle (not possible in PostgreSQL): the first table left, by name.
        match schema.tables.keys().find(|n| !done.contains(n)) {
            Some(n) => {
                waiting.remove(n);
                stack.push(n);
            }
            None => break,
        }
    }
    out
}
