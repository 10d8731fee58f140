//! The diff on the pair corpus (`../shared/fixtures/schema-pairs/pg-schema-diff`). For each case:
//! old.sql is loaded into A and new.sql into B; the up SQL of `diff(A, B)` is applied to A, whose
//! model and normalised `pg_dump --schema-only` must then equal B's (column order aside); a second
//! diff must be empty; then the down SQL (`diff(A, old)`) is applied and A must equal old.sql's
//! schema again. Verdicts, as `../shared/tools/judge_pairs.py` gives them: pass, partial (up right,
//! the rest not), refused (`unsupported: ...`), wrong (failing SQL or a different schema).
//! Where meta.json names hazards, the diff must flag at least one hazard too.
//!
//! `RETORT_DIFF_CASES=substring` runs only the cases whose path contains it; `-- --nocapture`
//! shows each miss.

mod schema_common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use retort::diff::{diff, DiffError, DiffOptions};
use retort::introspect::{introspect, IntrospectOptions};
use retort::schema::Schema;
use schema_common::{
    create_roles, fixtures, load, normalised_dump, pair_cases, pg_dump_binary, Pool,
};

/// Regression floor: cases that pass today. Raise it when more pass; never lower it to make a
/// change pass.
const PASS_FLOOR: usize = 403;

/// Cases run at once (each holds one database and borrows another).
const CONCURRENCY: usize = 4;

#[derive(serde::Deserialize, Default)]
struct Meta {
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    hazards: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Pass,
    Partial,
    Refused,
    Wrong,
}

