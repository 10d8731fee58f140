//! Round trip on the pair corpus (`../shared/fixtures/schema-pairs/pg-schema-diff`): each side of
//! each case (old.sql, new.sql) is loaded, introspected and rendered; the rendering loads into a
//! fresh database whose model equals the original's, and so does its normalised
//! `pg_dump --schema-only` (see `schema_common::normalised_dump` for the normalisation).
//!
//! `RETORT_SCHEMA_CASES=substring` runs only the cases whose path contains it.

mod schema_common;

use std::sync::Arc;
use std::time::Instant;

use schema_common::{create_roles, fixtures, pair_cases, round_trip, Pool};

/// Regression floor: the number of sides that pass today. Raise it when more pass; never lower
/// it to make a change pass.
const PASS_FLOOR: usize = 830;

/// Cases run at once (each needs two databases).
const CONCURRENCY: usize = 4;

#[derive(serde::Deserialize, Default)]
struct Meta {
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    loads_on_pg15: Option<Loads>,
}

#[derive(serde::Deserialize, Default)]
struct Loads {
    old: bool,
    new: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pair_corpus_round_trips() {
    let Some(fixtures) = fixtures() else {
        eprintln!(
            "SKIPPED: ../shared/fixtures is absent (a plain clone has none); the round trip on \
             the pair corpus did not run"
        );
        return;
    };
    let root = fixtures.join("schema-pairs/pg-schema-diff");
    let filter = std::env::var("RETORT_SCHEMA_CASES").unwrap_or_default();
    let cases = pair_cases(&root, &filter);

    let started = Instant::now();
    let admin = retort_test_support::connect(retort_test_support::server().admin_url()).await;
    let mut sides = Vec::new();
    for case in &cases {
        let meta: Meta = serde_json::from_str(
            &std::fs::read_to_string(case.join("meta.json")).expect("meta.json"),
        )
        .expect("meta.json parses");
        create_roles(&admin, &meta.roles).await;
        let loads = meta.loads_on_pg15.unwrap_or(Loads {
            old: true,
            new: true,
        });
        for (side, loadable) in [("old", loads.old), ("new", loads.new)] {
            if loadable {
                sides.push((case.clone(), side));
            }
        }
    }

    let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let pool = Arc::new(Pool::default());
    let mut set = tokio::task::JoinSet::new();
    for (i, (case, side)) in sides.iter().cloned().enumerate() {
        let permits = permits.clone();
        let pool = pool.clone();
        set.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore");
            let sql = std::fs::read_to_string(case.join(format!("{side}.sql"))).unwrap_or_default();
            (i, round_trip(&pool, &sql).await.map(|_| ()))
        });
    }
    let mut results: Vec<(usize, Result<(), String>)> = Vec::new();
    while let Some(r) = set.join_next().await {
        results.push(r.expect("task"));
    }
    results.sort_by_key(|(i, _)| *i);

    let mut passed = [0usize; 2];
    let mut total = [0usize; 2];
    let mut failures = Vec::new();
    for (i, result) in &results {
        let (case, side) = &sides[*i];
        let k = usize::from(*side == "new");
        total[k] += 1;
        match result {
            Ok(()) => passed[k] += 1,
            Err(reason) => failures.push(format!(
                "{}/{side}: {reason}",
                case.strip_prefix(&root).unwrap_or(case).display()
            )),
        }
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    let pass = passed[0] + passed[1];
    println!(
        "schema round trip: {pass} of {} sides pass (old.sql {} of {}, new.sql {} of {}) in {:.1}s",
        total[0] + total[1],
        passed[0],
        total[0],
        passed[1],
        total[1],
        started.elapsed().as_secs_f64()
    );
    if filter.is_empty() {
        assert!(
            pass >= PASS_FLOOR,
            "{pass} sides pass, fewer than the floor of {PASS_FLOOR}"
        );
    }
}
