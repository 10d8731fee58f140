//! Running the queries and assembling their rows into the model.

use std::collections::{BTreeMap, BTreeSet};

use tokio_postgres::Row;

use super::{queries as q, CountingClient, IntrospectError, IntrospectOptions, MIN_SERVER_VERSION};
use crate::schema::{
    Attribute, CatalogObject, Column, CompositeType, Constraint, ConstraintKind, Dependent, Domain,
    EnumType, Extension, Function, Grant, Identity, Index, Namespace, PartitionOf, Policy,
    QualName, Schema, Sequence, SequenceOptions, Table, Trigger, View,
};

fn qn(row: &Row, schema: usize, name: usize) -> QualName {
    QualName::new(row.get::<_, String>(schema), row.get::<_, String>(name))
}

fn opt_qn(row: &Row, schema: usize, name: usize) -> Option<QualName> {
    match (
        row.get::<_, Option<String>>(schema),
        row.get::<_, Option<String>>(name),
    ) {
        (Some(s), Some(n)) => Some(QualName::new(s, n)),
        _ => None,
    }
}

/// [`grants`] of an ACL that may be NULL (the object's default): None then.
fn opt_grants(row: &Row, idx: usize) -> Option<BTreeSet<Grant>> {
    row.get::<_, Option<Vec<String>>>(idx)
        .is_some()
        .then(|| grants(row, idx))
}

fn grants(row: &Row, idx: usize) -> BTreeSet<Grant> {
    row.get::<_, Vec<String>>(idx)
        .into_iter()
        .filter_map(|g| {
            let mut parts = g.rsplitn(3, '|');
            let grantable = parts.next()? == "true";
            let privilege = parts.next()?.to_string();
            let grantee = parts.next()?.to_string();
            Some(Grant {
                grantee,
                privilege,
                with_grant_option: grantable,
            })
        })
        .collect()
}

