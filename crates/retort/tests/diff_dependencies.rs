//! The diff touches only what depends on a change, and drops dependents before what they depend
//! on, on real PostgreSQL: each scenario loads an old and a new schema, diffs them, applies the up
//! SQL (the result must equal the new schema, and a second diff must be empty), then the down SQL
//! (the result must equal the old schema); then asserts on the operations themselves.
//!
//! - foreign keys are not dropped and made again when the referenced table changes in a way
//!   that leaves the referenced key alone (a column dropped, added, retyped, renamed...);
//! - a foreign key is dropped before the key, unique index or table it references, whichever
//!   side of the diff it is (an added key's down, a replaced key, tables dropped together);
//! - a materialized view made by the diff is filled exactly when what it reads is.

mod schema_common;

use retort::diff::{diff, Diff, DiffOptions, Phase, Rename};
use retort::schema::Schema;
use retort_test_support::fresh_database;
use schema_common::{apply_checked, load, read, reversed};
use tokio_postgres::Client;

/// A scenario part way: the old schema loaded in `db`, the up SQL applied and checked.
struct Applied {
    db: Client,
    old: Schema,
    options: DiffOptions,
    up: Diff,
}

async fn apply_up(old_sql: &str, new_sql: &str, options: DiffOptions) -> Applied {
    let a = fresh_database().await;
    let b = fresh_database().await;
    let ca = a.connect().await;
    let cb = b.connect().await;
    load(&ca, old_sql).await.expect("old loads");
    load(&cb, new_sql).await.expect("new loads");
    let old = read(&ca).await;
    let new = read(&cb).await;
    let (up, after) = apply_checked(&ca, &old, &new, &options, "up").await;
    assert!(!up.is_empty(), "the scenario changes nothing");
    let again = diff(&after, &new, &DiffOptions::default()).expect("diff again");
    assert!(again.is_empty(), "second diff: {}", again.sql());
    Applied {
        db: ca,
        old,
        options,
        up,
    }
}

/// The down SQL applied: the old schema is back. Returns the down diff.
async fn apply_down(applied: &Applied) -> Diff {
    let after = read(&applied.db).await;
    let options = reversed(&applied.options);
    let (down, _) = apply_checked(&applied.db, &after, &applied.old, &options, "down").await;
    down
}

/// Up and down applied and checked; returns both diffs.
async fn scenario(old_sql: &str, new_sql: &str, options: DiffOptions) -> (Diff, Diff) {
    let applied = apply_up(old_sql, new_sql, options).await;
    let down = apply_down(&applied).await;
    (applied.up, down)
}

/// The summaries of the operations touching foreign keys.
fn foreign_key_ops(d: &Diff) -> Vec<String> {
    d.operations
        .iter()
        .filter(|o| {
            matches!(o.phase, Phase::DropForeignKey | Phase::AddForeignKey)
                || o.summary.contains("_fkey")
        })
        .map(|o| o.summary.clone())
        .collect()
}

/// Position of the first operation whose summary contains `text`.
fn position(d: &Diff, text: &str) -> usize {
    d.operations
        .iter()
        .position(|o| o.summary.contains(text))
        .unwrap_or_else(|| panic!("no operation {text:?} in:\n{}", d.summary().join("\n")))
}

// --- No foreign key churn ---

const TENANTS: &str = "CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id bigint REFERENCES tenants(id));
     CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id bigint, tenant_code text,
        FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_code) REFERENCES tenants(code));
     CREATE TABLE memberships (tenant_id bigint REFERENCES tenants(id), tenant_email text REFERENCES tenants(email));";

/// `tenants` as given, with the tables that reference it.
fn tenants(table: &str) -> String {
    format!("{table}\n{TENANTS}")
}

