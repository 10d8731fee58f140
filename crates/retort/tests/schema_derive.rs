//! `#[derive(retort::Table)]` and `#[derive(retort::Enum)]`: Rust types map to PostgreSQL types,
//! attributes to keys, defaults, checks and indexes, and the declared schema — rendered, loaded
//! into an empty database and introspected — reads back equal.

mod schema_common;

use std::net::IpAddr;

use retort::introspect::{introspect, IntrospectOptions};
use retort::render::render_schema;
use retort::schema::builder::{Naming, PgEnum, SchemaBuilder, TableModel};
use retort::schema::QualName;
use retort_test_support::{assert_schema_eq, fresh_database};
use rust_decimal::Decimal;
use uuid::Uuid;

#[allow(dead_code)]
#[derive(retort::Enum)]
#[retort(name = "plan_kind", rename_all = "kebab-case")]
enum PlanKind {
    FreeTrial,
    PaidMonthly,
    #[retort(label = "Legacy Plan")]
    Legacy,
}

/// postgres-types' attributes are read too.
#[allow(dead_code)]
#[derive(Debug, retort::Enum, postgres_types::ToSql)]
#[retort(schema = "billing")]
#[postgres(name = "state", rename_all = "snake_case")]
enum State {
    PastDue,
    #[postgres(name = "ok!")]
    Ok,
}

#[allow(dead_code)]
#[derive(retort::Table)]
#[retort(table = "accounts", schema = "billing", comment = "who pays")]
struct Account {
    #[retort(primary_key, default = "gen_random_uuid()")]
    id: Uuid,
    #[retort(unique, max_length = 120)]
    email: String,
    #[retort(default = "'free-trial'")]
    kind: PlanKind,
    #[retort(default = "'past_due'", index)]
    state: State,
    #[retort(
        precision = 12,
        scale = 3,
        default = "0.000",
        check = "(balance >= (0)::numeric)"
    )]
    balance: Decimal,
    rate: Option<Decimal>,
    #[retort(default = "'{}'")]
    tags: Vec<String>,
    scores: Option<Vec<i32>>,
    avatar: Option<Vec<u8>>,
    small: Option<i16>,
    ratio: Option<f32>,
    weight: f64,
    #[retort(default = "false")]
    closed: bool,
    #[retort(default = "'{\"a\":1}'")]
    settings: serde_json::Value,
    last_ip: Option<IpAddr>,
    #[retort(default = "now()")]
    created_at: jiff::Timestamp,
    born: Option<jiff::civil::Date>,
    wakes: Option<jiff::civil::Time>,
    local: Option<jiff::civil::DateTime>,
    period: Option<jiff::Span>,
    #[retort(column = "type", sql_type = "varchar(10)", comment = "renamed")]
    kind_code: Option<String>,
    #[retort(skip)]
    #[allow(dead_code)]
    cached: Option<String>,
}

#[allow(dead_code)]
#[derive(retort::Table)]
#[retort(
    table = "invoices",
    schema = "billing",
    unique(columns = "account_id, number", name = "invoices_number_per_account"),
    index(columns = "account_id, issued_on DESC", include = "total"),
    index(
        columns = "lower((number)::text)",
        unique,
        predicate = "(total > (0)::numeric)"
    ),
    index(columns = "notes gin_trgm_ops", using = "gin"),
    check(columns = "paid, total", expr = "(paid <= total)"),
    foreign_key(
        columns = "account_id, parent_id",
        references = "invoices(account_id, id)",
        on_delete = "set null (parent_id)"
    )
)]
struct Invoice {
    #[retort(identity)]
    id: i64,
    #[retort(references = "accounts", on_delete = "cascade", on_update = "restrict")]
    account_id: Uuid,
    parent_id: Option<i64>,
    #[retort(max_length = 32)]
    number: String,
    issued_on: jiff::civil::Date,
    #[retort(precision = 10, scale = 2)]
    total: Decimal,
    #[retort(precision = 10, scale = 2, default = "0")]
    paid: Decimal,
    notes: Option<String>,
    #[retort(generated = "(total - paid)", precision = 10, scale = 2)]
    due: Option<Decimal>,
}

fn declared(naming: Naming) -> retort::schema::Schema {
    SchemaBuilder::new()
        .naming(naming)
        .namespace("billing")
        .extension("pg_trgm", "1.6")
        .pg_enum::<PlanKind>()
        .pg_enum::<State>()
        .model::<Account>()
        .model_with::<Invoice>(|t| t.unique(["account_id", "id"]))
        .build()
        .expect("valid")
}

