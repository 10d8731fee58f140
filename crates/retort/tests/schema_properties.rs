//! Property: random schemas built as models (already in the text PostgreSQL renders) render,
//! load into a fresh database, and introspect back to themselves; and the rendering of what was
//! read is a fixed point (render → load → introspect gives the same model again).

mod schema_common;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use retort::introspect::{introspect, IntrospectOptions};
use retort::render::render_schema;
use retort::schema::{
    Column, Constraint, ConstraintKind, EnumType, Identity, Index, QualName, Schema,
    SequenceOptions, Table, View,
};
use schema_common::{load, model_difference, Pool};

/// A column kind: its type, a default as PostgreSQL renders it, and a check on it.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    Big,
    Text,
    Bool,
    Varchar,
    Numeric,
    Timestamptz,
    IntArray,
    Mood,
}

const KINDS: [Kind; 9] = [
    Kind::Int,
    Kind::Big,
    Kind::Text,
    Kind::Bool,
    Kind::Varchar,
    Kind::Numeric,
    Kind::Timestamptz,
    Kind::IntArray,
    Kind::Mood,
];

impl Kind {
    fn data_type(self) -> &'static str {
        match self {
            Kind::Int => "integer",
            Kind::Big => "bigint",
            Kind::Text => "text",
            Kind::Bool => "boolean",
            Kind::Varchar => "character varying(20)",
            Kind::Numeric => "numeric(10,2)",
            Kind::Timestamptz => "timestamp with time zone",
            Kind::IntArray => "integer[]",
            Kind::Mood => "public.mood",
        }
    }

    fn default(self) -> &'static str {
        match self {
            Kind::Int => "0",
            Kind::Big => "42",
            Kind::Text => "'a''b'::text",
            Kind::Bool => "true",
            Kind::Varchar => "'x'::character varying",
            Kind::Numeric => "1.5",
            Kind::Timestamptz => "now()",
            Kind::IntArray => "'{}'::integer[]",
            Kind::Mood => "'happy'::public.mood",
        }
    }

    /// A check expression on column `c` (already quoted), as `pg_get_constraintdef` prints it.
    fn check(self, c: &str) -> String {
        match self {
            Kind::Int | Kind::Big => format!("CHECK (({c} > 0))"),
            Kind::Numeric => format!("CHECK (({c} > (0)::numeric))"),
            Kind::Text => format!("CHECK ((length({c}) < 100))"),
            Kind::Varchar => format!("CHECK ((({c})::text <> ''::text))"),
            Kind::Bool => format!("CHECK (({c} IS NOT NULL))"),
            Kind::Timestamptz => {
                format!("CHECK (({c} > '2000-01-01 00:00:00+00'::timestamp with time zone))")
            }
            Kind::IntArray => format!("CHECK ((cardinality({c}) < 10))"),
            Kind::Mood => format!("CHECK (({c} <> 'sad'::public.mood))"),
        }
    }

    fn sortable(self) -> bool {
        !matches!(self, Kind::Bool | Kind::IntArray)
    }
}

/// `"x"` only where PostgreSQL's quote_ident would quote (names here are never keywords).
fn q(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

#[derive(Debug, Clone)]
struct ColSpec {
    kind: usize,
    not_null: bool,
    default: bool,
    comment: bool,
}

#[derive(Debug, Clone)]
struct TableSpec {
    mixed_case: bool,
    identity: bool,
    columns: Vec<ColSpec>,
    unique: Option<usize>,
    check: Option<usize>,
    fk: Option<(usize, u8)>,
    /// (column, kind: 0 plain, 1 DESC, 2 partial, 3 unique, 4 expression)
    indexes: Vec<(usize, u8)>,
    comment: bool,
    view: bool,
}

fn col_spec() -> impl Strategy<Value = ColSpec> {
    (0..KINDS.len(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(kind, not_null, default, comment)| ColSpec {
            kind,
            not_null,
            default,
            comment,
        },
    )
}

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(col_spec(), 1..6),
        prop::option::of(0usize..6),
        prop::option::of(0usize..6),
        prop::option::of((0usize..4, 0u8..3)),
        prop::collection::vec((0usize..6, 0u8..5), 0..4),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(mixed_case, identity, columns, unique, check, fk, indexes, comment, view)| {
                TableSpec {
                    mixed_case,
                    identity,
                    columns,
                    unique,
                    check,
                    fk,
                    indexes,
                    comment,
                    view,
                }
            },
        )
}

