//! builtenv on a Citus cluster (a coordinator and two workers on this machine, issue 18), one
//! cluster for the whole test process: the revisions take an empty cluster to head (revision
//! 9a4e1b7c3f52 distributes the tenant tables and says so), `check` is clean against the models
//! laid out for Citus, down to base and up again; four racing `serve --migrate` migrate once;
//! every route keeps two tenants apart and runs only single-shard (router) queries; an existing
//! database with rows is distributed in place and brought back, nothing lost.
//! Skipped, with a message, where Citus is not installed (`bash .ci/install-citus.sh`).

mod support;

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::OnceLock;

use retort_test_support::citus::CitusCluster;
use serde_json::{json, Value};
use support::{http, http_as, text, Server, BIN};
use tokio_postgres::Client;

/// The cluster shared by this process's tests (`None`: Citus is not installed).
fn cluster(test: &str) -> Option<&'static CitusCluster> {
    static CLUSTER: OnceLock<Option<CitusCluster>> = OnceLock::new();
    let cluster = CLUSTER.get_or_init(|| CitusCluster::start_or_skip("builtenv's citus tests"));
    if cluster.is_none() {
        eprintln!("SKIPPED {test}: Citus is not installed");
    }
    cluster.as_ref()
}

/// `cluster.database(name)`, one at a time: Citus fails to add the nodes of two databases at
/// once ("failure on connection marked as essential").
async fn database(cluster: &CitusCluster, name: &str) -> String {
    static MAKING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _one = MAKING.lock().await;
    cluster.database(name).await.expect("citus database")
}

