//! Round trip of a schema with every kind of object the model covers
//! (`tests/fixtures/schema/everything.sql`), and the unsupported notice for what it does not.

mod schema_common;

use retort::introspect::{introspect, IntrospectOptions};
use retort::render::render_schema;
use retort::schema::QualName;
use retort_test_support::fresh_database;
use schema_common::{load, round_trip, Pool};

const EVERYTHING: &str = include_str!("fixtures/schema/everything.sql");

#[tokio::test]
async fn every_modelled_object_round_trips() {
    let pool = Pool::default();
    let rt = match round_trip(&pool, EVERYTHING).await {
        Ok(rt) => rt,
        Err(e) => panic!("{e}"),
    };
    let m = &rt.model;
    // The round trip compared everything; check that the model saw what the file holds.
    assert!(m.extensions.contains_key("btree_gist"));
    assert_eq!(m.enums.len(), 1);
    assert_eq!(m.domains.len(), 2);
    assert_eq!(m.composites.len(), 2);
    let orders = &m.tables[&QualName::new("app", "orders")];
    assert_eq!(orders.partition_key.as_deref(), Some("RANGE (placed_on)"));
    assert_eq!(
        m.tables[&QualName::new("app", "orders_2025_rest")]
            .partition_of
            .as_ref()
            .map(|p| p.bound.as_str()),
        Some("DEFAULT")
    );
    let customers = &m.tables[&QualName::new("app", "customers")];
    assert!(customers.row_security && customers.force_row_security);
    assert_eq!(
        customers.options,
        ["fillfactor=80", "toast.autovacuum_enabled=false"]
    );
    assert_eq!(customers.policies.len(), 2);
    assert_eq!(customers.triggers.len(), 3);
    assert_eq!(customers.triggers["customers_touch_off"].enabled, "D");
    assert!(customers.columns.iter().any(|c| c.generated.is_some()));
    assert!(customers.columns.iter().any(|c| c.identity.is_some()));
    assert!(!customers.constraints["created_recent"].validated);
    assert!(customers.constraints["name_check"].no_inherit);
    assert_eq!(m.views.values().filter(|v| v.materialized).count(), 2);
    assert_eq!(
        m.functions
            .keys()
            .filter(|f| f.name.starts_with("add("))
            .count(),
        2
    );
    // Views over views are created after them.
    let pos = |needle: &str| {
        rt.rendering
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not rendered"))
    };
    assert!(
        pos("CREATE VIEW \"app\".\"customer_names\"")
            < pos("CREATE VIEW \"app\".\"customer_emails\"")
    );
    assert!(
        pos("CREATE MATERIALIZED VIEW \"app\".\"order_counts\"")
            < pos("CREATE VIEW \"app\".\"top_customers\"")
    );
    // Functions used by defaults and checks come before the tables; those reading tables after.
    assert!(pos("FUNCTION app.is_valid_sku") < pos("CREATE TABLE \"app\".\"products\""));
    assert!(pos("CREATE VIEW \"app\".\"customer_names\"") < pos("FUNCTION app.customer_count"));
    // A type over a table's row type, and what uses it, after the table.
    assert!(
        pos("CREATE TABLE \"app\".\"customers\"") < pos("CREATE TYPE \"app\".\"customer_pair\"")
    );
    assert!(pos("CREATE TYPE \"app\".\"customer_pair\"") < pos("FUNCTION app.pair_names"));
    assert!(pos("FUNCTION app.customer_ids") < pos("CREATE MATERIALIZED VIEW \"app\".\"all_ids\""));
    assert!(rt
        .rendering
        .contains("ADD CONSTRAINT \"code_short\" CHECK ((length(VALUE) < 10)) NOT VALID;"));
    assert!(m.unsupported.is_empty(), "{:?}", m.unsupported);
    // Deterministic.
    assert_eq!(render_schema(m), rt.rendering);
    // The whole rendering, for review (PostgreSQL's renderers differ a little between major
    // versions, hence one snapshot per version).
    let db = fresh_database().await;
    let version: i32 = db
        .connect()
        .await
        .query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        )
        .await
        .expect("version")
        .get(0);
    schema_common::drop_database(&db).await;
    insta::assert_snapshot!(format!("everything_rendering_pg{version}"), rt.rendering);
}

