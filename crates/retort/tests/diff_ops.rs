//! Every kind of operation the diff makes, on real PostgreSQL: each scenario loads an old and a
//! new schema, diffs them, applies the up SQL (the result must equal the new schema, column order
//! aside, and a second diff must be empty), then the down SQL (the result must equal the old
//! schema). The up and down SQL are snapshotted: review them as a migration author would.

mod schema_common;

use retort::diff::{diff, DiffOptions, Rename};
use retort::introspect::{introspect, IntrospectOptions};
use retort::schema::Schema;
use retort_test_support::fresh_database;
use schema_common::{load, model_difference};

fn sorted(mut s: Schema) -> Schema {
    for t in s.tables.values_mut() {
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    s
}

async fn read(client: &tokio_postgres::Client) -> Schema {
    introspect(client, &IntrospectOptions::default())
        .await
        .expect("introspect")
}

/// Run a scenario; returns the snapshot text (up, hazards, down).
async fn scenario(old_sql: &str, new_sql: &str, options: DiffOptions) -> String {
    let a = fresh_database().await;
    let b = fresh_database().await;
    let ca = a.connect().await;
    let cb = b.connect().await;
    let _ = ca
        .batch_execute("DO $$BEGIN CREATE ROLE app_reader; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$")
        .await;
    load(&ca, old_sql).await.expect("old loads");
    load(&cb, new_sql).await.expect("new loads");
    let old = read(&ca).await;
    let new = read(&cb).await;
    let up = diff(&old, &new, &options).expect("diff");
    assert!(!up.is_empty(), "the scenario changes nothing");
    load(&ca, &up.sql())
        .await
        .unwrap_or_else(|e| panic!("up SQL fails: {e}\n{}", up.sql()));
    let after = read(&ca).await;
    assert!(
        sorted(after.clone()) == sorted(new.clone()),
        "after up: {}\n{}",
        model_difference(&sorted(new.clone()), &sorted(after.clone())),
        up.sql()
    );
    let again = diff(&after, &new, &DiffOptions::default()).expect("diff again");
    assert!(again.is_empty(), "second diff: {}", again.sql());
    let reverse = DiffOptions {
        renames: options
            .renames
            .iter()
            .map(|r| match r {
                Rename::Table { from, to } => Rename::Table {
                    from: to.clone(),
                    to: from.clone(),
                },
                Rename::Column { table, from, to } => Rename::Column {
                    table: table.clone(),
                    from: to.clone(),
                    to: from.clone(),
                },
            })
            .collect(),
        online: options.online,
    };
    let down = diff(&after, &old, &reverse).expect("down diff");
    load(&ca, &down.sql())
        .await
        .unwrap_or_else(|e| panic!("down SQL fails: {e}\n{}", down.sql()));
    let back = read(&ca).await;
    assert!(
        sorted(back.clone()) == sorted(old.clone()),
        "after down: {}\n{}",
        model_difference(&sorted(old), &sorted(back)),
        down.sql()
    );
    let hazards: Vec<&str> = up.hazards().iter().map(|h| h.name()).collect();
    format!(
        "-- up (transactional: {}; hazards: {})\n{}\n-- down\n{}",
        up.transactional(),
        hazards.join(", "),
        up.sql(),
        down.sql()
    )
}

macro_rules! case {
    ($name:ident, $old:expr, $new:expr) => {
        case!($name, $old, $new, DiffOptions::default());
    };
    ($name:ident, $old:expr, $new:expr, $options:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let text = scenario($old, $new, $options).await;
            insta::assert_snapshot!(text);
        }
    };
}

case!(
    create_table_with_keys_index_comment_and_grant,
    "CREATE TABLE tenants (id uuid PRIMARY KEY);",
    "CREATE TABLE tenants (id uuid PRIMARY KEY);
     CREATE TABLE users (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        email text NOT NULL UNIQUE,
        age int CHECK (age >= 0),
        created_at timestamptz NOT NULL DEFAULT now());
     CREATE INDEX users_tenant_idx ON users (tenant_id) WHERE age > 18;
     COMMENT ON TABLE users IS 'people';
     COMMENT ON COLUMN users.email IS 'login';
     GRANT SELECT ON users TO app_reader;"
);