/// The model of the specs on top of `base` (an empty database's model).
fn build(base: &Schema, specs: &[TableSpec], labels: &[String]) -> Schema {
    let mut s = base.clone();
    s.enums.insert(
        QualName::new("public", "mood"),
        EnumType {
            labels: labels.to_vec(),
            comment: Some("how it feels".to_string()),
            grants: None,
        },
    );
    let names: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if t.mixed_case {
                format!("Table {i}")
            } else {
                format!("t{i}")
            }
        })
        .collect();
    for (i, spec) in specs.iter().enumerate() {
        let tname = QualName::new("public", names[i].clone());
        let qt = format!("public.{}", q(&names[i]));
        let mut t = Table {
            comment: spec.comment.then(|| format!("table {i}: it's here")),
            ..Table::default()
        };
        t.columns.push(Column {
            name: "id".to_string(),
            data_type: "bigint".to_string(),
            not_null: true,
            identity: spec.identity.then(|| Identity {
                always: i % 2 == 0,
                sequence: QualName::new("public", format!("{}_id_seq", names[i])),
                options: SequenceOptions {
                    data_type: "bigint".to_string(),
                    start: 1,
                    increment: 1,
                    min: 1,
                    max: i64::MAX,
                    cache: 1,
                    cycle: false,
                },
                ..Default::default()
            }),
            ..Column::default()
        });
        let pkey = format!("{}_pkey", names[i]);
        t.constraints.insert(
            pkey,
            Constraint {
                kind: ConstraintKind::PrimaryKey,
                definition: "PRIMARY KEY (id)".to_string(),
                columns: vec!["id".to_string()],
                validated: true,
                ..Constraint::default()
            },
        );
        let mut kinds = Vec::new();
        for (j, c) in spec.columns.iter().enumerate() {
            let kind = KINDS[c.kind];
            kinds.push(kind);
            let name = if j % 2 == 1 {
                format!("Col {j}")
            } else {
                format!("c{j}")
            };
            t.columns.push(Column {
                name,
                data_type: kind.data_type().to_string(),
                not_null: c.not_null,
                default: c.default.then(|| kind.default().to_string()),
                comment: c.comment.then(|| format!("column {j}")),
                ..Column::default()
            });
        }
        let col = |k: usize| -> Option<(usize, &Column, Kind)> {
            let j = k % spec.columns.len();
            Some((j, &t.columns[j + 1], kinds[j]))
        };
        let mut constraints = BTreeMap::new();
        if let Some((j, c, kind)) = spec.unique.and_then(col) {
            if kind.sortable() {
                constraints.insert(
                    format!("{}_u{j}", names[i]),
                    Constraint {
                        kind: ConstraintKind::Unique,
                        definition: format!("UNIQUE ({})", q(&c.name)),
                        columns: vec![c.name.clone()],
                        validated: true,
                        ..Constraint::default()
                    },
                );
            }
        }
        if let Some((j, c, kind)) = spec.check.and_then(col) {
            constraints.insert(
                format!("{}_check{j}", names[i]),
                Constraint {
                    kind: ConstraintKind::Check,
                    definition: kind.check(&q(&c.name)),
                    columns: vec![c.name.clone()],
                    validated: true,
                    comment: Some("checked".to_string()),
                    ..Constraint::default()
                },
            );
        }
        let mut indexes = BTreeMap::new();
        for (n, (k, how)) in spec.indexes.iter().enumerate() {
            let Some((_, c, kind)) = col(*k) else {
                continue;
            };
            if !kind.sortable() {
                continue;
            }
            let iname = format!("{}_i{n}", names[i]);
            let qc = q(&c.name);
            let (unique, body, predicate) = match how {
                0 => (false, format!("({qc})"), None),
                1 => (false, format!("({qc} DESC NULLS LAST)"), None),
                2 => (false, format!("({qc})"), Some("(id > 10)".to_string())),
                3 => (true, format!("({qc}, id)"), None),
                _ => (false, "(((id + 1)))".to_string(), None),
            };
            let definition = format!(
                "CREATE {}INDEX {} ON {qt} USING btree {body}{}",
                if unique { "UNIQUE " } else { "" },
                q(&iname),
                predicate
                    .as_ref()
                    .map(|p| format!(" WHERE {p}"))
                    .unwrap_or_default()
            );
            indexes.insert(
                iname,
                Index {
                    definition,
                    unique,
                    method: "btree".to_string(),
                    predicate,
                    parent_index: None,
                    comment: (n == 0).then(|| "first index".to_string()),
                    statistics: BTreeMap::new(),
                    tablespace: None,
                },
            );
        }
        t.constraints.extend(constraints);
        t.indexes = indexes;
        if let Some((target, action)) = spec.fk {
            if target < i {
                t.columns.push(Column {
                    name: "ref_id".to_string(),
                    data_type: "bigint".to_string(),
                    ..Column::default()
                });
                let action = ["", " ON DELETE CASCADE", " ON DELETE SET NULL"][usize::from(action)];
                t.constraints.insert(
                    format!("{}_ref", names[i]),
                    Constraint {
                        kind: ConstraintKind::ForeignKey,
                        definition: format!(
                            "FOREIGN KEY (ref_id) REFERENCES public.{}(id){action}",
                            q(&names[target])
                        ),
                        columns: vec!["ref_id".to_string()],
                        references: Some(QualName::new("public", names[target].clone())),
                        validated: true,
                        ..Constraint::default()
                    },
                );
            }
        }
        if spec.view {
            // The definition is PostgreSQL's text: compared through the fixed point only.
            s.views.insert(
                QualName::new("public", format!("v{i}")),
                View {
                    definition: format!("SELECT id FROM {qt} WHERE id > 0"),
                    columns: vec![Column {
                        name: "id".to_string(),
                        data_type: "bigint".to_string(),
                        comment: Some("the id".to_string()),
                        ..Column::default()
                    }],
                    depends_on: BTreeSet::from([tname.clone()]),
                    comment: Some("a view".to_string()),
                    ..View::default()
                },
            );
        }
        s.tables.insert(tname, t);
    }
    s
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fn pool() -> &'static Pool {
    static POOL: std::sync::OnceLock<Pool> = std::sync::OnceLock::new();
    POOL.get_or_init(Pool::default)
}