/// Read everything through `c`, or through `c` and `d` (two connections in one snapshot), which
/// then share the queries.
pub(super) async fn read(
    c: &CountingClient<'_>,
    d: Option<&CountingClient<'_>>,
    options: &IntrospectOptions,
) -> Result<Schema, IntrospectError> {
    let setup = match d {
        Some(d) => {
            let (setup, _) = tokio::try_join!(
                c.query("setup", q::SETUP, &[]),
                d.query("setup", q::SETUP, &[])
            )?;
            setup
        }
        None => c.query("setup", q::SETUP, &[]).await?,
    };
    let d = d.unwrap_or(c);
    if let Some(row) = setup.first() {
        let version: i32 = row.get(1);
        if version < MIN_SERVER_VERSION {
            return Err(IntrospectError::ServerTooOld {
                major: version / 10_000,
            });
        }
    }
    let schemas: &Vec<String> = &options.schemas;
    let p: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [schemas];
    // Every query at once: pipelined on the connection, run by the server one after the other
    // in the same snapshot, with no round trip waiting between them. With two connections,
    // the second takes about half of the server's work.
    let (
        r_schemas,
        r_extensions,
        r_enums,
        r_domains,
        r_domain_constraints,
        r_composites,
        r_sequences,
        r_tables,
        r_columns,
        r_constraints,
        r_indexes,
        r_triggers,
        r_policies,
        r_views,
        r_functions,
        r_objects,
        r_dependencies,
        r_unsupported,
    ) = tokio::try_join!(
        c.query("schemas", q::SCHEMAS, &p),
        c.query("extensions", q::EXTENSIONS, &p),
        c.query("enums", q::ENUMS, &p),
        c.query("domains", q::DOMAINS, &p),
        c.query("domain constraints", q::DOMAIN_CONSTRAINTS, &p),
        c.query("composite types", q::COMPOSITES, &p),
        c.query("sequences", q::SEQUENCES, &p),
        c.query("tables", q::TABLES, &p),
        d.query("columns", q::COLUMNS, &p),
        d.query("constraints", q::CONSTRAINTS, &p),
        c.query("indexes", q::INDEXES, &p),
        c.query("triggers", q::TRIGGERS, &p),
        c.query("policies", q::POLICIES, &p),
        c.query("views", q::VIEWS, &p),
        c.query("functions", q::FUNCTIONS, &p),
        c.query("objects", &super::kinds::OBJECTS, &p),
        d.query("dependencies", &q::DEPENDENCIES, &p),
        d.query("unsupported objects", q::UNSUPPORTED, &p),
    )?;
    let mut s = Schema::default();

    for row in r_schemas {
        s.schemas.insert(
            row.get(0),
            Namespace {
                comment: row.get(1),
                grants: grants(&row, 2),
            },
        );
    }
    for row in r_extensions {
        s.extensions.insert(
            row.get(0),
            Extension {
                schema: row.get(1),
                version: row.get(2),
                comment: row.get(3),
                requires: row.get(4),
            },
        );
    }
    for row in r_enums {
        s.enums.insert(
            qn(&row, 0, 1),
            EnumType {
                labels: row.get(2),
                comment: row.get(3),
                grants: opt_grants(&row, 4),
            },
        );
    }
    for row in r_domains {
        s.domains.insert(
            qn(&row, 0, 1),
            Domain {
                base_type: row.get(2),
                collation: row.get(3),
                default: row.get(4),
                not_null: row.get(5),
                comment: row.get(6),
                grants: opt_grants(&row, 7),
                ..Domain::default()
            },
        );
    }
    for row in r_domain_constraints {
        if let Some(d) = s.domains.get_mut(&qn(&row, 0, 1)) {
            let name: String = row.get(2);
            if let Some(comment) = row.get::<_, Option<String>>(4) {
                d.constraint_comments.insert(name.clone(), comment);
            }
            d.checks.insert(name, row.get(3));
        }
    }
    for row in r_composites {
        let t = s
            .composites
            .entry(qn(&row, 0, 1))
            .or_insert_with(|| CompositeType {
                comment: row.get(6),
                grants: opt_grants(&row, 7),
                ..CompositeType::default()
            });
        if let Some(name) = row.get::<_, Option<String>>(2) {
            t.attributes.push(Attribute {
                name,
                data_type: row.get(3),
                collation: row.get(4),
                comment: row.get(5),
            });
        }
    }

    // Identity sequences belong to their column: (table, column) → their identity.
    let mut identity_sequences: BTreeMap<(QualName, String), Identity> = BTreeMap::new();
    for row in r_sequences {
        let options = SequenceOptions {
            data_type: row.get(2),
            start: row.get(3),
            increment: row.get(4),
            min: row.get(5),
            max: row.get(6),
            cache: row.get(7),
            cycle: row.get(8),
        };
        let owner = opt_qn(&row, 10, 11).zip(row.get::<_, Option<String>>(12));
        let deptype: Option<String> = row.get(13);
        match (owner, deptype.as_deref()) {
            (Some(owner), Some("i")) => {
                let identity = Identity {
                    sequence: qn(&row, 0, 1),
                    options,
                    comment: row.get(14),
                    grants: grants(&row, 15),
                    always: false,
                };
                identity_sequences.insert(owner, identity);
            }
            (owner, _) => {
                s.sequences.insert(
                    qn(&row, 0, 1),
                    Sequence {
                        options,
                        owned_by: owner,
                        unlogged: row.get(9),
                        comment: row.get(14),
                        grants: grants(&row, 15),
                    },
                );
            }
        }
    }

    // The identity index name of tables with REPLICA IDENTITY USING INDEX, filled from indexes.
    for row in r_tables {
        let replica_identity = match row.get::<_, String>(10).as_str() {
            "f" => Some("FULL".to_string()),
            "n" => Some("NOTHING".to_string()),
            "i" => Some("USING INDEX".to_string()),
            _ => None,
        };
        s.tables.insert(
            qn(&row, 0, 1),
            Table {
                unlogged: row.get(2),
                partition_key: row.get(3),
                partition_of: opt_qn(&row, 4, 5).map(|parent| PartitionOf {
                    parent,
                    bound: row.get::<_, Option<String>>(6).unwrap_or_default(),
                }),
                options: row.get(7),
                row_security: row.get(8),
                force_row_security: row.get(9),
                replica_identity,
                comment: row.get(11),
                grants: grants(&row, 12),
                inherits: row
                    .get::<_, Vec<String>>(13)
                    .into_iter()
                    .zip(row.get::<_, Vec<String>>(14))
                    .map(|(s, n)| QualName::new(s, n))
                    .collect(),
                of_type: opt_qn(&row, 15, 16),
                tablespace: row.get(17),
                ..Table::default()
            },
        );
    }
    for row in r_columns {
        let rel = qn(&row, 0, 1);
        let name: String = row.get(2);
        let identity: String = row.get(6);
        let generated: String = row.get(7);
        let expr: Option<String> = row.get(5);
        let inherited: bool = row.get(10);
        let identity = match identity.as_str() {
            "a" | "d" => identity_sequences
                .remove(&(rel.clone(), name.clone()))
                .map(|id| Identity {
                    always: identity == "a",
                    ..id
                }),
            _ => None,
        };
        let (default, generated) = if generated == "s" {
            (None, expr)
        } else {
            (expr, None)
        };
        let column = Column {
            name,
            data_type: row.get(3),
            not_null: row.get(4),
            default,
            identity,
            generated,
            collation: row.get(8),
            comment: row.get(9),
            inherited,
            merged: inherited && row.get::<_, bool>(11),
            storage: row.get(12),
            statistics: row.get(13),
            compression: row.get(14),
            grants: grants(&row, 15),
            options: row.get(16),
        };
        if let Some(t) = s.tables.get_mut(&rel) {
            t.columns.push(column);
        } else {
            // Views are read after columns: keep theirs aside. Their columns' storage,
            // statistics and options are reported as unsupported, not modelled.
            let column = Column {
                storage: None,
                statistics: None,
                compression: None,
                options: Vec::new(),
                ..column
            };
            s.views.entry(rel).or_default().columns.push(column);
        }
    }
    inheritance_column_order(&mut s);
    for row in r_constraints {
        let Some(t) = s.tables.get_mut(&qn(&row, 0, 1)) else {
            continue;
        };
        let kind = match row.get::<_, String>(3).as_str() {
            "p" => ConstraintKind::PrimaryKey,
            "u" => ConstraintKind::Unique,
            "f" => ConstraintKind::ForeignKey,
            "x" => ConstraintKind::Exclusion,
            _ => ConstraintKind::Check,
        };
        let is_local: bool = row.get(12);
        let has_parent: bool = row.get(13);
        // What the parent's constraint makes by itself: cloned foreign keys.
        if kind == ConstraintKind::ForeignKey && has_parent {
            continue;
        }
        t.constraints.insert(
            row.get(2),
            Constraint {
                kind,
                definition: row.get(4),
                columns: row.get(5),
                references: opt_qn(&row, 6, 7),
                deferrable: row.get(8),
                initially_deferred: row.get(9),
                validated: row.get(10),
                // Meaningful for checks only: PostgreSQL sets it on a key constraint made by
                // ALTER TABLE but not on one cloned onto a partition, which attaching keeps.
                no_inherit: kind == ConstraintKind::Check && row.get::<_, bool>(11),
                parent_index: opt_qn(&row, 14, 15),
                inherited: kind == ConstraintKind::Check && !is_local,
                comment: row.get(16),
                tablespace: None,
            },
        );
    }
    for row in r_indexes {
        let rel = qn(&row, 0, 1);
        let name: String = row.get(2);
        let backs_constraint: bool = row.get(11);
        let on_matview: bool = row.get(12);
        if let Some(t) = s.tables.get_mut(&rel) {
            if row.get::<_, bool>(9) {
                t.cluster_on = Some(name.clone());
            }
            if row.get::<_, bool>(10) {
                t.replica_identity =
                    Some(format!("USING INDEX {}", crate::sql::quote_ident(&name)));
            }
        }
        if backs_constraint {
            let key = s
                .tables
                .get_mut(&rel)
                .and_then(|t| t.constraints.get_mut(&name));
            if let Some(k) = key {
                k.tablespace = row.get(16);
            }
            continue;
        }
        let definition = row.get::<_, Option<String>>(3).unwrap_or_default();
        let predicate = if row.get::<_, bool>(6) {
            predicate_of(&definition)
        } else {
            None
        };
        let index = Index {
            definition,
            unique: row.get(4),
            method: row.get(5),
            predicate,
            parent_index: opt_qn(&row, 7, 8),
            comment: row.get(13),
            statistics: index_statistics(&row),
            tablespace: row.get(16),
        };
        if on_matview {
            s.views.entry(rel).or_default().indexes.insert(name, index);
        } else if let Some(t) = s.tables.get_mut(&rel) {
            t.indexes.insert(name, index);
        }
    }
    let mut view_triggers = Vec::new();
    for row in r_triggers {
        let trigger = Trigger {
            definition: row.get(3),
            enabled: row.get(4),
            comment: row.get(5),
        };
        let rel = qn(&row, 0, 1);
        match s.tables.get_mut(&rel) {
            Some(t) => {
                t.triggers.insert(row.get(2), trigger);
            }
            None => view_triggers.push((rel, row.get::<_, String>(2), trigger)),
        }
    }
    for row in r_policies {
        let Some(t) = s.tables.get_mut(&qn(&row, 0, 1)) else {
            continue;
        };
        let command = match row.get::<_, String>(4).as_str() {
            "r" => "SELECT",
            "a" => "INSERT",
            "w" => "UPDATE",
            "d" => "DELETE",
            _ => "ALL",
        };
        t.policies.insert(
            row.get(2),
            Policy {
                permissive: row.get(3),
                command: command.to_string(),
                roles: row.get(5),
                using: row.get(6),
                with_check: row.get(7),
                comment: row.get(8),
            },
        );
    }
    let mut views = std::mem::take(&mut s.views);
    for row in r_views {
        let v = views.remove(&qn(&row, 0, 1)).unwrap_or_default();
        s.views.insert(
            qn(&row, 0, 1),
            View {
                materialized: row.get(2),
                definition: row.get(3),
                options: row.get(4),
                comment: row.get(5),
                grants: grants(&row, 6),
                ..v
            },
        );
    }
    for (rel, name, trigger) in view_triggers {
        if let Some(v) = s.views.get_mut(&rel) {
            v.triggers.insert(name, trigger);
        }
    }
    for row in r_functions {
        let name: String = row.get(1);
        let args: String = row.get(2);
        s.functions.insert(
            QualName::new(row.get::<_, String>(0), format!("{name}({args})")),
            Function {
                name,
                identity_arguments: args,
                procedure: row.get(3),
                definition: row.get(4),
                comment: row.get(5),
                grants: grants(&row, 6),
                ..Function::default()
            },
        );
    }
    let mut unsupported = Vec::new();
    for row in r_objects {
        read_object(&mut s, &mut unsupported, &row);
    }
    for row in r_dependencies {
        let from = qn(&row, 1, 2);
        let to = qn(&row, 4, 5);
        match row.get::<_, String>(0).as_str() {
            "fn" => {
                if let Some(f) = s.functions.get_mut(&from) {
                    f.depends_on.insert(to);
                }
            }
            "rel" => {
                if let Some(v) = s.views.get_mut(&from) {
                    v.depends_on.insert(to);
                }
            }
            "obj" => {
                if let Some(o) = s.objects.get_mut(&from) {
                    o.depends_on.insert(to);
                }
            }
            _ => {
                if let Some(d) = s.domains.get_mut(&from) {
                    d.depends_on.insert(to);
                } else if let Some(t) = s.composites.get_mut(&from) {
                    t.depends_on.insert(to);
                }
            }
        }
    }
    crate::schema::shell_type::break_type_function_loops(&mut s);
    unsupported.extend(r_unsupported.iter().map(|r| r.get::<_, String>(0)));
    unsupported.sort();
    s.unsupported = unsupported;
    Ok(s)
}

