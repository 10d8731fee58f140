//! Views that read themselves, or each other in a cycle (made by `CREATE OR REPLACE VIEW`): made
//! first as placeholders with their columns and defined afterwards, as pg_dump does, both in a
//! whole-schema rendering and in the diff (up, second diff empty, down; SQL snapshotted).

mod schema_common;

use retort::diff::DiffOptions;
use schema_common::{diff_scenario, round_trip, Pool};

const SELF: &str = "CREATE TABLE t (id int, name text);
     CREATE VIEW v AS SELECT 1 AS x, 'a'::text AS y;
     CREATE OR REPLACE VIEW v AS SELECT 1 AS x, 'a'::text AS y UNION ALL SELECT v.x + 1, v.y FROM v WHERE false;
     CREATE VIEW w AS SELECT x FROM v;";

const MUTUAL: &str = "CREATE TABLE t (id int, name text);
     CREATE VIEW a AS SELECT id FROM t;
     CREATE VIEW b AS SELECT id FROM a;
     CREATE OR REPLACE VIEW a WITH (security_barrier = true) AS SELECT id FROM t WHERE id IN (SELECT id FROM b);
     COMMENT ON VIEW a IS 'cyclic';";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn view_cycles_round_trip() {
    let pool = Pool::default();
    for sql in [SELF, MUTUAL] {
        let rt = round_trip(&pool, sql).await.expect("round trip");
        assert!(
            rt.rendering.contains("AS\nSELECT NULL::"),
            "{}",
            rt.rendering
        );
        assert!(
            rt.rendering.contains("CREATE OR REPLACE VIEW"),
            "{}",
            rt.rendering
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_that_reads_itself() {
    let text = diff_scenario(
        "CREATE TABLE t (id int, name text);",
        SELF,
        DiffOptions::default(),
    )
    .await;
    insta::assert_snapshot!(text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_that_read_each_other() {
    let text = diff_scenario(
        "CREATE TABLE t (id int, name text);",
        MUTUAL,
        DiffOptions::default(),
    )
    .await;
    insta::assert_snapshot!(text);
}
