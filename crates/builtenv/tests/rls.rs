//! Row-level security: tenant A cannot read or change tenant B's rows, through the API and
//! through SQL as the service's role.

mod support;

use serde_json::json;
use support::{http, http_as, text, Server};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

struct Tenant {
    id: String,
    token: String,
    project: String,
}

/// Signs `slug` up, logs its admin in, and makes a project.
async fn create_tenant(addr: &str, slug: &str) -> Tenant {
    let signed = support::sign_up(addr, slug).await;
    let (status, project) = http_as(
        addr,
        &signed.token,
        "POST",
        &format!("/tenants/{}/projects", signed.tenant_id),
        Some(&json!({"name": format!("{slug} tower"), "building_use": "residential"})),
    )
    .await;
    assert_eq!(status, 201, "{project}");
    assert_eq!(project["status"], "draft");
    Tenant {
        id: signed.tenant_id,
        token: signed.token,
        project: text(&project, "/id").to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_api() {
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let mut server = Server::spawn(&db.url, &["serve"]);
    server.wait_ready().await;
    let addr = server.addr().await;
    let a = create_tenant(&addr, "alpha").await;
    let b = create_tenant(&addr, "bravo").await;
    let get = |token: &str, path: String| {
        let (addr, token) = (addr.clone(), token.to_string());
        async move { http_as(&addr, &token, "GET", &path, None).await }
    };

    // Reading: A's list holds A's project only; B's project and B itself are not found via A.
    let (status, list) = get(&a.token, format!("/tenants/{}/projects", a.id)).await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|p| text(p, "/id"))
        .collect();
    assert_eq!(ids, [a.project.as_str()]);
    let (status, _) = get(
        &a.token,
        format!("/tenants/{}/projects/{}", a.id, b.project),
    )
    .await;
    assert_eq!(status, 404);
    let (status, tenant) = get(&a.token, format!("/tenants/{}", a.id)).await;
    assert_eq!((status, text(&tenant, "/tenant/slug")), (200, "alpha"));
    // B's tenant through B's own path, with A's credential: not found, as if it did not exist.
    let (status, body) = get(
        &a.token,
        format!("/tenants/{}/projects/{}", b.id, b.project),
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (404, &json!("not_found")),
        "{body}"
    );

    // Changing: B's project through A's path is not found, and stays as it was.
    let (status, body) = http_as(
        &addr,
        &a.token,
        "PATCH",
        &format!("/tenants/{}/projects/{}", a.id, b.project),
        Some(&json!({"name": "taken over", "status": "archived"})),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let (status, doc) = http_as(
        &addr,
        &a.token,
        "POST",
        &format!("/tenants/{}/documents", a.id),
        Some(&json!({"project_id": b.project, "filename": "x.pdf", "file_path": "/x.pdf", "file_size": 1})),
    )
    .await;
    assert_eq!(status, 404, "{doc}");
    let owner = db.connect().await;
    let row = owner
        .query_one(
            "SELECT name, status::text FROM projects WHERE id = $1::text::uuid",
            &[&b.project],
        )
        .await
        .expect("B's project");
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, String>(1)),
        ("bravo tower".to_string(), "draft".to_string())
    );
    let docs: i64 = owner
        .query_one("SELECT count(*) FROM documents", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(docs, 0);

    // A's own changes work, and each write left an audit event of A's.
    let (status, changed) = http_as(
        &addr,
        &a.token,
        "PATCH",
        &format!("/tenants/{}/projects/{}", a.id, a.project),
        Some(&json!({"status": "in_review"})),
    )
    .await;
    assert_eq!((status, &changed["status"]), (200, &json!("in_review")));
    let (status, doc) = http_as(
        &addr,
        &a.token,
        "POST",
        &format!("/tenants/{}/documents", a.id),
        Some(&json!({
            "project_id": a.project, "filename": "Fire-Strategy.PDF", "file_path": "s3://a/fs.pdf",
            "file_size": 52_000, "document_type": "fire_safety",
            "extracted_text": "Protected escape stair to every storey",
            "content_hash": "AB".repeat(32)
        })),
    )
    .await;
    assert_eq!(status, 201, "{doc}");
    assert_eq!(doc["file_extension"], "pdf");
    assert_eq!(doc["content_hash"], json!("ab".repeat(32)));
    let (_, found) = get(
        &a.token,
        format!("/tenants/{}/documents?q=escape%20stair", a.id),
    )
    .await;
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    let (_, found) = get(&b.token, format!("/tenants/{}/documents?q=escape", b.id)).await;
    assert_eq!(found, json!([]));
    let (status, events) = get(&a.token, format!("/tenants/{}/audit-events", a.id)).await;
    assert_eq!(status, 200);
    let events = events.as_array().expect("array");
    let mut actions: Vec<&str> = events.iter().map(|e| text(e, "/action")).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "document.register",
            "login",
            "project.create",
            "project.update",
            "subscription.create",
            "tenant.create",
            "user.signup"
        ]
    );
    assert!(events
        .iter()
        .all(|e| e["tenant_id"] == json!(a.id) && e["ip_address"] == "127.0.0.1"));
    assert!(events.iter().all(|e| e["user_agent"] == "builtenv-tests"));
    assert!(events.iter().all(|e| e["actor_type"] == "user"));

    // Unknown tenants, bad input, duplicates.
    let (status, _) = get(
        &a.token,
        "/tenants/00000000-0000-4000-8000-000000000000/projects".into(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = http(
        &addr,
        "POST",
        "/signup",
        Some(&json!({
            "tenant": {"name": "Again", "slug": "alpha", "email": "x@y.test"},
            "admin": {"email": "new@y.test", "password": "long enough password"}
        })),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        (&body["code"], &body["field"], &body["error"]),
        (
            &json!("conflict"),
            &json!("slug"),
            &json!("slug is already taken")
        )
    );
    let (status, body) = http(
        &addr,
        "POST",
        "/signup",
        Some(&json!({
            "tenant": {"name": "Bad", "slug": "Not A Slug", "email": "x@y.test"},
            "admin": {"email": "new@y.test", "password": "long enough password"}
        })),
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (400, &json!("bad_request")),
        "{body}"
    );
    // Malformed requests get the same JSON error shape.
    let (status, body) = get(&a.token, "/tenants/not-a-uuid/projects".into()).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("UUID")),
        "{body}"
    );
    let (status, body) = http_as(
        &addr,
        &a.token,
        "POST",
        &format!("/tenants/{}/projects", a.id),
        Some(&json!({"name": "x", "status": "bogus"})),
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (422, &json!("unprocessable")),
        "{body}"
    );
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("unknown variant `bogus`")),
        "{body}"
    );
}

