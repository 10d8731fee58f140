//! Helpers of the schema tests: loading SQL, a round trip through introspect and render, and the
//! normalised `pg_dump --schema-only` comparison.
#![allow(dead_code)]

pub mod hazards;

use std::path::{Path, PathBuf};
use std::process::Command;

use retort::diff::{diff, DiffOptions, Rename};
use retort::introspect::{introspect, introspect_parallel, IntrospectOptions};
use retort::render::render_schema;
use retort::schema::Schema;
use retort_test_support::{connect, fresh_database, TestDatabase};
use tokio_postgres::Client;

/// The shared fixtures folder (`../shared/fixtures` beside the repository), if present.
pub fn fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    dir.is_dir().then_some(dir)
}

/// The cases of a pair corpus (`ROOT/<topic>/<case>/meta.json`) whose path contains `filter`,
/// sorted.
pub fn pair_cases(root: &Path, filter: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("corpus")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .flat_map(|topic| {
            std::fs::read_dir(topic.path())
                .expect("topic")
                .filter_map(Result::ok)
        })
        .map(|e| e.path())
        .filter(|p| p.join("meta.json").is_file())
        .filter(|p| p.to_string_lossy().contains(filter))
        .collect();
    cases.sort();
    cases
}

/// Run a script statement by statement (as psql would: each in autocommit), so that statements
/// that refuse a transaction block (CREATE INDEX CONCURRENTLY...) run too.
pub async fn load(client: &Client, sql: &str) -> Result<(), String> {
    let statements = retort::sql::split_statements(sql).map_err(|e| e.to_string())?;
    for s in statements {
        if let Err(e) = client.batch_execute(s.text).await {
            let message = e
                .as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string());
            let first = s.text.lines().next().unwrap_or("");
            return Err(format!("line {}: {message} (in: {first})", s.line));
        }
    }
    Ok(())
}

/// Create roles cluster-wide, tolerating ones that exist (also from concurrent tests).
pub async fn create_roles(admin: &Client, roles: &[String]) {
    for r in roles {
        let _ = admin
            .batch_execute(&format!(
                "DO $$BEGIN CREATE ROLE {r}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$"
            ))
            .await;
    }
}

/// Databases to reuse: creating one costs 100-250 ms (and `fresh_database` makes them one at a
/// time), which would dominate a run over the whole corpus. A database handed back is reset
/// (every non-system schema and extension dropped, `public` made again as PostgreSQL makes it)
/// and then checked: if any user object is left anywhere in it (casts, event triggers,
/// publications, languages, default privileges, database settings... anything with an OID of a
/// user object), or `public` differs from a new database's, it is dropped and a fresh one takes
/// its place next time. So each round trip starts from a database equal to a new one.
#[derive(Default)]
pub struct Pool {
    free: tokio::sync::Mutex<Vec<TestDatabase>>,
    /// `public`'s owner, ACL and comment in a new database.
    public_state: tokio::sync::OnceCell<String>,
}

const PUBLIC_STATE: &str = "SELECT pg_catalog.pg_get_userbyid(nspowner)::text || ' ' || \
    COALESCE(nspacl::text, '-') || ' ' || COALESCE(pg_catalog.obj_description(oid, 'pg_namespace'), '-') \
    FROM pg_catalog.pg_namespace WHERE nspname = 'public'";

const RESET: &str = "DO $$DECLARE r record; BEGIN \
    FOR r IN SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
      AND nspname !~ '^pg_(toast_)?temp_' LOOP EXECUTE pg_catalog.format('DROP SCHEMA %I CASCADE', r.nspname); END LOOP; \
    FOR r IN SELECT extname FROM pg_catalog.pg_extension WHERE oid >= 16384 LOOP \
      EXECUTE pg_catalog.format('DROP EXTENSION IF EXISTS %I CASCADE', r.extname); END LOOP; \
    END$$; \
    CREATE SCHEMA public; ALTER SCHEMA public OWNER TO pg_database_owner; \
    GRANT USAGE ON SCHEMA public TO PUBLIC; COMMENT ON SCHEMA public IS 'standard public schema'";