case!(
    drop_table,
    "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a(id));",
    "CREATE TABLE b (id int PRIMARY KEY, a_id int);"
);

case!(
    add_and_drop_columns,
    "CREATE TABLE t (id int PRIMARY KEY, old_name text, gone int);",
    "CREATE TABLE t (id int PRIMARY KEY, new_name text, n int NOT NULL DEFAULT 0, note text);"
);

case!(
    column_type_changes,
    "CREATE TABLE t (a int, b varchar(10), c bigint, d text COLLATE \"C\", e text DEFAULT 'x');",
    "CREATE TABLE t (a bigint, b varchar(20), c timestamp, d text, e varchar(5) DEFAULT 'x');"
);

case!(
    defaults_and_not_null,
    "CREATE TABLE t (a int, b int NOT NULL DEFAULT 1, c text DEFAULT 'x');",
    "CREATE TABLE t (a int NOT NULL DEFAULT 5, b int, c text DEFAULT 'y');"
);

case!(
    identity_columns,
    "CREATE TABLE t (a int NOT NULL, b int GENERATED ALWAYS AS IDENTITY, c int GENERATED BY DEFAULT AS IDENTITY (START WITH 10), d int DEFAULT 7 NOT NULL);",
    "CREATE TABLE t (a int GENERATED BY DEFAULT AS IDENTITY, b int NOT NULL, c int GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5), d int GENERATED ALWAYS AS IDENTITY);"
);

case!(
    generated_columns,
    "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED, c int GENERATED ALWAYS AS (a + 1) STORED);",
    "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 3) STORED, c int, d int GENERATED ALWAYS AS (a - 1) STORED);"
);

case!(
    enum_values_added_in_place,
    "CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE TABLE t (m mood DEFAULT 'ok');",
    "CREATE TYPE mood AS ENUM ('happy', 'ok', 'meh', 'sad', 'angry'); CREATE TABLE t (m mood DEFAULT 'ok');"
);

case!(
    enum_value_removed_through_a_new_type,
    "CREATE TYPE mood AS ENUM ('ok', 'sad', 'gone');
     CREATE TABLE t (m mood DEFAULT 'ok', ms mood[], CHECK (m <> 'sad'));
     CREATE VIEW v AS SELECT m FROM t;",
    "CREATE TYPE mood AS ENUM ('sad', 'ok');
     CREATE TABLE t (m mood DEFAULT 'ok', ms mood[], CHECK (m <> 'sad'));
     CREATE VIEW v AS SELECT m FROM t;"
);

case!(
    enums_created_and_dropped,
    "CREATE TYPE a AS ENUM ('x'); CREATE TABLE t (id int, v a);",
    "CREATE TYPE b AS ENUM ('y', 'z'); CREATE TABLE t (id int, w b DEFAULT 'z');"
);

case!(
    domains,
    "CREATE DOMAIN pos AS int CHECK (VALUE > 0); CREATE DOMAIN old_d AS text; CREATE TABLE t (p pos);",
    "CREATE DOMAIN pos AS int DEFAULT 1 NOT NULL CONSTRAINT pos_small CHECK (VALUE < 100);
     CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%'); CREATE TABLE t (p pos, e email);"
);

case!(
    composite_types,
    "CREATE TYPE pair AS (a int, b text);",
    "CREATE TYPE pair AS (a bigint, b text, c date);"
);

case!(
    function_body_replaced,
    "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';
     CREATE TABLE t (a int DEFAULT f(1));",
    "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 2';
     CREATE TABLE t (a int DEFAULT f(1));"
);

case!(
    function_result_type_changed_with_dependents,
    "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';
     CREATE TABLE t (a int DEFAULT f(1), CHECK (f(a) > 0));
     CREATE INDEX t_f ON t (f(a));
     CREATE VIEW v AS SELECT f(a) AS fa FROM t;",
    "CREATE FUNCTION f(x int) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';
     CREATE TABLE t (a int DEFAULT f(1), CHECK (f(a) > 0));
     CREATE INDEX t_f ON t (f(a));
     CREATE VIEW v AS SELECT f(a) AS fa FROM t;"
);