#[tokio::test]
async fn application_features_round_trip() {
    let pool = Pool::default();
    let sql = include_str!("fixtures/schema/application_features.sql");
    let rt = match round_trip(&pool, sql).await {
        Ok(rt) => rt,
        Err(e) => panic!("{e}"),
    };
    let m = &rt.model;
    assert_eq!(m.extensions["earthdistance"].requires, ["cube"]);
    let channels = &m.tables[&QualName::new("app", "channels")];
    let id = channels.columns[0].identity.as_ref().expect("identity");
    assert_eq!(id.grants.len(), 2, "{:?}", id.grants);
    assert_eq!(id.comment.as_deref(), Some("ids of channels"));
    assert_eq!(m.schemas["public"].comment, None);
    let pos = |needle: &str| {
        rt.rendering
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not rendered:\n{}", rt.rendering))
    };
    assert!(
        pos("EXTENSION IF NOT EXISTS \"cube\"") < pos("EXTENSION IF NOT EXISTS \"earthdistance\"")
    );
    pos("COMMENT ON SCHEMA \"public\" IS NULL;");
    pos("REVOKE ALL ON SCHEMA \"public\" FROM PUBLIC;");
    pos("GRANT SELECT ON SEQUENCE \"app\".\"channels_id_seq\" TO PUBLIC;");
    let view = &m.views[&QualName::new("app", "channel_view")];
    assert_eq!(view.columns[0].default.as_deref(), Some("0"));
    assert_eq!(
        view.columns[0].grants.len(),
        2,
        "{:?}",
        view.columns[0].grants
    );
    pos("CREATE PUBLICATION pub_schemas FOR TABLES IN SCHEMA app, \"b x\" WITH");
    let mood = &m.enums[&QualName::new("app", "mood")];
    assert_eq!(mood.grants.as_ref().map(|g| g.len()), Some(0));
    pos("REVOKE ALL ON TYPE \"app\".\"mood\" FROM PUBLIC;");
    let audit = &m.tables[&QualName::new("app", "audit_entries")];
    let owner: Vec<(&str, bool)> = audit
        .grants
        .iter()
        .filter(|g| g.owner)
        .map(|g| (g.privilege.as_str(), g.with_grant_option))
        .collect();
    assert_eq!(
        owner,
        [
            ("INSERT", false),
            ("REFERENCES", false),
            ("SELECT", true),
            ("TRIGGER", false),
            ("TRUNCATE", false),
            ("UPDATE", false)
        ]
    );
    pos("REVOKE ALL ON TABLE \"app\".\"audit_entries\" FROM ");
    assert!(m.unsupported.is_empty(), "{:?}", m.unsupported);
}

#[tokio::test]
async fn unmodelled_objects_are_reported_not_dropped() {
    let db = fresh_database().await;
    let client = db.connect().await;
    load(
        &client,
        "CREATE TABLE parent (id int, note text); CREATE TABLE child (extra int) INHERITS (parent);
         CREATE TYPE pair AS (a int, b int); CREATE TABLE typed OF pair;
         CREATE MATERIALIZED VIEW notes AS SELECT note FROM parent;
         CREATE RULE no_delete AS ON DELETE TO parent DO INSTEAD NOTHING;
         CREATE STATISTICS parent_stats ON id, extra FROM child;
         CREATE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int);
         CREATE TYPE floatrange AS RANGE (subtype = float8);
         CREATE FOREIGN DATA WRAPPER dummy;
         CREATE SERVER srv FOREIGN DATA WRAPPER dummy;
         CREATE FOREIGN TABLE fnotes (note text) SERVER srv;
         ALTER FOREIGN TABLE fnotes ALTER COLUMN note SET STATISTICS 100;
         CREATE USER MAPPING FOR PUBLIC SERVER srv OPTIONS (password 'secret');
         GRANT SELECT (prosrc) ON pg_catalog.pg_proc TO PUBLIC;
         GRANT SELECT ON pg_catalog.pg_statistic TO PUBLIC;
         REVOKE EXECUTE ON FUNCTION pg_catalog.pg_sleep(double precision) FROM PUBLIC;",
    )
    .await
    .expect("load");
    let m = introspect(&client, &IntrospectOptions::default())
        .await
        .expect("introspect");
    let text = m.unsupported.join("\n");
    assert!(
        !text.contains("cast"),
        "a range type's own casts are its own: {text}"
    );
    for expected in [
        "column setting of public.fnotes.note: STATISTICS",
        "grants on system relation pg_catalog.pg_proc",
        "grants on system relation pg_catalog.pg_statistic",
        "grants on system function pg_catalog.pg_sleep(double precision)",
        "user mapping PUBLIC server srv",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains("secret"), "{text}");
    let objects: Vec<String> = m.objects.keys().map(|k| k.to_string()).collect();
    for modelled in [
        "public.\"rule no_delete on parent\"",
        "public.\"statistics parent_stats\"",
        "public.\"aggregate my_sum(integer)\"",
        "public.\"range type floatrange\"",
        "\"\".\"foreign-data wrapper dummy\"",
        "\"\".\"server srv\"",
    ] {
        assert!(
            objects.iter().any(|o| o == modelled),
            "{modelled} not modelled: {objects:?}"
        );
    }
    let typed = retort::schema::QualName::new("public", "typed");
    assert_eq!(
        m.tables[&typed].of_type,
        Some(retort::schema::QualName::new("public", "pair")),
        "typed tables are modelled"
    );
    let child = retort::schema::QualName::new("public", "child");
    assert!(
        !m.tables[&child].inherits.is_empty(),
        "inheritance is modelled"
    );
    let rendering = render_schema(&m);
    assert!(rendering.starts_with("-- Schema dumped by retort\n-- unsupported: "));
    for u in &m.unsupported {
        assert!(rendering.contains(&format!("-- unsupported: {u}\n")));
    }
}

#[tokio::test]
async fn schemas_can_be_chosen() {
    let db = fresh_database().await;
    let client = db.connect().await;
    load(
        &client,
        "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.t (id int); CREATE TABLE b.t (id int);",
    )
    .await
    .expect("load");
    let m = introspect(
        &client,
        &IntrospectOptions {
            schemas: vec!["b".to_string()],
        },
    )
    .await
    .expect("introspect");
    assert_eq!(m.schemas.keys().collect::<Vec<_>>(), ["b"]);
    assert_eq!(
        m.tables.keys().cloned().collect::<Vec<_>>(),
        [QualName::new("b", "t")]
    );
}