/// A transaction as the service runs one: as builtenv_app, with app.tenant_id set (or not).
async fn as_service(client: &Client, tenant: Option<&str>) {
    client
        .batch_execute("BEGIN; SET LOCAL ROLE builtenv_app")
        .await
        .expect("begin");
    if let Some(t) = tenant {
        client
            .execute("SELECT set_config('app.tenant_id', $1, true)", &[&t])
            .await
            .expect("set tenant");
    }
}

async fn count(client: &Client, sql: &str) -> i64 {
    client
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

/// Runs `sql` in a savepoint and returns its SQLSTATE (None if it succeeded).
async fn error_of(client: &Client, sql: &str) -> Option<SqlState> {
    client
        .batch_execute("SAVEPOINT s")
        .await
        .expect("savepoint");
    match client.batch_execute(sql).await {
        Ok(()) => {
            client.batch_execute("RELEASE s").await.expect("release");
            None
        }
        Err(e) => {
            client
                .batch_execute("ROLLBACK TO s")
                .await
                .expect("rollback to");
            e.code().cloned()
        }
    }
}

#[tokio::test]
async fn through_sql_as_the_service_role() {
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let owner = db.connect().await;
    // Two tenants with a user, project, document and event each, written as the owner (which
    // row-level security does not apply to).
    let ids: Vec<String> = owner
        .query(
            "INSERT INTO tenants (name, slug, email) VALUES ('A', 'a', 'a@a.test'), ('B', 'b', 'b@b.test') RETURNING id::text",
            &[],
        )
        .await
        .expect("tenants")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let (a, b) = (&ids[0], &ids[1]);
    for (t, n) in [(a, "a"), (b, "b")] {
        owner
            .batch_execute(&format!(
                "INSERT INTO users (id, tenant_id, email, hashed_password) VALUES ('{n}0000000-0000-4000-8000-000000000000', '{t}', '{n}@user.test', 'x');
                 INSERT INTO subscriptions (tenant_id) VALUES ('{t}');
                 INSERT INTO projects (id, tenant_id, name) VALUES ('{n}1111111-0000-4000-8000-000000000000', '{t}', 'p-{n}');
                 INSERT INTO documents (tenant_id, project_id, filename, original_filename, file_path, file_size)
                   VALUES ('{t}', '{n}1111111-0000-4000-8000-000000000000', 'd', 'd', '/d', 1);
                 INSERT INTO audit_events (tenant_id, user_id, event_type, action)
                   VALUES ('{t}', '{n}0000000-0000-4000-8000-000000000000', 'user.auth', 'login');
                 INSERT INTO api_tokens (tenant_id, kind, role, token_hash, expires_at)
                   VALUES ('{t}', 'api', 'member', 'hash-{n}', now() + interval '1 day');"
            ))
            .await
            .expect("rows");
    }
    let service = db.connect().await;
    let tables = [
        "tenants",
        "users",
        "subscriptions",
        "projects",
        "documents",
        "audit_events",
        "api_tokens",
    ];

    // Tenant A sees its one row in every table, and nothing of B's.
    as_service(&service, Some(a)).await;
    for table in tables {
        assert_eq!(
            count(&service, &format!("SELECT count(*) FROM {table}")).await,
            1,
            "{table}"
        );
    }
    let b_project = "b1111111-0000-4000-8000-000000000000";
    let changed = service
        .execute(
            &format!("UPDATE projects SET name = 'mine' WHERE id = '{b_project}'"),
            &[],
        )
        .await
        .expect("update");
    assert_eq!(changed, 0, "B's project is invisible to the UPDATE");
    let deleted = service
        .execute(
            &format!("DELETE FROM projects WHERE id = '{b_project}'"),
            &[],
        )
        .await
        .expect("delete");
    assert_eq!(deleted, 0);
    let deleted = service
        .execute(&format!("DELETE FROM tenants WHERE id = '{b}'"), &[])
        .await;
    assert!(
        deleted.is_err(),
        "the service may not delete tenants at all"
    );
    service.batch_execute("ROLLBACK").await.expect("rollback");

    as_service(&service, Some(a)).await;
    // Writing B's rows, or moving A's to B, breaks the policies' WITH CHECK.
    for sql in [
        format!("INSERT INTO projects (tenant_id, name) VALUES ('{b}', 'planted')"),
        format!("UPDATE projects SET tenant_id = '{b}'"),
        format!("INSERT INTO audit_events (tenant_id, event_type, action) VALUES ('{b}', 'system', 'x')"),
        format!("INSERT INTO tenants (id, name, slug, email) VALUES ('{b}', 'x', 'x', 'x')"),
    ] {
        assert_eq!(
            error_of(&service, &sql).await,
            Some(SqlState::INSUFFICIENT_PRIVILEGE),
            "{sql}"
        );
    }
    // A document of A's cannot point at B's project: the foreign key includes tenant_id (foreign
    // key checks do not go through row-level security, so a plain project_id key would allow it).
    assert_eq!(
        error_of(
            &service,
            &format!(
                "INSERT INTO documents (tenant_id, project_id, filename, original_filename, file_path, file_size)
                 VALUES ('{a}', '{b_project}', 'd', 'd', '/d', 1)"
            )
        )
        .await,
        Some(SqlState::FOREIGN_KEY_VIOLATION)
    );
    // The audit trail is append-only for the service; credentials are revoked, not deleted.
    for sql in [
        "UPDATE audit_events SET action = 'forged'",
        "DELETE FROM audit_events",
        "DELETE FROM api_tokens",
        // Rate limits are not a tenant's data: the service role has no access at all.
        "SELECT count(*) FROM rate_limits",
        "INSERT INTO rate_limits (key, hits) VALUES ('account:x', 1)",
    ] {
        assert_eq!(
            error_of(&service, sql).await,
            Some(SqlState::INSUFFICIENT_PRIVILEGE),
            "{sql}"
        );
    }
    service.batch_execute("ROLLBACK").await.expect("rollback");

    // Without app.tenant_id, the service sees nothing and can write nothing.
    as_service(&service, None).await;
    for table in tables {
        assert_eq!(
            count(&service, &format!("SELECT count(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        error_of(
            &service,
            &format!("INSERT INTO projects (tenant_id, name) VALUES ('{a}', 'x')")
        )
        .await,
        Some(SqlState::INSUFFICIENT_PRIVILEGE)
    );
    service.batch_execute("ROLLBACK").await.expect("rollback");
    // The same session, after a transaction that set app.tenant_id: the setting is '' again.
    as_service(&service, Some(a)).await;
    service.batch_execute("COMMIT").await.expect("commit");
    as_service(&service, None).await;
    assert_eq!(count(&service, "SELECT count(*) FROM projects").await, 0);
    service.batch_execute("ROLLBACK").await.expect("rollback");

    // Everything is still there for the owner.
    for table in tables {
        assert_eq!(
            count(&owner, &format!("SELECT count(*) FROM {table}")).await,
            2,
            "{table}"
        );
    }
    let names: Vec<String> = owner
        .query("SELECT name FROM projects ORDER BY name", &[])
        .await
        .expect("names")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["p-a", "p-b"]);
}