/// Load `sql` into a database like a new one and read it back.
async fn load_and_read(sql: &str) -> Result<Schema, String> {
    let db = pool().get().await;
    let result = async {
        let client = db.connect().await;
        load(&client, sql).await?;
        introspect(&client, &IntrospectOptions::default())
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    pool().put(db).await;
    result
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn models_render_load_and_read_back(
        specs in prop::collection::vec(table_spec(), 1..5),
        labels in prop::collection::btree_set("[a-z]{1,6}( it's)?", 1..4),
    ) {
        let mut labels: Vec<String> = labels.into_iter().collect();
        for l in ["happy", "sad"] {
            if !labels.iter().any(|x| x == l) {
                labels.push(l.to_string());
            }
        }
        let (read, again, expected) = runtime().block_on(async {
            let base = load_and_read("").await?;
            let expected = build(&base, &specs, &labels);
            let rendering = render_schema(&expected);
            let read = load_and_read(&rendering).await.map_err(|e| format!("{e}\n{rendering}"))?;
            let again = load_and_read(&render_schema(&read)).await?;
            Ok::<_, String>((read, again, expected))
        }).map_err(TestCaseError::fail)?;
        // View definitions are PostgreSQL's text: take them from what was read.
        let mut expected = expected;
        for (name, v) in &mut expected.views {
            if let Some(r) = read.views.get(name) {
                v.definition.clone_from(&r.definition);
            }
        }
        prop_assert!(read == expected, "read back differs: {}", model_difference(&expected, &read));
        prop_assert!(again == read, "not a fixed point: {}", model_difference(&read, &again));
    }
}
