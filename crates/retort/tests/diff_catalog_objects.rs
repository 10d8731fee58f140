//! Catalog objects (`schema::CatalogObject`) on real PostgreSQL, one case table per kind: each
//! is created, changed in each way that can change, and dropped (up gives the new schema, a
//! second diff is empty, down gives the old one; up and down SQL snapshotted), and a schema
//! holding every kind survives the round trip (render, load, introspect: equal models and equal
//! normalised pg_dump). What the diff cannot make again is refused, naming it.

mod schema_common;

use retort::diff::{diff, DiffError, DiffOptions};
use retort::introspect::{introspect, IntrospectOptions};
use retort_test_support::fresh_database;
use schema_common::{diff_scenario, load, round_trip, Pool};

macro_rules! case {
    ($name:ident, $old:expr, $new:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let text = diff_scenario($old, $new, DiffOptions::default()).await;
            insta::assert_snapshot!(text);
        }
    };
}

const PEOPLE: &str = "CREATE TABLE people (id int PRIMARY KEY, name text, score int);";

case!(
    collation_created_used_and_dropped,
    "CREATE COLLATION fr (provider = icu, locale = 'fr');",
    "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
     COMMENT ON COLLATION ci IS 'case-insensitive';
     CREATE COLLATION c_utf8 (provider = libc, lc_collate = 'C', lc_ctype = 'C.UTF-8');
     CREATE TABLE people (id int PRIMARY KEY, name text COLLATE ci);"
);

case!(
    collation_changed_when_unused,
    "CREATE COLLATION x (provider = icu, locale = 'de');",
    "CREATE COLLATION x (provider = icu, locale = 'fr', deterministic = false);"
);

case!(
    aggregates_of_each_form,
    "CREATE FUNCTION add_len(s int, v text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT s + length(v) $$;",
    "CREATE FUNCTION add_len(s int, v text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT s + length(v) $$;
     CREATE AGGREGATE total_len(text) (SFUNC = add_len, STYPE = int, INITCOND = '0');
     COMMENT ON AGGREGATE total_len(text) IS 'sum of lengths';
     CREATE AGGREGATE my_avg(float8) (sfunc = float8_accum, stype = float8[], finalfunc = float8_avg,
       initcond = '{0,0,0}', combinefunc = float8_combine, parallel = safe, msfunc = float8_accum,
       minvfunc = float8_accum, mstype = float8[], mfinalfunc = float8_avg, minitcond = '{0,0,0}');
     CREATE AGGREGATE my_pct(float8 ORDER BY float8) (sfunc = ordered_set_transition, stype = internal,
       finalfunc = percentile_disc_final, finalfunc_extra);
     CREATE AGGREGATE my_rank(VARIADIC \"any\" ORDER BY VARIADIC \"any\") (sfunc = ordered_set_transition_multi,
       stype = internal, finalfunc = rank_final, finalfunc_extra, hypothetical);
     CREATE AGGREGATE my_max(int4) (sfunc = int4larger, stype = int4, sortop = >);
     CREATE TABLE people (id int PRIMARY KEY, name text);
     CREATE VIEW lens AS SELECT total_len(name) AS t FROM people;"
);

case!(
    aggregate_changed_under_a_view,
    "CREATE FUNCTION add_len(s int, v text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT s + length(v) $$;
     CREATE AGGREGATE total_len(text) (SFUNC = add_len, STYPE = int, INITCOND = '0');
     CREATE TABLE people (id int PRIMARY KEY, name text);
     CREATE VIEW lens AS SELECT total_len(name) AS t FROM people;",
    "CREATE FUNCTION add_len(s int, v text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT s + length(v) $$;
     CREATE AGGREGATE total_len(text) (SFUNC = add_len, STYPE = int, INITCOND = '100');
     CREATE TABLE people (id int PRIMARY KEY, name text);
     CREATE VIEW lens AS SELECT total_len(name) AS t FROM people;"
);