/// `builtenv migrate ARGS` on `url`: (exit code, stdout, stderr).
fn migrate(url: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .arg("migrate")
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .expect("run builtenv");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `builtenv migrate ARGS` that must succeed: its stderr.
fn migrate_ok(url: &str, args: &[&str]) -> String {
    let (code, out, err) = migrate(url, args);
    assert_eq!(code, 0, "builtenv migrate {args:?}:\n{out}{err}");
    err
}

/// Each table's Citus kind: `h` distributed (hash) with its colocation id, `n` reference.
async fn layout(client: &Client) -> BTreeMap<String, (String, i32)> {
    client
        .query(
            "SELECT logicalrelid::text, partmethod::text, colocationid FROM pg_dist_partition",
            &[],
        )
        .await
        .expect("pg_dist_partition")
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect()
}

const DISTRIBUTED: [&str; 5] = [
    "api_tokens",
    "audit_events",
    "documents",
    "projects",
    "subscriptions",
];

/// The layout revision 9a4e1b7c3f52 makes: five tables hashed in one colocation group,
/// tenants and users reference tables, nothing else.
async fn assert_distributed(client: &Client) {
    let layout = layout(client).await;
    let group = layout.get("projects").expect("projects distributed").1;
    for t in DISTRIBUTED {
        assert_eq!(layout.get(t), Some(&("h".to_string(), group)), "{t}");
    }
    for t in ["tenants", "users"] {
        assert_eq!(layout.get(t).map(|k| k.0.as_str()), Some("n"), "{t}");
    }
    // audit_events is partitioned by month: its partitions are distributed with it.
    let partitions: Vec<String> = client
        .query(
            "SELECT c.relname::text FROM pg_inherits JOIN pg_class c ON c.oid = inhrelid \
             WHERE inhparent = 'audit_events'::regclass ORDER BY 1",
            &[],
        )
        .await
        .expect("partitions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(partitions.len() >= 5, "{partitions:?}");
    assert!(partitions.contains(&"audit_events_default".to_string()));
    for p in &partitions {
        assert_eq!(
            layout.get(p.as_str()),
            Some(&("h".to_string(), group)),
            "{p}"
        );
    }
    assert_eq!(layout.len(), 7 + partitions.len(), "{layout:?}");
    let shards: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'projects'::regclass",
            &[],
        )
        .await
        .expect("shards")
        .get(0);
    assert_eq!(shards, i64::from(builtenv::citus::SHARDS));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_cluster_to_head_check_clean_down_and_up_and_a_race() {
    let Some(cluster) = cluster("an_empty_cluster_to_head_check_clean_down_and_up_and_a_race")
    else {
        return;
    };
    let url = database(cluster, "app").await;

    let err = migrate_ok(&url, &["upgrade", "head"]);
    assert!(err.contains("Applied 6 revisions"), "{err}");
    assert!(
        err.contains("Citus: tenants and users are reference tables; projects, subscriptions, documents, audit_events and api_tokens are distributed by tenant_id (32 shards, colocated), audit_events partitioned by month"),
        "the revision says what it chose: {err}"
    );
    let client = retort_test_support::connect(&url).await;
    assert_distributed(&client).await;
    let (code, out, err) = migrate(&url, &["check"]);
    assert_eq!(code, 0, "check is clean on the coordinator: {out}{err}");

    // The version rows are on the coordinator only; the workers know nothing of them.
    for (i, node) in cluster.node_urls("app").iter().enumerate() {
        let node = retort_test_support::connect(node).await;
        let version = node
            .query_opt("SELECT to_regclass('retort_version')::text", &[])
            .await
            .expect("query")
            .and_then(|r| r.get::<_, Option<String>>(0));
        assert_eq!(version.is_some(), i == 0, "node {i}: {version:?}");
    }

    // Drift shows: a distributed table made local again is a difference from the models.
    // (Citus takes these one statement at a time: a multi-statement string fails on a worker.)
    let each = async |statements: &[&str]| {
        for sql in statements {
            client
                .batch_execute(sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        }
    };
    each(&[
        "SET citus.multi_shard_modify_mode TO 'sequential'",
        "ALTER TABLE documents DROP CONSTRAINT fk_documents_tenant_id_project_id_projects",
        "ALTER TABLE documents DROP CONSTRAINT fk_documents_tenant_id_tenants",
        "SELECT undistribute_table('documents')",
    ])
    .await;
    let (code, out, err) = migrate(&url, &["check"]);
    assert_eq!(code, 1, "check finds the undistributed table: {out}{err}");
    assert!(format!("{out}{err}").contains("documents"), "{out}{err}");
    each(&[
        "BEGIN",
        "SET LOCAL citus.enable_unsafe_triggers TO on",
        "SELECT create_distributed_table('documents', 'tenant_id', colocate_with => 'projects')",
        "SELECT truncate_local_data_after_distributing_table('documents')",
        "ALTER TABLE documents ADD CONSTRAINT fk_documents_tenant_id_tenants \
         FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE",
        "ALTER TABLE documents ADD CONSTRAINT fk_documents_tenant_id_project_id_projects \
         FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id) ON DELETE CASCADE",
        "COMMIT",
    ])
    .await;
    let (code, out, err) = migrate(&url, &["check"]);
    assert_eq!(code, 0, "distributed again, check is clean: {out}{err}");

    let err = migrate_ok(&url, &["downgrade", "base"]);
    assert!(
        err.contains("Citus: every table is back on the coordinator"),
        "{err}"
    );
    assert!(layout(&client).await.is_empty());
    let err = migrate_ok(&url, &["upgrade", "head"]);
    assert!(err.contains("Applied 6 revisions"), "{err}");
    assert_distributed(&client).await;
    let (code, out, err) = migrate(&url, &["check"]);
    assert_eq!(code, 0, "{out}{err}");

    // Four replicas of a deploy against the coordinator of an empty database: one migrates.
    let race = database(cluster, "race").await;
    let mut servers: Vec<Server> = (0..4)
        .map(|_| Server::spawn(&race, &["serve", "--migrate"]))
        .collect();
    for server in &mut servers {
        server.wait_ready().await;
        assert_eq!(
            http(&server.addr().await, "GET", "/healthz", None).await.0,
            200
        );
    }
    let client = retort_test_support::connect(&race).await;
    let applied: i64 = client
        .query_one(
            "SELECT count(*) FROM retort_history WHERE direction = 'up' AND status = 'applied'",
            &[],
        )
        .await
        .expect("log")
        .get(0);
    assert_eq!(applied, 6, "each revision applied once");
    assert_distributed(&client).await;
}

/// A tenant made through the API: its ids and its admin's session.
struct Tenant {
    id: String,
    token: String,
    project: String,
    api_token: String,
}

/// Every route of a tenant (but logout, last) for `t`: each must succeed. Returns the ids of
/// the rows it listed, for the isolation check.
async fn every_route(addr: &str, t: &Tenant) -> Vec<String> {
    let base = format!("/tenants/{}", t.id);
    let calls: Vec<(&str, String, Option<Value>, u16)> = vec![
        ("GET", "/me".into(), None, 200),
        ("GET", base.clone(), None, 200),
        ("GET", format!("{base}/projects"), None, 200),
        (
            "POST",
            format!("{base}/projects"),
            Some(json!({"name": "second"})),
            201,
        ),
        ("GET", format!("{base}/projects/{}", t.project), None, 200),
        (
            "PATCH",
            format!("{base}/projects/{}", t.project),
            Some(json!({"description": "routed", "status": "in_review"})),
            200,
        ),
        (
            "POST",
            format!("{base}/documents"),
            Some(json!({"project_id": t.project, "filename": "plan.pdf",
                "file_path": "/plan.pdf", "file_size": 10, "extracted_text": "escape stair"})),
            201,
        ),
        ("GET", format!("{base}/documents"), None, 200),
        (
            "GET",
            format!("{base}/documents?q=stair&project_id={}", t.project),
            None,
            200,
        ),
        ("GET", format!("{base}/audit-events"), None, 200),
        ("GET", format!("{base}/users"), None, 200),
        (
            "POST",
            format!("{base}/users"),
            Some(
                json!({"email": format!("member@{}.test", t.id), "password": "member password 1"}),
            ),
            201,
        ),
        ("GET", format!("{base}/api-tokens"), None, 200),
        (
            "DELETE",
            format!("{base}/api-tokens/{}", t.api_token),
            None,
            204,
        ),
    ];
    let mut seen = Vec::new();
    for (method, path, body, expected) in calls {
        let (status, reply) = http_as(addr, &t.token, method, &path, body.as_ref()).await;
        assert_eq!(status, expected, "{method} {path}: {reply}");
        for row in reply.as_array().into_iter().flatten() {
            assert_eq!(
                row.get("tenant_id").and_then(Value::as_str),
                Some(t.id.as_str()),
                "{method} {path} lists another tenant's row: {row}"
            );
            seen.push(text(row, "/id").to_string());
        }
    }
    seen
}

/// Signs `slug` up, logs its admin in, makes a project and an API token.
async fn tenant(addr: &str, slug: &str) -> Tenant {
    let signed = support::sign_up(addr, slug).await;
    let path = format!("/tenants/{}", signed.tenant_id);
    let (status, project) = http_as(
        addr,
        &signed.token,
        "POST",
        &format!("{path}/projects"),
        Some(&json!({"name": format!("{slug} tower")})),
    )
    .await;
    assert_eq!(status, 201, "{project}");
    let (status, token) = http_as(
        addr,
        &signed.token,
        "POST",
        &format!("{path}/api-tokens"),
        Some(&json!({"name": "machine", "role": "member"})),
    )
    .await;
    assert_eq!(status, 201, "{token}");
    Tenant {
        id: signed.tenant_id,
        token: signed.token,
        project: text(&project, "/id").to_string(),
        api_token: text(&token, "/id").to_string(),
    }
}

/// `EXPLAIN sql` in `tenant`'s request transaction (builtenv's own `tenant_transaction`), `$1`
/// standing for the tenant's id.
async fn explain(pool: &builtenv::db::Pool, tenant: uuid::Uuid, sql: &str) -> String {
    let mut client = pool.get().await.expect("connection");
    let tx = builtenv::db::tenant_transaction(&mut client, tenant)
        .await
        .expect("tenant transaction");
    // The handlers' parameter, the tenant, as a literal (EXPLAIN takes no parameters).
    let literal = sql.replace("$1", &format!("'{tenant}'"));
    let rows = tx
        .query(&format!("EXPLAIN (COSTS OFF) {literal}"), &[])
        .await
        .unwrap_or_else(|e| panic!("EXPLAIN {literal}: {e:?}"));
    rows.iter()
        .map(|r| r.get::<_, String>(0))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_keeps_tenants_apart_on_single_shards() {
    let Some(cluster) = cluster("every_route_keeps_tenants_apart_on_single_shards") else {
        return;
    };
    let url = database(cluster, "tenants").await;
    migrate_ok(&url, &["upgrade", "head"]);
    let owner = retort_test_support::connect(&url).await;
    // From here on, a query that Citus would send to more than one shard is an error: every
    // request below runs only router (single-shard) or reference-table queries.
    owner
        .batch_execute("ALTER DATABASE tenants SET citus.multi_task_query_log_level = 'error'")
        .await
        .expect("guard");
    let mut server = Server::spawn(&url, &["serve"]);
    server.wait_ready().await;
    let addr = server.addr().await;
    let (a, b) = (tenant(&addr, "alpha").await, tenant(&addr, "bravo").await);
    let seen_a = every_route(&addr, &a).await;
    let seen_b = every_route(&addr, &b).await;
    assert!(!seen_a.is_empty() && !seen_b.is_empty());
    assert!(
        seen_a.iter().all(|id| !seen_b.contains(id)),
        "no row listed for both tenants"
    );
    // B's rows through A's credential: not found, whichever path names them.
    for path in [
        format!("/tenants/{}/projects/{}", a.id, b.project),
        format!("/tenants/{}/projects/{}", b.id, b.project),
        format!("/tenants/{}", b.id),
    ] {
        let (status, body) = http_as(&addr, &a.token, "GET", &path, None).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, body) = http_as(
        &addr,
        &a.token,
        "PATCH",
        &format!("/tenants/{}/projects/{}", a.id, b.project),
        Some(&json!({"name": "taken over"})),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    for t in [&a, &b] {
        let (status, _) = http_as(&addr, &t.token, "POST", "/logout", None).await;
        assert_eq!(status, 204);
    }
    assert!(
        !server.stderr().contains("ERROR"),
        "no query failed: {}",
        server.stderr()
    );

    // The guard holds: a query without its tenant would fan out, and is refused.
    let pool = builtenv::db::Pool::new(&url, builtenv::db::PoolSettings::default()).expect("pool");
    let a_id: uuid::Uuid = a.id.parse().expect("uuid");
    let b_id: uuid::Uuid = b.id.parse().expect("uuid");
    {
        let mut client = pool.get().await.expect("connection");
        let tx = builtenv::db::tenant_transaction(&mut client, a_id)
            .await
            .expect("tx");
        let refused = tx.query("SELECT count(*) FROM documents", &[]).await;
        assert!(refused.is_err(), "a multi-shard query is refused here");
    }
    // Row-level security on the shards: A's transaction routed to B's shard sees nothing.
    let mut client = pool.get().await.expect("connection");
    let tx = builtenv::db::tenant_transaction(&mut client, a_id)
        .await
        .expect("tx");
    for table in DISTRIBUTED {
        let count = |t: uuid::Uuid| {
            let sql = format!("SELECT count(*) FROM {table} WHERE tenant_id = $1");
            let tx = &tx;
            async move {
                tx.query_one(&sql, &[&t])
                    .await
                    .expect("count")
                    .get::<_, i64>(0)
            }
        };
        assert!(count(a_id).await > 0, "{table}: A's own rows");
        assert_eq!(count(b_id).await, 0, "{table}: B's rows on B's shard");
    }
    drop(tx);
    drop(client);

    // EXPLAIN of each tenant-scoped query of the handlers: one task, one shard.
    for sql in [
        "SELECT * FROM subscriptions WHERE tenant_id = $1",
        "SELECT * FROM projects WHERE tenant_id = $1 ORDER BY created_at, id LIMIT 100",
        "SELECT * FROM projects WHERE tenant_id = $1 AND id = $1",
        "UPDATE projects SET name = COALESCE(NULL, name) WHERE tenant_id = $1 AND id = $1 RETURNING *",
        "SELECT * FROM documents WHERE tenant_id = $1 AND extracted_text ILIKE '%x%' \
         AND project_id = $1 ORDER BY created_at DESC, id LIMIT 100",
        "SELECT * FROM audit_events WHERE tenant_id = $1 ORDER BY \"timestamp\" DESC, id LIMIT 100",
        "SELECT * FROM api_tokens WHERE tenant_id = $1 AND kind = 'api' ORDER BY created_at, id LIMIT 100",
        "UPDATE api_tokens SET revoked_at = now() WHERE tenant_id = $1 AND id = $1",
        "SELECT t.id FROM api_tokens t JOIN tenants n ON n.id = t.tenant_id \
         LEFT JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id \
         WHERE t.token_hash = 'x' AND t.tenant_id = $1",
        "INSERT INTO audit_events (tenant_id, event_type, action) VALUES ($1, 'system', 'x')",
        "SELECT * FROM tenants WHERE id = $1",
        "SELECT * FROM users WHERE tenant_id = $1 AND id = $1",
    ] {
        let plan = explain(&pool, a_id, sql).await;
        assert!(
            plan.contains("Task Count: 1"),
            "{sql} is not a router query:\n{plan}"
        );
    }
}

/// Per tenant and table: row count and an md5 of the rows in key order.
async fn fingerprint(client: &Client) -> BTreeMap<String, (i64, String)> {
    let mut all = BTreeMap::new();
    for table in DISTRIBUTED.iter().chain(&["users"]) {
        for r in client
            .query(
                &format!(
                    "SELECT tenant_id::text, count(*), md5(string_agg(t::text, '|' ORDER BY id)) \
                     FROM {table} t GROUP BY 1"
                ),
                &[],
            )
            .await
            .expect("fingerprint")
        {
            all.insert(
                format!("{table} {}", r.get::<_, String>(0)),
                (r.get(1), r.get(2)),
            );
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_database_is_distributed_in_place_and_back() {
    let Some(cluster) = cluster("an_existing_database_is_distributed_in_place_and_back") else {
        return;
    };
    let url = database(cluster, "existing").await;
    // A database as it was on one server, with rows: at the revision before distribution.
    migrate_ok(&url, &["upgrade", "6d2f8a41c9e3"]);
    let owner = retort_test_support::connect(&url).await;
    owner
        .batch_execute(
            "INSERT INTO tenants (name, slug, email) SELECT 'T' || g, 't' || g, 't@' || g \
               FROM generate_series(1, 6) g;
             INSERT INTO users (tenant_id, email, hashed_password)
               SELECT id, 'u' || g || '@' || slug, 'x' FROM tenants, generate_series(1, 3) g;
             INSERT INTO subscriptions (tenant_id) SELECT id FROM tenants;
             INSERT INTO projects (tenant_id, name) SELECT id, 'p' || g FROM tenants, generate_series(1, 4) g;
             INSERT INTO documents (tenant_id, project_id, filename, original_filename, file_path, file_size)
               SELECT tenant_id, id, 'f', 'f', '/f', 1 FROM projects, generate_series(1, 5);
             INSERT INTO audit_events (tenant_id, user_id, event_type, action, \"timestamp\")
               SELECT tenant_id, id, 'user.auth', 'login', now() - random() * interval '120 days'
               FROM users, generate_series(1, 4);
             INSERT INTO api_tokens (tenant_id, user_id, kind, role, token_hash, expires_at)
               SELECT tenant_id, id, 'session', 'member', md5(id::text), now() + interval '1 day' FROM users;",
        )
        .await
        .expect("rows");
    assert!(layout(&owner).await.is_empty(), "one server's tables");
    let before = fingerprint(&owner).await;
    assert_eq!(before.len(), 6 * 6);

    let err = migrate_ok(&url, &["upgrade", "head"]);
    assert!(err.contains("Citus: tenants and users"), "{err}");
    assert_distributed(&owner).await;
    assert_eq!(fingerprint(&owner).await, before, "every row moved");
    let defaulted: i64 = owner
        .query_one("SELECT count(*) FROM audit_events_default", &[])
        .await
        .expect("default partition")
        .get(0);
    assert_eq!(defaulted, 0, "every event in its month's partition");
    // The rows are on the workers now: documents' shards are on both, none on the coordinator.
    let rows = owner
        .query(
            "SELECT nodename, count(*) FROM citus_shards WHERE table_name = 'documents'::regclass \
             GROUP BY 1 ORDER BY 1",
            &[],
        )
        .await
        .expect("placements");
    // (Every node listens on port 5432 of its own socket directory, its name.)
    let ports: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let worker_ports: Vec<String> = owner
        .query(
            "SELECT nodename FROM pg_dist_node WHERE groupid <> 0 ORDER BY 1",
            &[],
        )
        .await
        .expect("workers")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        ports, worker_ports,
        "documents' shards on both workers only"
    );
    let (code, out, err) = migrate(&url, &["check"]);
    assert_eq!(code, 0, "{out}{err}");

    // And back: the revision's down brings every row to the coordinator.
    let err = migrate_ok(&url, &["downgrade", "6d2f8a41c9e3"]);
    assert!(
        err.contains("every table is back on the coordinator"),
        "{err}"
    );
    assert!(layout(&owner).await.is_empty());
    assert_eq!(fingerprint(&owner).await, before, "every row came back");
    migrate_ok(&url, &["upgrade", "head"]);
    assert_eq!(fingerprint(&owner).await, before);
}

/// One writer of the rebalancing test: projects of `tenants` (round robin) through builtenv's
/// own request transaction, until `stop`; the ids it wrote, per tenant, and its errors.
async fn write_until(
    pool: builtenv::db::Pool,
    tenants: Vec<uuid::Uuid>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> (BTreeMap<uuid::Uuid, Vec<uuid::Uuid>>, Vec<String>) {
    let (mut written, mut errors) = (BTreeMap::<_, Vec<_>>::new(), Vec::new());
    let mut n = 0usize;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let tenant = tenants[n % tenants.len()];
        n += 1;
        let result = async {
            let mut client = pool.get().await.map_err(|e| e.to_string())?;
            let tx = builtenv::db::tenant_transaction(&mut client, tenant)
                .await
                .map_err(|e| format!("{e:?}"))?;
            let id: uuid::Uuid = tx
                .query_one(
                    "INSERT INTO projects (tenant_id, name) VALUES ($1, 'load') RETURNING id",
                    &[&tenant],
                )
                .await
                .map_err(|e| format!("{e:?}"))?
                .get(0);
            tx.execute(
                "INSERT INTO audit_events (tenant_id, event_type, action, resource_id) \
                 VALUES ($1, 'user.action', 'project.create', $2::uuid::text)",
                &[&tenant, &id],
            )
            .await
            .map_err(|e| format!("{e:?}"))?;
            tx.commit().await.map_err(|e| format!("{e:?}"))?;
            Ok::<_, String>(id)
        }
        .await;
        match result {
            Ok(id) => written.entry(tenant).or_default().push(id),
            Err(e) => errors.push(e),
        }
    }
    (written, errors)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_move_under_tenant_writes_and_nothing_is_lost() {
    let Some(cluster) = cluster("shards_move_under_tenant_writes_and_nothing_is_lost") else {
        return;
    };
    let url = database(cluster, "rebalance").await;
    migrate_ok(&url, &["upgrade", "head"]);
    let owner = retort_test_support::connect(&url).await;
    let tenants: Vec<uuid::Uuid> = owner
        .query(
            "INSERT INTO tenants (name, slug, email) SELECT 'T' || g, 't' || g, 't@' || g \
             FROM generate_series(1, 8) g RETURNING id",
            &[],
        )
        .await
        .expect("tenants")
        .iter()
        .map(|r| r.get(0))
        .collect();
    owner
        .batch_execute(
            "INSERT INTO projects (tenant_id, name) SELECT id, 'seed ' || g FROM tenants, generate_series(1, 5) g",
        )
        .await
        .expect("seed");
    let seeded = fingerprint(&owner).await;

    // The shards of the colocation group on the first worker, and where they go.
    let nodes: Vec<(String, i32)> = owner
        .query(
            "SELECT nodename, nodeport FROM pg_dist_node ORDER BY groupid",
            &[],
        )
        .await
        .expect("nodes")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let (coordinator, from, to) = (&nodes[0], &nodes[1], &nodes[2]);
    let moving: Vec<i64> = owner
        .query(
            "SELECT shardid FROM citus_shards WHERE table_name = 'projects'::regclass \
             AND nodename = $1 AND nodeport = $2 ORDER BY shardid LIMIT 6",
            &[&from.0, &from.1],
        )
        .await
        .expect("shards")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(moving.len(), 6);

    let pool = builtenv::db::Pool::new(
        &url,
        builtenv::db::PoolSettings {
            size: 8,
            ..Default::default()
        },
    )
    .expect("pool");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|_| tokio::spawn(write_until(pool.clone(), tenants.clone(), stop.clone())))
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // A shard move connects back to the coordinator by its registered name (a socket directory).
    owner
        .batch_execute(&format!("SET citus.local_hostname = '{}'", coordinator.0))
        .await
        .expect("local hostname");
    for shard in &moving {
        owner
            .query_one(
                "SELECT citus_move_shard_placement($1, $2, $3, $4, $5, \
                 shard_transfer_mode => 'block_writes')",
                &[shard, &from.0, &from.1, &to.0, &to.1],
            )
            .await
            .unwrap_or_else(|e| panic!("moving shard {shard}: {e:?}"));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut written = BTreeMap::<uuid::Uuid, Vec<uuid::Uuid>>::new();
    for w in writers {
        let (ids, errors) = w.await.expect("writer");
        assert!(
            errors.is_empty(),
            "writes failed during the moves: {errors:#?}"
        );
        for (t, mut v) in ids {
            written.entry(t).or_default().append(&mut v);
        }
    }
    let total: usize = written.values().map(Vec::len).sum();
    assert!(total > 0, "the load wrote something");

    // The shards moved, with every colocated table's.
    let left: i64 = owner
        .query_one(
            "SELECT count(*) FROM citus_shards WHERE shardid = ANY($1) AND nodename = $2 \
             AND nodeport = $3",
            &[&moving, &to.0, &to.1],
        )
        .await
        .expect("placements")
        .get(0);
    assert_eq!(left, 6, "the moved shards are on the other worker");
    // Nothing lost: every seeded row as it was, every acknowledged write there once.
    let after = fingerprint(&owner).await;
    for (key, value) in &seeded {
        if key.starts_with("projects ") {
            continue;
        }
        assert_eq!(after.get(key), Some(value), "{key}");
    }
    for t in &tenants {
        let ids = written.get(t).cloned().unwrap_or_default();
        let row = owner
            .query_one(
                "SELECT count(*) FILTER (WHERE name = 'load'), \
                 count(*) FILTER (WHERE name = 'load' AND id = ANY($2)) \
                 FROM projects p WHERE tenant_id = $1",
                &[t, &ids],
            )
            .await
            .expect("tenant's projects");
        let (load, known): (i64, i64) = (row.get(0), row.get(1));
        assert_eq!(
            (load, known),
            (ids.len() as i64, ids.len() as i64),
            "tenant {t}"
        );
        let events: i64 = owner
            .query_one(
                "SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'project.create'",
                &[t],
            )
            .await
            .expect("events")
            .get(0);
        assert_eq!(events, ids.len() as i64, "tenant {t}: one event per write");
    }
    let seeded_projects: BTreeMap<_, _> = seeded
        .iter()
        .filter(|(k, _)| k.starts_with("projects "))
        .collect();
    let now_seeded = owner
        .query(
            "SELECT tenant_id::text, count(*), md5(string_agg(t::text, '|' ORDER BY id)) \
             FROM projects t WHERE name <> 'load' GROUP BY 1",
            &[],
        )
        .await
        .expect("seeded projects");
    assert_eq!(now_seeded.len(), seeded_projects.len());
    for r in now_seeded {
        let key = format!("projects {}", r.get::<_, String>(0));
        assert_eq!(
            seeded_projects.get(&key).copied(),
            Some(&(r.get::<_, i64>(1), r.get::<_, String>(2))),
            "{key}"
        );
    }
}