/// One row of the catalog objects' query: into the model, or, when its kind's rendering does not
/// cover it (no definition), into the unsupported list.
fn read_object(s: &mut Schema, unsupported: &mut Vec<String>, row: &Row) {
    let key = qn(row, 1, 2);
    let definition: Option<String> = row.get(3);
    let Some(definition) = definition else {
        unsupported.push(CatalogObject::describe(&key));
        return;
    };
    s.objects.insert(
        key,
        CatalogObject {
            kind: row.get(0),
            definition,
            drop: row.get(4),
            comment_on: row.get(5),
            comment: row.get(6),
            grant_on: row.get(7),
            grants: grants(row, 8),
            used_by: dependents(row.get(9)),
            depends_on: BTreeSet::new(),
        },
    );
}

/// An index row's statistics targets: column numbers (14) and targets (15).
fn index_statistics(row: &Row) -> BTreeMap<i16, i32> {
    let columns: Vec<i32> = row.get(14);
    let targets: Vec<i32> = row.get(15);
    columns
        .into_iter()
        .zip(targets)
        .filter_map(|(c, t)| Some((i16::try_from(c).ok()?, t)))
        .collect()
}

/// The `[description, schema, relation]` triples of the objects' query as dependents.
fn dependents(json: Option<String>) -> BTreeSet<Dependent> {
    type Triple = (String, Option<String>, Option<String>);
    let Some(json) = json else {
        return BTreeSet::new();
    };
    // Unreadable (never seen): one dependent of no relation, so that the diff refuses to touch it.
    let triples: Vec<Triple> = serde_json::from_str(&json)
        .unwrap_or_else(|_| vec![(format!("objects PostgreSQL listed as {json}"), None, None)]);
    triples
        .into_iter()
        .map(|(what, schema, name)| Dependent {
            what,
            relation: schema.zip(name).map(|(s, n)| QualName::new(s, n)),
        })
        .collect()
}