case!(
    operators_classes_and_families,
    "CREATE FUNCTION len_eq(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT length(a) = length(b) $$;
     CREATE OPERATOR === (FUNCTION = len_eq, LEFTARG = text, RIGHTARG = text);",
    "CREATE FUNCTION len_eq(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT length(a) = length(b) $$;
     CREATE OPERATOR === (FUNCTION = len_eq, LEFTARG = text, RIGHTARG = text, COMMUTATOR = OPERATOR(public.===));
     CREATE OPERATOR FAMILY fam USING btree;
     CREATE OPERATOR CLASS int4_rev FOR TYPE int4 USING btree FAMILY fam AS
       OPERATOR 1 >, OPERATOR 2 >=, OPERATOR 3 =, OPERATOR 4 <=, OPERATOR 5 <, FUNCTION 1 btint4cmp(int4, int4);
     CREATE OPERATOR CLASS own_family FOR TYPE int8 USING btree AS
       OPERATOR 1 >, OPERATOR 2 >=, OPERATOR 3 =, OPERATOR 4 <=, OPERATOR 5 <, FUNCTION 1 btint8cmp(int8, int8);
     CREATE TABLE t (a int, b bigint);
     CREATE INDEX t_a ON t (a int4_rev);"
);

case!(
    casts_and_conversions,
    "CREATE TYPE mood AS ENUM ('a', 'b');
     CREATE FUNCTION mood_int(mood) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;
     CREATE CAST (mood AS int) WITH FUNCTION mood_int(mood);",
    "CREATE TYPE mood AS ENUM ('a', 'b');
     CREATE FUNCTION mood_int(mood) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;
     CREATE CAST (mood AS int) WITH FUNCTION mood_int(mood) AS ASSIGNMENT;
     CREATE CAST (mood AS text) WITH INOUT;
     CREATE CONVERSION myconv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;"
);