async fn assert_no_foreign_key_churn(old: &str, new: &str, options: DiffOptions) {
    let (up, down) = scenario(&tenants(old), &tenants(new), options).await;
    assert_eq!(
        foreign_key_ops(&up),
        Vec::<String>::new(),
        "up:\n{}",
        up.sql()
    );
    assert_eq!(
        foreign_key_ops(&down),
        Vec::<String>::new(),
        "down:\n{}",
        down.sql()
    );
}

const TENANTS_TABLE: &str = "CREATE TABLE tenants (id bigint PRIMARY KEY, code text UNIQUE, email text, name text, phone text);
     CREATE UNIQUE INDEX tenants_email ON tenants (email);";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_foreign_key_churn_when_a_referenced_tables_column_is_dropped() {
    assert_no_foreign_key_churn(
        TENANTS_TABLE,
        "CREATE TABLE tenants (id bigint PRIMARY KEY, code text UNIQUE, email text, name text);
         CREATE UNIQUE INDEX tenants_email ON tenants (email);",
        DiffOptions::default(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_foreign_key_churn_when_a_referenced_tables_column_is_added_or_retyped() {
    assert_no_foreign_key_churn(
        TENANTS_TABLE,
        "CREATE TABLE tenants (id bigint PRIMARY KEY, code text UNIQUE, email text, name varchar(200) NOT NULL DEFAULT '', phone bigint, added date);
         CREATE UNIQUE INDEX tenants_email ON tenants (email);",
        DiffOptions::default(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_foreign_key_churn_when_a_referenced_tables_column_is_renamed() {
    assert_no_foreign_key_churn(
        TENANTS_TABLE,
        "CREATE TABLE tenants (id bigint PRIMARY KEY, code text UNIQUE, email text, name text, telephone text);
         CREATE UNIQUE INDEX tenants_email ON tenants (email);",
        DiffOptions {
            renames: vec![Rename::parse("public.tenants.phone=telephone").expect("rename")],
            ..DiffOptions::default()
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_foreign_key_churn_when_a_referenced_table_gets_comments_indexes_and_checks() {
    assert_no_foreign_key_churn(
        TENANTS_TABLE,
        "CREATE TABLE tenants (id bigint PRIMARY KEY, code text UNIQUE, email text, name text, phone text CHECK (phone <> ''));
         CREATE UNIQUE INDEX tenants_email ON tenants (email);
         CREATE INDEX tenants_name ON tenants (name);
         CREATE UNIQUE INDEX tenants_phone ON tenants (phone);
         COMMENT ON TABLE tenants IS 'who pays';
         COMMENT ON COLUMN tenants.id IS 'the key';
         COMMENT ON CONSTRAINT tenants_pkey ON tenants IS 'the key';",
        DiffOptions::default(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_foreign_key_churn_when_a_self_referencing_tables_column_is_dropped() {
    let (up, down) = scenario(
        "CREATE TABLE nodes (id bigint PRIMARY KEY, parent_id bigint REFERENCES nodes(id), label text);",
        "CREATE TABLE nodes (id bigint PRIMARY KEY, parent_id bigint REFERENCES nodes(id));",
        DiffOptions::default(),
    )
    .await;
    assert_eq!(
        foreign_key_ops(&up),
        Vec::<String>::new(),
        "up:\n{}",
        up.sql()
    );
    assert_eq!(
        foreign_key_ops(&down),
        Vec::<String>::new(),
        "down:\n{}",
        down.sql()
    );
}

/// What the foreign key depends on does change: it is made again, and only it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_foreign_keys_on_a_changed_key_are_made_again() {
    let (up, down) = scenario(
        &tenants(TENANTS_TABLE),
        &tenants(
            "CREATE TABLE tenants (id bigint PRIMARY KEY, code varchar(20) UNIQUE, email text, name text, phone text);
             CREATE UNIQUE INDEX tenants_email ON tenants (email) INCLUDE (name);",
        ),
        DiffOptions::default(),
    )
    .await;
    for d in [&up, &down] {
        let mut fks = foreign_key_ops(d);
        fks.sort();
        assert_eq!(
            fks,
            vec![
                "add foreign key memberships_tenant_email_fkey on public.memberships",
                "add foreign key tasks_tenant_code_fkey on public.tasks",
                "drop constraint memberships_tenant_email_fkey on public.memberships",
                "drop constraint tasks_tenant_code_fkey on public.tasks",
            ],
            "{}",
            d.sql()
        );
    }
}

// --- Drops run dependents first ---

/// Down of "a primary key added and a table with a foreign key to it".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_table_referencing_a_new_key_is_undone_foreign_key_first() {
    let (_, down) = scenario(
        "CREATE TABLE p (id int NOT NULL, code text NOT NULL);",
        "CREATE TABLE p (id int PRIMARY KEY, code text NOT NULL UNIQUE);
         CREATE TABLE c (p_id int REFERENCES p(id), code text REFERENCES p(code));",
        DiffOptions::default(),
    )
    .await;
    assert!(
        position(&down, "drop constraint c_p_id_fkey") < position(&down, "drop constraint p_pkey")
    );
    assert!(
        position(&down, "drop constraint c_code_fkey")
            < position(&down, "drop constraint p_code_key")
    );
}

/// Down of "a primary key added and a foreign key to it on a table that was there".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_key_and_a_foreign_key_to_it_are_undone_foreign_key_first() {
    scenario(
        "CREATE TABLE p (id int NOT NULL); CREATE TABLE c (p_id int);
         CREATE TABLE tree (id int NOT NULL, parent int);",
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p_id int REFERENCES p(id));
         CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree(id));",
        DiffOptions::default(),
    )
    .await;
}

/// A unique key referenced by a foreign key replaced by another (a constraint by a plain unique
/// index, a key on other columns, a self-referencing table's key moved).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referenced_key_replaced_by_another() {
    scenario(
        "CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE, other int NOT NULL);
         CREATE TABLE c (p_id int REFERENCES p(id), code text REFERENCES p(code));
         CREATE TABLE tree (id int PRIMARY KEY, k int NOT NULL, parent int REFERENCES tree(id));",
        "CREATE TABLE p (id int NOT NULL, code text, other int PRIMARY KEY);
         CREATE UNIQUE INDEX p_id ON p (id); CREATE UNIQUE INDEX p_code_idx ON p (code);
         CREATE TABLE c (p_id int REFERENCES p(id), code text REFERENCES p(code));
         CREATE TABLE tree (id int UNIQUE, k int PRIMARY KEY, parent int REFERENCES tree(id));",
        DiffOptions::default(),
    )
    .await;
}

/// A foreign key on a plain unique index (no constraint) whose definition changes, and (down)
/// one on a unique index that is dropped with the referencing table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referenced_unique_index_changes() {
    let (up, down) = scenario(
        "CREATE TABLE p (a int, b int, c int); CREATE UNIQUE INDEX p_a ON p (a);
         CREATE TABLE r (a int REFERENCES p(a));",
        "CREATE TABLE p (a int, b int, c int); CREATE UNIQUE INDEX p_a ON p (a) INCLUDE (c);
         CREATE UNIQUE INDEX p_b ON p (b);
         CREATE TABLE r (a int REFERENCES p(a)); CREATE TABLE s (b int REFERENCES p(b));",
        DiffOptions::default(),
    )
    .await;
    assert!(position(&up, "drop constraint r_a_fkey") < position(&up, "drop index p_a"));
    assert!(position(&down, "drop constraint s_b_fkey") < position(&down, "drop index p_b"));
    assert!(position(&down, "drop constraint r_a_fkey") < position(&down, "drop index p_a"));
}

/// Tables dropped together, one referencing the other (both ways round, and through a key that
/// goes before its table).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referenced_table_and_its_referencing_table_dropped_together() {
    scenario(
        "CREATE TABLE a (id int PRIMARY KEY, code text UNIQUE);
         CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a(id), a_code text REFERENCES a(code));
         ALTER TABLE a ADD COLUMN b_id int REFERENCES b(id);
         CREATE TABLE z (id int PRIMARY KEY, a_id int REFERENCES a(id));
         CREATE TABLE keep (id int);",
        "CREATE TABLE keep (id int);",
        DiffOptions::default(),
    )
    .await;
}

/// A referenced key whose column changes type, and a dropped table on a key that goes while its
/// table stays: the foreign keys go first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_table_references_a_key_that_goes() {
    scenario(
        "CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE);
         CREATE TABLE gone (p_id int REFERENCES p(id), code text REFERENCES p(code));
         CREATE TABLE c (p_id int REFERENCES p(id));",
        "CREATE TABLE p (id bigint PRIMARY KEY, code text);
         CREATE TABLE c (p_id int REFERENCES p(id));",
        DiffOptions::default(),
    )
    .await;
}

/// Views reading views and materialized views, dropped with the tables they read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_dropped_before_what_they_read() {
    scenario(
        "CREATE TABLE t (a int PRIMARY KEY, b int);
         CREATE MATERIALIZED VIEW m AS SELECT a, b FROM t;
         CREATE VIEW v AS SELECT a FROM m;
         CREATE FUNCTION f() RETURNS SETOF int LANGUAGE sql BEGIN ATOMIC SELECT a FROM v; END;
         CREATE VIEW w AS SELECT * FROM f() AS x(a);
         CREATE TABLE r (a int REFERENCES t(a));",
        "CREATE TABLE r (a int);",
        DiffOptions::default(),
    )
    .await;
}