/// An inheritance child's columns in the order `CREATE TABLE ... INHERITS` gives them: its
/// parents' first (in the parents' order), then its own. That is the order pg_dump's output makes
/// again; a column added to a parent after the child was made comes after the child's own in the
/// catalog, which no dump can make again while keeping it inherited only.
fn inheritance_column_order(s: &mut Schema) {
    for name in crate::render::table_order(s) {
        let Some(t) = s.tables.get(&name) else {
            continue;
        };
        if t.inherits.is_empty() {
            continue;
        }
        let mut order: Vec<String> = Vec::new();
        for p in &t.inherits {
            for c in s
                .tables
                .get(p)
                .map(|pt| &pt.columns[..])
                .unwrap_or_default()
            {
                if !order.contains(&c.name) {
                    order.push(c.name.clone());
                }
            }
        }
        let Some(t) = s.tables.get_mut(&name) else {
            continue;
        };
        let rank = |c: &Column| {
            order
                .iter()
                .position(|n| *n == c.name)
                .unwrap_or(usize::MAX)
        };
        // Stable: the table's own columns keep their order after the inherited ones.
        t.columns.sort_by_key(rank);
    }
}

/// The predicate of a partial index's `pg_get_indexdef`: what follows its first ` WHERE ` outside
/// quotes and parentheses (names are quoted when odd, and every other clause before it is
/// parenthesised, so that is where `pg_get_indexdef` put it).
fn predicate_of(definition: &str) -> Option<String> {
    let bytes = definition.as_bytes();
    let (mut depth, mut quote) = (0i32, None::<u8>);
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') => depth -= 1,
            (None, b' ') if depth == 0 && definition[i..].starts_with(" WHERE ") => {
                return Some(definition[i + 7..].to_string());
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::predicate_of;

    #[test]
    fn predicates_come_from_index_definitions() {
        assert_eq!(
            predicate_of("CREATE INDEX i ON public.t USING btree (a) WHERE (a > 0)").as_deref(),
            Some("(a > 0)")
        );
        assert_eq!(
            predicate_of(
                "CREATE INDEX \"x WHERE y\" ON public.\"t WHERE\" USING btree ((b = ' WHERE '::text)) \
                 INCLUDE (c) WITH (fillfactor='70') WHERE ((b <> ' WHERE '::text) AND c)"
            )
            .as_deref(),
            Some("((b <> ' WHERE '::text) AND c)")
        );
        assert_eq!(
            predicate_of("CREATE INDEX i ON public.t USING btree (a)"),
            None
        );
    }
}