case!(
    functions_and_procedures_created_and_dropped,
    "CREATE FUNCTION gone() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    "CREATE PROCEDURE p(n int) LANGUAGE plpgsql AS $$BEGIN RAISE NOTICE '%', n; END$$;
     CREATE FUNCTION g(a text DEFAULT 'x') RETURNS text LANGUAGE sql STABLE AS 'SELECT a';
     REVOKE EXECUTE ON FUNCTION g(text) FROM PUBLIC; GRANT EXECUTE ON FUNCTION g(text) TO app_reader;"
);

case!(
    views_replaced_compatibly_and_not,
    "CREATE TABLE t (a int, b int, c int);
     CREATE VIEW grows AS SELECT a FROM t;
     CREATE VIEW shrinks AS SELECT a, b FROM t;
     CREATE VIEW on_top AS SELECT * FROM shrinks;",
    "CREATE TABLE t (a int, b int, c int);
     CREATE VIEW grows AS SELECT a, b FROM t;
     CREATE VIEW shrinks AS SELECT b FROM t;
     CREATE VIEW on_top AS SELECT * FROM shrinks;"
);

case!(
    view_over_a_column_whose_type_changes,
    "CREATE TABLE t (a int, b text); CREATE VIEW v AS SELECT a, b FROM t; CREATE MATERIALIZED VIEW m AS SELECT a FROM t; CREATE INDEX m_a ON m (a);",
    "CREATE TABLE t (a bigint, b text); CREATE VIEW v AS SELECT a, b FROM t; CREATE MATERIALIZED VIEW m AS SELECT a FROM t; CREATE INDEX m_a ON m (a);"
);

case!(
    materialized_views,
    "CREATE TABLE t (a int);",
    "CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m AS SELECT a, count(*) AS n FROM t GROUP BY a; CREATE UNIQUE INDEX m_a ON m (a);"
);

case!(
    sequences,
    "CREATE SEQUENCE s1; CREATE SEQUENCE s2 INCREMENT 2; CREATE TABLE t (id int);",
    "CREATE SEQUENCE s2 AS integer INCREMENT 5 MAXVALUE 1000 CYCLE; CREATE SEQUENCE s3 START 100;
     CREATE TABLE t (id int DEFAULT nextval('s3')); ALTER SEQUENCE s3 OWNED BY t.id;"
);

case!(
    check_constraints,
    "CREATE TABLE t (a int, b int, CONSTRAINT a_pos CHECK (a > 0), CONSTRAINT gone CHECK (b > 0));
     ALTER TABLE t ADD CONSTRAINT later CHECK (a < 100) NOT VALID;",
    "CREATE TABLE t (a int, b int, CONSTRAINT a_pos CHECK (a >= 0), CONSTRAINT later CHECK (a < 100), CONSTRAINT b_small CHECK (b < 10) NOT VALID);"
);

case!(
    foreign_keys,
    "CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE);
     CREATE TABLE c (id int, p_id int REFERENCES p(id), code text);",
    "CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE);
     CREATE TABLE c (id int, p_id int REFERENCES p(id) ON DELETE CASCADE DEFERRABLE, code text REFERENCES p(code) ON UPDATE SET NULL);"
);

case!(
    primary_key_moved,
    "CREATE TABLE p (id int PRIMARY KEY, other int NOT NULL); CREATE TABLE c (p_id int REFERENCES p(id));",
    "CREATE TABLE p (id int UNIQUE, other int PRIMARY KEY); CREATE TABLE c (p_id int REFERENCES p(id));"
);

case!(
    indexes,
    "CREATE TABLE t (a int, b text); CREATE INDEX t_a ON t (a); CREATE INDEX gone ON t (b);",
    "CREATE TABLE t (a int, b text); CREATE INDEX t_a ON t (a DESC) WHERE a > 0; CREATE UNIQUE INDEX t_b ON t USING btree (lower(b)) INCLUDE (a);
     COMMENT ON INDEX t_a IS 'recent first';"
);

