//! What an ERD shows: the entities (tables, views, enums) of the chosen schemas and tables,
//! and the links between them (foreign keys; what a view reads).

use std::collections::{BTreeMap, BTreeSet};

use crate::schema::{ConstraintKind, QualName, Schema, Table};

/// Which part of the schema to draw.
#[derive(Debug, Clone, Default)]
pub struct ErdOptions {
    /// PostgreSQL schemas to draw (empty: all).
    pub schemas: Vec<String>,
    /// Table and view name patterns (`*` any run, `?` one character), matched against
    /// `schema.name` and `name` (empty: all). With patterns, only the enums the drawn columns
    /// use are drawn.
    pub tables: Vec<String>,
    /// The picture's title.
    pub title: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntityKind {
    Table,
    View,
    MaterializedView,
    Enum,
}

/// One line of an entity: a column (or an enum label, with an empty type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRow {
    pub name: String,
    pub data_type: String,
    pub not_null: bool,
    /// `PK`, `FK`, `UK`, in that order.
    pub keys: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub name: QualName,
    pub kind: EntityKind,
    pub rows: Vec<EntityRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// A foreign key; `optional` when a referencing column may be NULL, `unique` when the
    /// referencing columns are also a key (one to one).
    ForeignKey { optional: bool, unique: bool },
    /// A view reads the relation.
    Reads,
}

/// An edge from the referencing entity (`from`) to the referenced one (`to`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub from: QualName,
    pub from_columns: Vec<String>,
    pub to: QualName,
    pub to_columns: Vec<String>,
    /// The constraint's name (empty for `Reads`).
    pub name: String,
    pub kind: LinkKind,
}

/// Entities sorted by (schema, name, kind); links sorted by (from, name, to).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Erd {
    pub title: String,
    pub entities: Vec<Entity>,
    pub links: Vec<Link>,
}

impl Erd {
    /// The schemas drawn, sorted, with the indexes of their entities.
    pub fn clusters(&self) -> Vec<(String, Vec<usize>)> {
        let mut by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, e) in self.entities.iter().enumerate() {
            by.entry(e.name.schema.as_str()).or_default().push(i);
        }
        by.into_iter().map(|(s, v)| (s.to_string(), v)).collect()
    }
}

/// `*` and `?` globbing, whole text.
fn glob(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((p, rest)) => text
            .split_first()
            .is_some_and(|(t, tail)| (*p == '?' || p == t) && glob(rest, tail)),
    }
}

fn matches(options: &ErdOptions, name: &QualName) -> bool {
    let in_schema = options.schemas.is_empty() || options.schemas.contains(&name.schema);
    let full: Vec<char> = format!("{}.{}", name.schema, name.name).chars().collect();
    let short: Vec<char> = name.name.chars().collect();
    in_schema
        && (options.tables.is_empty()
            || options.tables.iter().any(|p| {
                let p: Vec<char> = p.chars().collect();
                glob(&p, &full) || glob(&p, &short)
            }))
}

fn table_rows(t: &Table) -> Vec<EntityRow> {
    let mut keys: BTreeMap<&str, BTreeSet<&'static str>> = BTreeMap::new();
    for c in t.constraints.values() {
        let mark = match c.kind {
            ConstraintKind::PrimaryKey => "PK",
            ConstraintKind::ForeignKey => "FK",
            ConstraintKind::Unique => "UK",
            _ => continue,
        };
        for col in &c.columns {
            keys.entry(col.as_str()).or_default().insert(mark);
        }
    }
    let order = |m: &&str| ["PK", "FK", "UK"].iter().position(|x| x == m);
    t.columns
        .iter()
        .map(|c| {
            let mut k: Vec<&'static str> = keys
                .get(c.name.as_str())
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default();
            k.sort_by_key(order);
            EntityRow {
                name: c.name.clone(),
                data_type: c.data_type.clone(),
                not_null: c.not_null,
                keys: k,
            }
        })
        .collect()
}

fn foreign_keys(name: &QualName, t: &Table) -> Vec<Link> {
    let unique_sets: Vec<&Vec<String>> = t
        .constraints
        .values()
        .filter(|c| matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique))
        .map(|c| &c.columns)
        .collect();
    t.constraints
        .iter()
        .filter(|(_, c)| c.kind == ConstraintKind::ForeignKey)
        .filter_map(|(cname, c)| {
            let to = c.references.clone()?;
            let optional = c
                .columns
                .iter()
                .any(|col| t.columns.iter().any(|x| &x.name == col && !x.not_null));
            Some(Link {
                from: name.clone(),
                from_columns: c.columns.clone(),
                to,
                to_columns: referenced_columns(&c.definition),
                name: cname.clone(),
                kind: LinkKind::ForeignKey {
                    optional,
                    unique: unique_sets.contains(&&c.columns),
                },
            })
        })
        .collect()
}