/// A grouped view that selects a column through the primary key (functional dependency):
/// PostgreSQL makes the view depend on the key constraint, so the view goes before the key is
/// replaced, and comes back after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_grouped_by_a_primary_key_that_is_replaced() {
    let (up, down) = scenario(
        "CREATE TABLE t (id int PRIMARY KEY, name text);
         CREATE VIEW v AS SELECT id, name, count(*) AS n FROM t GROUP BY id;
         CREATE MATERIALIZED VIEW m AS SELECT id, name, count(*) AS n FROM t GROUP BY id;
         CREATE VIEW on_v AS SELECT name FROM v;",
        "CREATE TABLE t (id int CONSTRAINT t_key PRIMARY KEY, name text);
         CREATE VIEW v AS SELECT id, name, count(*) AS n FROM t GROUP BY id;
         CREATE MATERIALIZED VIEW m AS SELECT id, name, count(*) AS n FROM t GROUP BY id;
         CREATE VIEW on_v AS SELECT name FROM v;",
        DiffOptions::default(),
    )
    .await;
    assert!(position(&up, "drop view public.v") < position(&up, "drop constraint t_pkey"));
    assert!(position(&up, "drop view public.m") < position(&up, "drop constraint t_pkey"));
    assert!(position(&down, "drop view public.on_v") < position(&down, "drop constraint t_key"));
}