/// User objects left in a database (0 after a good reset).
const LEFTOVERS: &str = "SELECT (SELECT count(*) FROM pg_catalog.pg_class WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_proc WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_type WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_namespace WHERE oid >= 16384 AND nspname <> 'public' AND nspname !~ '^pg_(toast_)?temp_') \
    + (SELECT count(*) FROM pg_catalog.pg_extension WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_cast WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_event_trigger) \
    + (SELECT count(*) FROM pg_catalog.pg_publication) \
    + (SELECT count(*) FROM pg_catalog.pg_default_acl) \
    + (SELECT count(*) FROM pg_catalog.pg_language WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_foreign_data_wrapper) \
    + (SELECT count(*) FROM pg_catalog.pg_foreign_server) \
    + (SELECT count(*) FROM pg_catalog.pg_operator WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_opfamily WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_collation WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_conversion WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_ts_config WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_ts_dict WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_am WHERE oid >= 16384) \
    + (SELECT count(*) FROM pg_catalog.pg_transform) \
    + (SELECT count(*) FROM pg_catalog.pg_largeobject_metadata) \
    + (SELECT count(*) FROM pg_catalog.pg_seclabel) \
    + (SELECT count(*) FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase \
         WHERE d.datname = current_database()) \
    + (SELECT count(*) FROM pg_catalog.pg_database WHERE datname = current_database() AND datacl IS NOT NULL)";

impl Pool {
    /// A database equal to a new one.
    pub async fn get(&self) -> TestDatabase {
        if let Some(db) = self.free.lock().await.pop() {
            return db;
        }
        let db = fresh_database().await;
        let client = db.connect().await;
        let state: String = client
            .query_one(PUBLIC_STATE, &[])
            .await
            .expect("public schema")
            .get(0);
        let _ = self.public_state.set(state);
        db
    }

    /// Give a database back: reset and checked, or dropped.
    pub async fn put(&self, db: TestDatabase) {
        let client = db.connect().await;
        let clean = async {
            client.batch_execute(RESET).await.ok()?;
            let left: i64 = client.query_one(LEFTOVERS, &[]).await.ok()?.get(0);
            let state: String = client.query_one(PUBLIC_STATE, &[]).await.ok()?.get(0);
            (left == 0 && Some(&state) == self.public_state.get()).then_some(())
        }
        .await;
        drop(client);
        if clean.is_some() {
            self.free.lock().await.push(db);
        } else {
            drop_database(&db).await;
        }
    }
}

pub async fn drop_database(db: &TestDatabase) {
    let admin = connect(&db.admin_url).await;
    let _ = admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name))
        .await;
}

/// pg_dump of the server's major version (`/usr/lib/postgresql/N/bin/pg_dump`, else the one on
/// PATH).
pub async fn pg_dump_binary(client: &Client) -> PathBuf {
    let row = client
        .query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        )
        .await
        .expect("server version");
    let major: i32 = row.get(0);
    let candidate = PathBuf::from(format!("/usr/lib/postgresql/{major}/bin/pg_dump"));
    if candidate.is_file() {
        candidate
    } else {
        PathBuf::from("pg_dump")
    }
}