/// The referenced columns of `FOREIGN KEY (a) REFERENCES s.t(b, c) ...`.
fn referenced_columns(definition: &str) -> Vec<String> {
    let Some(after) = definition.split(" REFERENCES ").nth(1) else {
        return Vec::new();
    };
    let Some(open) = after.find('(') else {
        return Vec::new();
    };
    let inner = &after[open + 1..];
    let close = inner.find(')').unwrap_or(inner.len());
    inner[..close]
        .split(',')
        .map(|c| c.trim().trim_matches('"').replace("\"\"", "\""))
        .collect()
}

/// Build the diagram's model.
pub fn erd_model(schema: &Schema, options: &ErdOptions) -> Erd {
    let mut entities = Vec::new();
    for (name, t) in schema.tables.iter().filter(|(n, _)| matches(options, n)) {
        entities.push(Entity {
            name: name.clone(),
            kind: EntityKind::Table,
            rows: table_rows(t),
        });
    }
    for (name, v) in schema.views.iter().filter(|(n, _)| matches(options, n)) {
        entities.push(Entity {
            name: name.clone(),
            kind: if v.materialized {
                EntityKind::MaterializedView
            } else {
                EntityKind::View
            },
            rows: v
                .columns
                .iter()
                .map(|c| EntityRow {
                    name: c.name.clone(),
                    data_type: c.data_type.clone(),
                    not_null: false,
                    keys: Vec::new(),
                })
                .collect(),
        });
    }
    let used: BTreeSet<String> = entities
        .iter()
        .flat_map(|e| {
            e.rows
                .iter()
                .map(|r| r.data_type.trim_end_matches("[]").to_string())
        })
        .collect();
    for (name, en) in &schema.enums {
        let in_schema = options.schemas.is_empty() || options.schemas.contains(&name.schema);
        let wanted = options.tables.is_empty() || used.contains(&enum_type_name(name));
        if in_schema && wanted {
            entities.push(Entity {
                name: name.clone(),
                kind: EntityKind::Enum,
                rows: en
                    .labels
                    .iter()
                    .map(|l| EntityRow {
                        name: l.clone(),
                        data_type: String::new(),
                        not_null: false,
                        keys: Vec::new(),
                    })
                    .collect(),
            });
        }
    }
    entities.sort_by(|a, b| (&a.name, a.kind).cmp(&(&b.name, b.kind)));
    let links = links(schema, &entities);
    Erd {
        title: options.title.clone(),
        entities,
        links,
    }
}

/// How `format_type` names an enum under an empty search_path.
fn enum_type_name(name: &QualName) -> String {
    format!(
        "{}.{}",
        crate::sql::quote_ident_unless_plain(&name.schema),
        crate::sql::quote_ident_unless_plain(&name.name)
    )
}

/// Foreign keys between drawn tables, and what drawn views read among drawn relations.
fn links(schema: &Schema, entities: &[Entity]) -> Vec<Link> {
    let drawn: BTreeSet<&QualName> = entities
        .iter()
        .filter(|e| e.kind != EntityKind::Enum)
        .map(|e| &e.name)
        .collect();
    let mut out = Vec::new();
    for e in entities {
        match e.kind {
            EntityKind::Table => out.extend(
                foreign_keys(&e.name, &schema.tables[&e.name])
                    .into_iter()
                    .filter(|l| drawn.contains(&l.to)),
            ),
            EntityKind::View | EntityKind::MaterializedView => {
                let v = &schema.views[&e.name];
                let mut read = super::reads::relations_read(&v.definition, &drawn);
                read.extend(v.depends_on.iter().filter(|d| drawn.contains(d)).cloned());
                read.remove(&e.name);
                out.extend(read.into_iter().map(|to| Link {
                    from: e.name.clone(),
                    from_columns: Vec::new(),
                    to,
                    to_columns: Vec::new(),
                    name: String::new(),
                    kind: LinkKind::Reads,
                }));
            }
            EntityKind::Enum => {}
        }
    }
    out.sort_by(|a, b| (&a.from, &a.name, &a.to).cmp(&(&b.from, &b.name, &b.to)));
    out
}