/// A domain whose check calls a function, dropped with it (and with a column of its type): the
/// domain goes (last, as types do) before the function.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_dropped_before_the_function_its_check_calls() {
    let (_, down) = scenario(
        "CREATE TABLE keep (id int);",
        "CREATE TABLE keep (id int, p int);
         CREATE FUNCTION ok(int) RETURNS bool LANGUAGE sql IMMUTABLE RETURN $1 > 0;
         CREATE FUNCTION positive(int) RETURNS bool LANGUAGE sql IMMUTABLE BEGIN ATOMIC SELECT ok($1); END;
         CREATE DOMAIN pos AS int CHECK (positive(VALUE));
         ALTER TABLE keep ALTER COLUMN p TYPE pos;
         CREATE TABLE t (p pos);",
        DiffOptions::default(),
    )
    .await;
    assert!(
        position(&down, "drop domain public.pos")
            < position(&down, "drop function public.\"positive(")
    );
    assert!(
        position(&down, "drop function public.\"positive(")
            < position(&down, "drop function public.\"ok(")
    );
}

// --- Materialized views filled when they can be ---

async fn populated(db: &Client, name: &str) -> bool {
    db.query_one(
        "SELECT ispopulated FROM pg_catalog.pg_matviews WHERE schemaname = 'public' AND matviewname = $1",
        &[&name],
    )
    .await
    .unwrap_or_else(|e| panic!("{name}: {e}"))
    .get(0)
}