/// `pg_dump --schema-only --no-owner` (grants kept), normalised: comment lines, `SET` and
/// `SELECT pg_catalog.set_config` lines, psql meta-commands (`\restrict KEY` of recent minor
/// releases, whose key is random) and blank lines dropped; the rest split into statements
/// (psql's rules) and sorted, so only the set of statements counts, not pg_dump's order (which
/// breaks ties by OID).
pub fn normalised_dump(pg_dump: &Path, url: &str) -> Result<Vec<String>, String> {
    let out = Command::new(pg_dump)
        .args(["--schema-only", "--no-owner", "-d", url])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", pg_dump.display()))?;
    if !out.status.success() {
        return Err(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let kept: String = text
        .lines()
        .filter(|l| {
            let t = l.trim();
            !(t.is_empty()
                || t.starts_with("--")
                || t.starts_with('\\')
                || t.starts_with("SET ")
                || t.starts_with("SELECT pg_catalog.set_config("))
        })
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    let mut statements: Vec<String> = retort::sql::split_statements(&kept)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|s| s.text.to_string())
        .collect();
    statements.sort();
    Ok(statements)
}

/// The statements only in `a` and only in `b` (first few of each).
pub fn dump_difference(a: &[String], b: &[String]) -> String {
    let only = |x: &[String], y: &[String]| -> Vec<String> {
        x.iter()
            .filter(|s| !y.contains(s))
            .take(3)
            .map(|s| s.replace('\n', " ").chars().take(200).collect())
            .collect()
    };
    format!(
        "only in the original: {:?}; only in the rendering's: {:?}",
        only(a, b),
        only(b, a)
    )
}

/// Where two models first differ, as the JSON lines around it.
pub fn model_difference(a: &Schema, b: &Schema) -> String {
    let ja = serde_json::to_string_pretty(a).unwrap_or_default();
    let jb = serde_json::to_string_pretty(b).unwrap_or_default();
    let la: Vec<&str> = ja.lines().collect();
    let lb: Vec<&str> = jb.lines().collect();
    let at = la
        .iter()
        .zip(&lb)
        .position(|(x, y)| x != y)
        .unwrap_or(la.len().min(lb.len()));
    let from = at.saturating_sub(3);
    format!(
        "original: {} | rendering's: {}",
        la[from..(at + 2).min(la.len())]
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        lb[from..(at + 2).min(lb.len())]
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    )
}

/// What one round trip found.
pub struct RoundTrip {
    pub model: Schema,
    pub rendering: String,
}

/// Load `sql` into a fresh database, introspect (on one connection, and on two: equal), render,
/// load the rendering into another fresh database, introspect again; the models must be equal,
/// and so must the normalised dumps.
/// `Err` says why not.
pub async fn round_trip(pool: &Pool, sql: &str) -> Result<RoundTrip, String> {
    let a = pool.get().await;
    let result = round_trip_in(pool, &a, sql).await;
    pool.put(a).await;
    result
}

async fn round_trip_in(pool: &Pool, a: &TestDatabase, sql: &str) -> Result<RoundTrip, String> {
    let ca = a.connect().await;
    load(&ca, sql)
        .await
        .map_err(|e| format!("the original does not load: {e}"))?;
    let options = IntrospectOptions::default();
    let m1 = introspect(&ca, &options)
        .await
        .map_err(|e| format!("introspection failed: {e}"))?;
    // The same read over two connections in one snapshot (what `retort schema dump` does).
    let ca2 = a.connect().await;
    let parallel = introspect_parallel(&ca, &ca2, &options)
        .await
        .map_err(|e| format!("introspection on two connections failed: {e}"))?;
    if parallel != m1 {
        return Err(format!(
            "introspection on two connections differs: {}",
            model_difference(&m1, &parallel)
        ));
    }
    drop((ca, ca2));
    if !m1.unsupported.is_empty() {
        return Err(format!("unsupported: {}", m1.unsupported.join("; ")));
    }
    let rendering = render_schema(&m1);
    let b = pool.get().await;
    let result = async {
        let cb = b.connect().await;
        load(&cb, &rendering)
            .await
            .map_err(|e| format!("the rendering does not load: {e}"))?;
        let m2 = introspect(&cb, &options)
            .await
            .map_err(|e| format!("introspection of the rendering failed: {e}"))?;
        if m1 != m2 {
            return Err(format!("models differ: {}", model_difference(&m1, &m2)));
        }
        let pg_dump = pg_dump_binary(&cb).await;
        drop(cb);
        let (da, db) = (
            normalised_dump(&pg_dump, &a.url)?,
            normalised_dump(&pg_dump, &b.url)?,
        );
        if da != db {
            return Err(format!("pg_dump differs: {}", dump_difference(&da, &db)));
        }
        Ok(())
    }
    .await;
    pool.put(b).await;
    result.map(|()| RoundTrip {
        model: m1,
        rendering,
    })
}

/// A diff scenario, as `diff_ops.rs` runs them: loads an old and a new schema, diffs them, applies
/// the up SQL (the result must equal the new schema, column order aside, and a second diff must
/// be empty), then the down SQL (the result must equal the old schema). Returns the snapshot text
/// (up, hazards, down).
pub fn sorted_columns(mut s: Schema) -> Schema {
    for t in s.tables.values_mut() {
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    s
}

pub async fn read(client: &tokio_postgres::Client) -> Schema {
    introspect(client, &IntrospectOptions::default())
        .await
        .expect("introspect")
}

/// Diffs `from` into `to`, applies the SQL to `client` (which holds `from`) and asserts that the
/// database then reads as `to` (column order aside); returns the diff and what was read.
pub async fn apply_checked(
    client: &Client,
    from: &Schema,
    to: &Schema,
    options: &DiffOptions,
    what: &str,
) -> (retort::diff::Diff, Schema) {
    let d = diff(from, to, options).unwrap_or_else(|e| panic!("{what} diff: {e}"));
    hazards::assert_hazards_are_lint_findings(&d, what);
    load(client, &d.sql())
        .await
        .unwrap_or_else(|e| panic!("{what} SQL fails: {e}\n{}", d.sql()));
    let after = read(client).await;
    assert!(
        sorted_columns(after.clone()) == sorted_columns(to.clone()),
        "after {what}: {}\n{}",
        model_difference(&sorted_columns(to.clone()), &sorted_columns(after.clone())),
        d.sql()
    );
    (d, after)
}

/// Loads `old_sql` and `new_sql` into fresh databases: the one holding the old, and both models.
async fn scenario_sides(old_sql: &str, new_sql: &str) -> (Client, Schema, Schema) {
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
    (ca, old, new)
}

/// The up diff applied (and checked, a second diff empty) to a database holding `old_sql` and its
/// rows; returns its SQL and what `query` (one bigint) then gives there.
pub async fn diff_up_then_query(old_sql: &str, new_sql: &str, query: &str) -> (String, i64) {
    let (ca, old, new) = scenario_sides(old_sql, new_sql).await;
    let options = DiffOptions::default();
    let (up, after) = apply_checked(&ca, &old, &new, &options, "up").await;
    let again = diff(&after, &new, &options).expect("diff again");
    assert!(again.is_empty(), "second diff: {}", again.sql());
    let value: i64 = ca.query_one(query, &[]).await.expect(query).get(0);
    (up.sql(), value)
}

/// The up diff only (for a scenario whose way back is refused): applied and checked, a second
/// diff empty; returns its SQL.
pub async fn diff_up_only(old_sql: &str, new_sql: &str) -> String {
    let (ca, old, new) = scenario_sides(old_sql, new_sql).await;
    let options = DiffOptions::default();
    let (up, after) = apply_checked(&ca, &old, &new, &options, "up").await;
    assert!(!up.is_empty(), "the scenario changes nothing");
    let again = diff(&after, &new, &options).expect("diff again");
    assert!(again.is_empty(), "second diff: {}", again.sql());
    up.sql()
}

pub async fn diff_scenario(old_sql: &str, new_sql: &str, options: DiffOptions) -> String {
    let (ca, old, new) = scenario_sides(old_sql, new_sql).await;
    let (up, after) = apply_checked(&ca, &old, &new, &options, "up").await;
    assert!(!up.is_empty(), "the scenario changes nothing");
    let again = diff(&after, &new, &DiffOptions::default()).expect("diff again");
    assert!(again.is_empty(), "second diff: {}", again.sql());
    let (down, _) = apply_checked(&ca, &after, &old, &reversed(&options), "down").await;
    let hazards: Vec<&str> = up.hazards().iter().map(|h| h.name()).collect();
    format!(
        "-- up (transactional: {}; hazards: {})\n{}\n-- down\n{}",
        up.transactional(),
        hazards.join(", "),
        up.sql(),
        down.sql()
    )
}

/// The options of the way back: each rename turned around.
pub fn reversed(options: &DiffOptions) -> DiffOptions {
    DiffOptions {
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
    }
}