case!(
    online_forms,
    "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (a int, p_id int);",
    "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (a int NOT NULL, p_id int REFERENCES p(id), CHECK (a > 0)); CREATE INDEX t_a ON t (a);",
    DiffOptions { online: true, ..DiffOptions::default() }
);

case!(
    triggers,
    "CREATE TABLE t (a int, updated_at timestamptz);
     CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated_at = now(); RETURN NEW; END$$;
     CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
     CREATE TRIGGER t_gone BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();",
    "CREATE TABLE t (a int, updated_at timestamptz);
     CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated_at = now(); RETURN NEW; END$$;
     CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
     CREATE TRIGGER t_new AFTER DELETE ON t FOR EACH STATEMENT EXECUTE FUNCTION touch();
     ALTER TABLE t DISABLE TRIGGER t_new;"
);

case!(
    row_level_security_and_policies,
    "CREATE TABLE t (tenant_id uuid, a int);
     ALTER TABLE t ENABLE ROW LEVEL SECURITY;
     CREATE POLICY iso ON t USING (tenant_id = current_setting('app.tenant_id')::uuid);
     CREATE POLICY gone ON t FOR SELECT USING (true);",
    "CREATE TABLE t (tenant_id uuid, a int);
     ALTER TABLE t ENABLE ROW LEVEL SECURITY; ALTER TABLE t FORCE ROW LEVEL SECURITY;
     CREATE POLICY iso ON t TO app_reader USING (tenant_id = current_setting('app.tenant_id')::uuid) WITH CHECK (tenant_id = current_setting('app.tenant_id')::uuid);
     CREATE POLICY deny ON t AS RESTRICTIVE FOR DELETE USING (false);"
);

case!(
    partitions,
    "CREATE TABLE m (id int, at date, v int) PARTITION BY RANGE (at);
     CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
     CREATE TABLE m_old PARTITION OF m FOR VALUES FROM ('2000-01-01') TO ('2001-01-01');
     CREATE INDEX m_v ON m (v);",
    "CREATE TABLE m (id int, at date, v int, w text) PARTITION BY RANGE (at);
     CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
     CREATE TABLE m_2026 PARTITION OF m FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
     CREATE INDEX m_v ON m (v);
     CREATE INDEX m_w ON m (w);"
);

case!(
    extensions_schemas_and_comments,
    "CREATE SCHEMA gone; CREATE TABLE t (a int);",
    "CREATE EXTENSION pg_trgm; CREATE SCHEMA app; COMMENT ON SCHEMA app IS 'the app';
     GRANT USAGE ON SCHEMA app TO app_reader;
     CREATE TABLE app.docs (body text); CREATE INDEX docs_trgm ON app.docs USING gin (body gin_trgm_ops);
     CREATE TABLE t (a int); COMMENT ON TABLE t IS 'kept';"
);

case!(
    grants,
    "CREATE TABLE t (a int); GRANT SELECT, INSERT ON t TO app_reader; CREATE SEQUENCE s; GRANT USAGE ON s TO app_reader;",
    "CREATE TABLE t (a int); GRANT SELECT ON t TO app_reader WITH GRANT OPTION; GRANT UPDATE ON t TO PUBLIC; CREATE SEQUENCE s;"
);

case!(
    table_settings,
    "CREATE TABLE t (a int NOT NULL, b int); CREATE UNIQUE INDEX t_a ON t (a);",
    "CREATE UNLOGGED TABLE t (a int NOT NULL, b int) WITH (fillfactor = 70, autovacuum_enabled = false);
     CREATE UNIQUE INDEX t_a ON t (a); ALTER TABLE t REPLICA IDENTITY USING INDEX t_a; ALTER TABLE t CLUSTER ON t_a;"
);

case!(
    renames_asked_for,
    "CREATE TABLE people (id int PRIMARY KEY, surname text); CREATE INDEX people_surname ON people (surname);",
    "CREATE TABLE persons (id int PRIMARY KEY, family_name text); CREATE INDEX people_surname ON persons (family_name);",
    DiffOptions {
        renames: vec![
            Rename::parse("public.people=persons").expect("rename"),
            Rename::parse("public.persons.surname=family_name").expect("rename"),
        ],
        ..DiffOptions::default()
    }
);