/// The model with each table's and view's columns sorted (column order is not judged: a
/// migration appends a new column).
fn sorted(mut s: Schema) -> Schema {
    for t in s.tables.values_mut() {
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    s
}

/// The dump with each CREATE TABLE's column lines sorted.
fn sorted_dump(dump: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = dump
        .into_iter()
        .map(|s| {
            if !s.starts_with("CREATE TABLE") && !s.starts_with("CREATE UNLOGGED TABLE") {
                return s;
            }
            let lines: Vec<&str> = s.lines().collect();
            if lines.len() < 3 {
                return s;
            }
            let mut inner: Vec<String> = lines[1..lines.len() - 1]
                .iter()
                .map(|l| l.trim_end_matches(',').to_string())
                .collect();
            inner.sort();
            format!(
                "{}\n{}\n{}",
                lines[0],
                inner.join(",\n"),
                lines[lines.len() - 1]
            )
        })
        .collect();
    out.sort();
    out
}

async fn read(client: &tokio_postgres::Client) -> Result<Schema, String> {
    introspect(client, &IntrospectOptions::default())
        .await
        .map_err(|e| format!("introspection failed: {e}"))
}

async fn judge(pool: &Pool, case: &std::path::Path, meta: &Meta) -> (Verdict, String) {
    let old_sql = std::fs::read_to_string(case.join("old.sql")).unwrap_or_default();
    let new_sql = std::fs::read_to_string(case.join("new.sql")).unwrap_or_default();
    let a = pool.get().await;
    let b = pool.get().await;
    let result = async {
        let ca = a.connect().await;
        let cb = b.connect().await;
        load(&ca, &old_sql)
            .await
            .map_err(|e| (Verdict::Wrong, format!("old.sql does not load: {e}")))?;
        load(&cb, &new_sql)
            .await
            .map_err(|e| (Verdict::Wrong, format!("new.sql does not load: {e}")))?;
        let wrong = |e: String| (Verdict::Wrong, e);
        let old = read(&ca).await.map_err(wrong)?;
        let new = read(&cb).await.map_err(wrong)?;
        let pg_dump = pg_dump_binary(&ca).await;
        let dump_old = sorted_dump(normalised_dump(&pg_dump, &a.url).map_err(wrong)?);
        let dump_new = sorted_dump(normalised_dump(&pg_dump, &b.url).map_err(wrong)?);
        let options = DiffOptions::default();
        let up = diff(&old, &new, &options).map_err(|e| match e {
            DiffError::Unsupported { .. } => (Verdict::Refused, e.to_string()),
            other => (Verdict::Wrong, other.to_string()),
        })?;
        if !meta.hazards.is_empty() && up.hazards().is_empty() {
            return Err((
                Verdict::Partial,
                format!("no hazard flagged; the corpus names {:?}", meta.hazards),
            ));
        }
        load(&ca, &up.sql())
            .await
            .map_err(|e| (Verdict::Wrong, format!("up SQL failed: {e}")))?;
        let after = read(&ca).await.map_err(wrong)?;
        if sorted(after.clone()) != sorted(new.clone()) {
            return Err((
                Verdict::Wrong,
                format!(
                    "after up, models differ: {}",
                    schema_common::model_difference(&sorted(new.clone()), &sorted(after))
                ),
            ));
        }
        let dump_after = sorted_dump(normalised_dump(&pg_dump, &a.url).map_err(wrong)?);
        if dump_after != dump_new {
            return Err((
                Verdict::Wrong,
                format!(
                    "after up, pg_dump differs: {}",
                    schema_common::dump_difference(&dump_new, &dump_after)
                ),
            ));
        }
        let again = diff(&after, &new, &options).map_err(|e| (Verdict::Partial, e.to_string()))?;
        if !again.is_empty() {
            return Err((
                Verdict::Partial,
                format!("a second diff is not empty: {:?}", again.summary()),
            ));
        }
        let down = diff(&after, &old, &options).map_err(|e| (Verdict::Partial, e.to_string()))?;
        load(&ca, &down.sql())
            .await
            .map_err(|e| (Verdict::Partial, format!("down SQL failed: {e}")))?;
        let back = read(&ca).await.map_err(wrong)?;
        if sorted(back.clone()) != sorted(old.clone()) {
            return Err((
                Verdict::Partial,
                format!(
                    "after down, models differ: {}",
                    schema_common::model_difference(&sorted(old.clone()), &sorted(back))
                ),
            ));
        }
        let dump_back = sorted_dump(normalised_dump(&pg_dump, &a.url).map_err(wrong)?);
        if dump_back != dump_old {
            return Err((
                Verdict::Partial,
                format!(
                    "after down, pg_dump differs: {}",
                    schema_common::dump_difference(&dump_old, &dump_back)
                ),
            ));
        }
        Ok(())
    }
    .await;
    pool.put(a).await;
    pool.put(b).await;
    match result {
        Ok(()) => (Verdict::Pass, String::new()),
        Err((v, why)) => (v, why),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pair_corpus_diffs() {
    let Some(fixtures) = fixtures() else {
        eprintln!(
            "SKIPPED: ../shared/fixtures is absent (a plain clone has none); the diff on the \
             pair corpus did not run"
        );
        return;
    };
    let root = fixtures.join("schema-pairs/pg-schema-diff");
    let filter = std::env::var("RETORT_DIFF_CASES").unwrap_or_default();
    let cases = pair_cases(&root, &filter);

    let started = Instant::now();
    let admin = retort_test_support::connect(retort_test_support::server().admin_url()).await;
    let mut metas = Vec::new();
    for case in &cases {
        let meta: Meta = serde_json::from_str(
            &std::fs::read_to_string(case.join("meta.json")).expect("meta.json"),
        )
        .expect("meta.json parses");
        create_roles(&admin, &meta.roles).await;
        metas.push(Arc::new(meta));
    }

    let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let pool = Arc::new(Pool::default());
    let mut set = tokio::task::JoinSet::new();
    for (i, case) in cases.iter().cloned().enumerate() {
        let permits = permits.clone();
        let pool = pool.clone();
        let meta = metas[i].clone();
        set.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore");
            (i, judge(&pool, &case, &meta).await)
        });
    }
    let mut results = Vec::new();
    while let Some(r) = set.join_next().await {
        results.push(r.expect("task"));
    }
    results.sort_by_key(|(i, _)| *i);

    let mut per_topic: BTreeMap<String, BTreeMap<Verdict, usize>> = BTreeMap::new();
    let mut totals: BTreeMap<Verdict, usize> = BTreeMap::new();
    for (i, (verdict, why)) in &results {
        let rel = cases[*i].strip_prefix(&root).unwrap_or(&cases[*i]);
        let topic = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .unwrap_or_default();
        *per_topic
            .entry(topic)
            .or_default()
            .entry(*verdict)
            .or_default() += 1;
        *totals.entry(*verdict).or_default() += 1;
        if *verdict != Verdict::Pass {
            println!("{verdict:?} {}: {why}", rel.display());
        }
    }
    for (topic, counts) in &per_topic {
        let total: usize = counts.values().sum();
        println!(
            "{topic}: pass {} of {total} (partial {}, refused {}, wrong {})",
            counts.get(&Verdict::Pass).unwrap_or(&0),
            counts.get(&Verdict::Partial).unwrap_or(&0),
            counts.get(&Verdict::Refused).unwrap_or(&0),
            counts.get(&Verdict::Wrong).unwrap_or(&0),
        );
    }
    let pass = *totals.get(&Verdict::Pass).unwrap_or(&0);
    println!(
        "diff corpus: {pass} of {} cases pass (partial {}, refused {}, wrong {}) in {:.1}s",
        cases.len(),
        totals.get(&Verdict::Partial).unwrap_or(&0),
        totals.get(&Verdict::Refused).unwrap_or(&0),
        totals.get(&Verdict::Wrong).unwrap_or(&0),
        started.elapsed().as_secs_f64()
    );
    if filter.is_empty() {
        assert!(
            pass >= PASS_FLOOR,
            "{pass} cases pass, fewer than the floor of {PASS_FLOOR}"
        );
    }
    // Never SQL that fails or leaves a different schema: what the diff cannot do, it refuses.
    let wrong = *totals.get(&Verdict::Wrong).unwrap_or(&0);
    assert_eq!(wrong, 0, "{wrong} cases are wrong (see the lines above)");
}