#[test]
fn rust_types_and_attributes_map_to_the_model() {
    assert_eq!(
        PlanKind::LABELS,
        ["free-trial", "paid-monthly", "Legacy Plan"]
    );
    assert_eq!(
        (State::SCHEMA, State::NAME, State::LABELS),
        ("billing", "state", &["past_due", "ok!"][..])
    );
    assert_eq!(Account::TABLE, "accounts");
    assert_eq!(<Invoice as TableModel>::SCHEMA, "billing");
    assert!(!Account::COLUMNS.contains(&"cached"));
    let s = declared(Naming::Postgres);
    let a = &s.tables[&QualName::new("billing", "accounts")];
    let ty = |name: &str| {
        let c = a.columns.iter().find(|c| c.name == name).expect(name);
        (c.data_type.as_str(), c.not_null)
    };
    assert_eq!(ty("email"), ("character varying(120)", true));
    assert_eq!(ty("kind"), ("public.plan_kind", true));
    assert_eq!(ty("state"), ("billing.state", true));
    assert_eq!(ty("balance"), ("numeric(12,3)", true));
    assert_eq!(ty("rate"), ("numeric", false));
    assert_eq!(ty("tags"), ("text[]", true));
    assert_eq!(ty("scores"), ("integer[]", false));
    assert_eq!(ty("avatar"), ("bytea", false));
    assert_eq!(ty("created_at"), ("timestamp with time zone", true));
    assert_eq!(ty("local"), ("timestamp without time zone", false));
    assert_eq!(ty("type"), ("character varying(10)", false));
    assert_eq!(
        a.columns
            .iter()
            .find(|c| c.name == "settings")
            .and_then(|c| c.default.as_deref()),
        Some("'{\"a\": 1}'::jsonb")
    );
    let i = &s.tables[&QualName::new("billing", "invoices")];
    assert_eq!(
        i.constraints["invoices_account_id_fkey"].definition,
        "FOREIGN KEY (account_id) REFERENCES billing.accounts(id) ON UPDATE RESTRICT ON DELETE CASCADE"
    );
}

async fn round_trip(naming: Naming) {
    let declared = declared(naming);
    let db = fresh_database().await;
    let client = db.connect().await;
    let sql = render_schema(&declared);
    if let Err(e) = schema_common::load(&client, &sql).await {
        panic!("the rendering does not load: {e}\n{sql}");
    }
    let read = introspect(&client, &IntrospectOptions::default())
        .await
        .expect("introspect");
    assert_schema_eq(&declared, &read);
}

#[tokio::test]
async fn derived_models_read_back_equal() {
    round_trip(Naming::Postgres).await;
}

#[tokio::test]
async fn derived_models_read_back_equal_with_conventional_names() {
    round_trip(Naming::Conventional).await;
}

/// Citus: a reference table and two colocated distributed tables, declared by attribute.
#[allow(dead_code)]
#[derive(retort::Table)]
#[retort(table = "ctenants", reference)]
struct CTenant {
    #[retort(primary_key)]
    id: Uuid,
}

#[allow(dead_code)]
#[derive(retort::Table)]
#[retort(
    table = "cusers",
    primary_key = "tenant_id, id",
    distributed_by = "tenant_id",
    shard_count = 8
)]
struct CUser {
    #[retort(references = "ctenants(id)")]
    tenant_id: Uuid,
    id: Uuid,
}

#[allow(dead_code)]
#[derive(retort::Table)]
#[retort(
    table = "cdocs",
    primary_key = "tenant_id, id",
    distributed_by = "tenant_id",
    colocate_with = "cusers",
    foreign_key(columns = "tenant_id, user_id", references = "cusers(tenant_id, id)")
)]
struct CDoc {
    tenant_id: Uuid,
    id: Uuid,
    user_id: Option<Uuid>,
}

#[test]
fn citus_distribution_attributes() {
    use retort::schema::distribution::Distribution;
    let s = SchemaBuilder::new()
        .model::<CTenant>()
        .model::<CUser>()
        .model::<CDoc>()
        .build()
        .expect("valid");
    let get = |t: &str| s.tables[&QualName::new("public", t)].distribution.clone();
    assert_eq!(get("ctenants"), Some(Distribution::Reference));
    let by_tenant = |partner: Option<&str>| {
        Some(Distribution::Distributed {
            column: "tenant_id".into(),
            shard_count: 8,
            colocate_with: partner.map(|p| QualName::new("public", p)),
        })
    };
    // The group's first table by name (cdocs) is the one the others name.
    assert_eq!(get("cdocs"), by_tenant(None));
    assert_eq!(get("cusers"), by_tenant(Some("cdocs")));
    // Without the distribution column in its key, the same table is refused with Citus's rule.
    let err = SchemaBuilder::new()
        .model::<CTenant>()
        .model_with::<CUser>(|t| t.primary_key(["id"]))
        .build()
        .expect_err("refused");
    assert!(
        err.to_string()
            .starts_with("public.cusers: Citus cannot enforce cusers_pkey (id)"),
        "{err}"
    );
}