case!(
    text_search_dictionaries_and_configurations,
    "CREATE TEXT SEARCH CONFIGURATION cfg (PARSER = pg_catalog.\"default\");
     ALTER TEXT SEARCH CONFIGURATION cfg ADD MAPPING FOR asciiword WITH english_stem;",
    "CREATE TEXT SEARCH DICTIONARY simple_dict (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
     CREATE TEXT SEARCH CONFIGURATION cfg (PARSER = pg_catalog.\"default\");
     ALTER TEXT SEARCH CONFIGURATION cfg ADD MAPPING FOR asciiword, word WITH simple_dict, english_stem;
     COMMENT ON TEXT SEARCH CONFIGURATION cfg IS 'words';"
);

case!(
    range_types_with_grants,
    "CREATE TYPE floatrange AS RANGE (subtype = float8);",
    "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
     CREATE TYPE textrange AS RANGE (subtype = text, collation = \"C\");
     GRANT USAGE ON TYPE textrange TO app_reader;
     CREATE TABLE spans (id int PRIMARY KEY, during textrange);"
);

case!(
    rules_created_changed_and_disabled,
    "CREATE TABLE people (id int PRIMARY KEY, name text, score int);
     CREATE RULE no_delete AS ON DELETE TO people DO INSTEAD NOTHING;",
    "CREATE TABLE people (id int PRIMARY KEY, name text, score int);
     CREATE TABLE log (id int);
     CREATE RULE no_delete AS ON DELETE TO people WHERE old.id > 10 DO INSTEAD NOTHING;
     CREATE RULE log_insert AS ON INSERT TO people DO ALSO INSERT INTO log VALUES (new.id);
     ALTER TABLE people DISABLE RULE log_insert;"
);

case!(
    statistics_objects,
    PEOPLE,
    "CREATE TABLE people (id int PRIMARY KEY, name text, score int);
     CREATE STATISTICS people_stats (ndistinct, dependencies) ON id, name FROM people;
     ALTER STATISTICS people_stats SET STATISTICS 500;
     CREATE STATISTICS people_expr ON lower(name), score FROM people;"
);

case!(
    event_triggers,
    "CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;",
    "CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
     CREATE EVENT TRIGGER ddl_watch ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION on_ddl();
     ALTER EVENT TRIGGER ddl_watch DISABLE;
     CREATE TABLE made_after (id int);"
);

case!(
    foreign_data_wrappers_servers_mappings_and_tables,
    "CREATE FOREIGN DATA WRAPPER dummy;
     CREATE SERVER srv FOREIGN DATA WRAPPER dummy OPTIONS (host 'x');
     CREATE FOREIGN TABLE remote (id int NOT NULL, v text) SERVER srv OPTIONS (table_name 'r');
     CREATE VIEW remote_ids AS SELECT id FROM remote;",
    "CREATE FOREIGN DATA WRAPPER dummy OPTIONS (debug 'true');
     CREATE SERVER srv TYPE 'pg' VERSION '15' FOREIGN DATA WRAPPER dummy OPTIONS (host 'y');
     GRANT USAGE ON FOREIGN SERVER srv TO app_reader;
     CREATE USER MAPPING FOR PUBLIC SERVER srv OPTIONS (user 'bob');
     CREATE FOREIGN TABLE remote (id int NOT NULL, v text OPTIONS (column_name 'value') COLLATE \"C\",
       w int DEFAULT 3, CONSTRAINT positive CHECK (id > 0)) SERVER srv OPTIONS (table_name 'r2');
     CREATE VIEW remote_ids AS SELECT id FROM remote;"
);

case!(
    publications,
    "CREATE TABLE people (id int PRIMARY KEY, name text, score int);
     CREATE PUBLICATION pub FOR TABLE people WITH (publish = 'insert');",
    "CREATE TABLE people (id int PRIMARY KEY, name text, score int);
     CREATE TABLE other (id int PRIMARY KEY);
     CREATE PUBLICATION pub FOR TABLE people (id, name) WHERE (id > 0), other WITH (publish = 'insert, update');
     CREATE PUBLICATION everything FOR ALL TABLES;"
);

case!(
    default_privileges_with_tables_made_meanwhile,
    "CREATE SCHEMA app;
     CREATE TABLE app.old (id int);
     ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;",
    "CREATE SCHEMA app;
     CREATE TABLE app.old (id int);
     CREATE TABLE app.made (id int);
     ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT, INSERT ON TABLES TO app_reader;
     ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;"
);

/// A collation a column uses cannot be dropped and made again under it: refused, naming both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_a_collation_a_column_uses_is_refused() {
    let (a, b) = (fresh_database().await, fresh_database().await);
    let (ca, cb) = (a.connect().await, b.connect().await);
    load(
        &ca,
        "CREATE COLLATION x (provider = icu, locale = 'de'); CREATE TABLE t (a text COLLATE x);",
    )
    .await
    .expect("old");
    load(
        &cb,
        "CREATE COLLATION x (provider = icu, locale = 'fr'); CREATE TABLE t (a text COLLATE x);",
    )
    .await
    .expect("new");
    let options = IntrospectOptions::default();
    let old = introspect(&ca, &options).await.expect("old model");
    let new = introspect(&cb, &options).await.expect("new model");
    match diff(&old, &new, &DiffOptions::default()) {
        Err(DiffError::Unsupported { what }) => {
            assert!(what.contains("collation public.x"), "{what}");
            assert!(what.contains("column a of table public.t"), "{what}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// What the model does not cover may be the same on both sides; when it differs, the diff
/// refuses, naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmodelled_differences_are_refused() {
    let (a, b) = (fresh_database().await, fresh_database().await);
    let (ca, cb) = (a.connect().await, b.connect().await);
    let table = "CREATE FOREIGN DATA WRAPPER w; CREATE SERVER s FOREIGN DATA WRAPPER w; \
                 CREATE FOREIGN TABLE ft (a int) SERVER s;";
    load(&ca, table).await.expect("old");
    load(
        &cb,
        &format!("{table} ALTER FOREIGN TABLE ft ALTER COLUMN a SET STATISTICS 100;"),
    )
    .await
    .expect("new");
    let options = IntrospectOptions::default();
    let old = introspect(&ca, &options).await.expect("old model");
    let new = introspect(&cb, &options).await.expect("new model");
    assert!(diff(&new, &new, &DiffOptions::default())
        .expect("same sides")
        .is_empty());
    match diff(&old, &new, &DiffOptions::default()) {
        Err(DiffError::Unsupported { what }) => {
            assert!(
                what.contains("column setting of public.ft.a: STATISTICS (only in to)"),
                "{what}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Every kind in one schema: rendered, loaded and read back equal, pg_dump equal too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_round_trips() {
    let pool = Pool::default();
    let sql = include_str!("fixtures/schema/catalog_objects.sql");
    let rt = round_trip(&pool, sql).await.expect("round trip");
    let kinds: std::collections::BTreeSet<&str> =
        rt.model.objects.values().map(|o| o.kind.as_str()).collect();
    for kind in [
        "aggregate",
        "base type",
        "cast",
        "collation",
        "conversion",
        "default privileges",
        "event trigger",
        "foreign table",
        "foreign-data wrapper",
        "operator",
        "operator class",
        "operator family",
        "publication",
        "range type",
        "rule",
        "server",
        "shell type",
        "statistics",
        "text search configuration",
        "text search dictionary",
        "user mapping",
    ] {
        assert!(kinds.contains(kind), "{kind} missing from {kinds:?}");
    }
    assert!(
        rt.model.unsupported.is_empty(),
        "{:?}",
        rt.model.unsupported
    );
    insta::assert_snapshot!(rt.rendering);
}