/// Made over a materialized view that is not populated (as after loading a pg_dump), directly
/// and through a view: made empty; over a populated one, or a table: filled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn materialized_view_over_an_unpopulated_one() {
    let old = "CREATE TABLE t (a int); INSERT INTO t VALUES (1);
         CREATE MATERIALIZED VIEW empty AS SELECT a FROM t WITH NO DATA;
         CREATE MATERIALIZED VIEW full_ AS SELECT a FROM t;";
    let new = "CREATE TABLE t (a int); INSERT INTO t VALUES (1);
         CREATE MATERIALIZED VIEW empty AS SELECT a FROM t WITH NO DATA;
         CREATE MATERIALIZED VIEW full_ AS SELECT a FROM t;
         CREATE VIEW over_empty AS SELECT a FROM empty;
         CREATE MATERIALIZED VIEW direct AS SELECT a FROM empty WITH NO DATA;
         CREATE MATERIALIZED VIEW through_view AS SELECT a FROM over_empty WITH NO DATA;
         CREATE MATERIALIZED VIEW on_full AS SELECT a FROM full_;
         CREATE MATERIALIZED VIEW on_both AS SELECT e.a FROM full_ e, over_empty WITH NO DATA;
         CREATE MATERIALIZED VIEW on_new AS SELECT a FROM on_full;
         CREATE MATERIALIZED VIEW on_table AS SELECT a FROM t;
         CREATE UNIQUE INDEX direct_a ON direct (a);";
    let applied = apply_up(old, new, DiffOptions::default()).await;
    for (view, filled) in [
        ("direct", false),
        ("through_view", false),
        ("on_both", false),
        ("on_full", true),
        ("on_new", true),
        ("on_table", true),
    ] {
        assert_eq!(
            populated(&applied.db, view).await,
            filled,
            "{view}\n{}",
            applied.up.sql()
        );
    }
    let direct: Vec<&str> = applied
        .up
        .operations
        .iter()
        .filter(|o| o.summary == "create materialized view public.direct")
        .map(|o| o.sql.as_str())
        .collect();
    insta::assert_snapshot!(direct.concat());
    let made: Vec<&str> = applied
        .up
        .operations
        .iter()
        .filter(|o| o.summary == "create materialized view public.on_table")
        .map(|o| o.sql.as_str())
        .collect();
    assert!(
        made.len() == 1 && made[0].contains("WITH DATA;") && !made[0].contains("REFRESH"),
        "a view over a table alone is made WITH DATA: {made:?}"
    );
    // Once the one it reads is filled, a view made again (its column's type changes) is filled.
    applied
        .db
        .batch_execute("REFRESH MATERIALIZED VIEW empty")
        .await
        .expect("refresh");
    apply_down(&applied).await;
    let later = apply_up(
        "CREATE TABLE t (a int); INSERT INTO t VALUES (1);
         CREATE MATERIALIZED VIEW empty AS SELECT a FROM t;
         CREATE MATERIALIZED VIEW direct AS SELECT a FROM empty;",
        "CREATE TABLE t (a int); INSERT INTO t VALUES (1);
         CREATE MATERIALIZED VIEW empty AS SELECT a FROM t;
         CREATE MATERIALIZED VIEW direct AS SELECT a::bigint AS a FROM empty;",
        DiffOptions::default(),
    )
    .await;
    assert!(populated(&later.db, "direct").await, "{}", later.up.sql());
    apply_down(&later).await;
}
