//! Authentication through the real HTTP stack on a real database: every operation of the
//! OpenAPI document (`/openapi.json`) that needs a credential refuses a missing, revoked or
//! expired one (401), another tenant's (404) and a member where its security requirement does
//! not list `member` (403); login, logout, API tokens, roles, rate limiting, audit
//! events; and no password or token in the server's logs.

mod support;

use serde_json::{json, Value};
use support::{http, http_as, login, raw, sign_up, text, Server};

/// An operation of the OpenAPI document: method, path template, the roles its security
/// requirement lists (`None`: no credential needed).
struct Operation {
    method: String,
    path: String,
    roles: Option<Vec<String>>,
}

/// Every operation of `/openapi.json`.
async fn operations(addr: &str) -> Vec<Operation> {
    let (status, doc) = http(addr, "GET", "/openapi.json", None).await;
    assert_eq!(status, 200, "{doc}");
    assert!(
        text(&doc, "/openapi").starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let roles = op["security"].as_array().map(|reqs| {
                reqs[0]["bearer"]
                    .as_array()
                    .expect("bearer roles")
                    .iter()
                    .map(|r| r.as_str().expect("role").to_string())
                    .collect()
            });
            ops.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                roles,
            });
        }
    }
    // The schemas never show a secret's stored form.
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["User"]["properties"]
        .get("hashed_password")
        .is_none());
    assert!(schemas["ApiToken"]["properties"]
        .get("token_hash")
        .is_none());
    assert!(
        schemas["User"]["properties"].get("email").is_some(),
        "{}",
        schemas["User"]
    );
    ops
}

/// The status of `op` on tenant `t` (project `p`, token `k`) with `token` (or none); a body of
/// `{}` where it takes one (every refusal comes before the body is read).
async fn call(
    addr: &str,
    op: &Operation,
    ids: (&str, &str, &str),
    token: Option<&str>,
) -> (u16, Value) {
    let path = op
        .path
        .replace("{tenant_id}", ids.0)
        .replace("{project_id}", ids.1)
        .replace("{token_id}", ids.2);
    let body = matches!(op.method.as_str(), "POST" | "PATCH").then_some("{}");
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
    let r = raw(addr, &op.method, &path, &headers, body)
        .await
        .expect("request");
    (r.status, r.json)
}

/// An admin API token of `tenant`, made by `admin_token`: (id, secret).
async fn api_token(addr: &str, admin_token: &str, tenant: &str, role: &str) -> (String, String) {
    let (status, body) = http_as(
        addr,
        admin_token,
        "POST",
        &format!("/tenants/{tenant}/api-tokens"),
        Some(&json!({"name": format!("{role} machine"), "role": role, "expires_in_days": 30})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (
        text(&body, "/id").to_string(),
        text(&body, "/token").to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_of_the_openapi_document_refuses_the_wrong_credential() {
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let mut server = Server::spawn(&db.url, &["serve"]);
    server.wait_ready().await;
    let addr = server.addr().await;
    let a = sign_up(&addr, "alpha").await;
    let b = sign_up(&addr, "bravo").await;
    let (status, project) = http_as(
        &addr,
        &a.token,
        "POST",
        &format!("/tenants/{}/projects", a.tenant_id),
        Some(&json!({"name": "tower"})),
    )
    .await;
    assert_eq!(status, 201, "{project}");
    let project = text(&project, "/id").to_string();
    let (kept, _) = api_token(&addr, &a.token, &a.tenant_id, "admin").await;
    // A member of A's, logged in.
    let (status, body) = http_as(
        &addr,
        &a.token,
        "POST",
        &format!("/tenants/{}/users", a.tenant_id),
        Some(&json!({"email": "member@alpha.test", "password": "member password 1"})),
    )
    .await;
    assert_eq!((status, &body["role"]), (201, &json!("member")), "{body}");
    let member = login(&addr, "member@alpha.test", "member password 1").await;
    // A revoked admin token, and an expired one (written as the owner: nothing makes one).
    let (revoked_id, revoked) = api_token(&addr, &a.token, &a.tenant_id, "admin").await;
    let (status, _) = http_as(
        &addr,
        &a.token,
        "DELETE",
        &format!("/tenants/{}/api-tokens/{revoked_id}", a.tenant_id),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let expired = "bte_expired-token-of-the-test";
    db.connect()
        .await
        .execute(
            "INSERT INTO api_tokens (tenant_id, kind, role, token_hash, expires_at) \
             VALUES ($1::text::uuid, 'api', 'admin', $2, now() - interval '1 minute')",
            &[&a.tenant_id, &builtenv::api::auth::token::hash(expired)],
        )
        .await
        .expect("expired token");

    let ids = (a.tenant_id.as_str(), project.as_str(), kept.as_str());
    let ops = operations(&addr).await;
    assert_eq!(ops.len(), 17, "the operations of the router (api/mod.rs)");
    let mut checked = 0;
    for op in &ops {
        let name = format!("{} {}", op.method, op.path);
        let Some(roles) = &op.roles else {
            assert!(
                ["/signup", "/login"].contains(&op.path.as_str()),
                "{name} is documented as needing no credential"
            );
            continue;
        };
        for (who, token) in [
            ("no credential", None),
            ("a revoked token", Some(revoked.as_str())),
            ("an expired token", Some(expired)),
            ("garbage", Some("bte_0000")),
        ] {
            let (status, body) = call(&addr, op, ids, token).await;
            assert_eq!(
                (status, &body["code"]),
                (401, &json!("unauthorized")),
                "{name} with {who}: {body}"
            );
        }
        if op.path.contains("{tenant_id}") {
            let (status, body) = call(&addr, op, ids, Some(&b.token)).await;
            assert_eq!(
                (status, &body["error"]),
                (404, &json!("tenant not found")),
                "{name} with another tenant's credential: {body}"
            );
        }
        if !roles.iter().any(|r| r == "member") {
            let (status, body) = call(&addr, op, ids, Some(&member)).await;
            assert_eq!(
                (status, &body["code"]),
                (403, &json!("forbidden")),
                "{name} as a member: {body}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 6, "the admin-only operations");
    // None of those got through: A has its one project, two users, its tokens unrevoked but one.
    let owner = db.connect().await;
    let count = |sql: &'static str| {
        let owner = &owner;
        async move { owner.query_one(sql, &[]).await.expect(sql).get::<_, i64>(0) }
    };
    assert_eq!(count("SELECT count(*) FROM projects").await, 1);
    assert_eq!(count("SELECT count(*) FROM documents").await, 0);
    assert_eq!(count("SELECT count(*) FROM users").await, 3);
    assert_eq!(
        count("SELECT count(*) FROM api_tokens WHERE kind = 'api' AND revoked_at IS NULL").await,
        2,
        "the kept one and the expired one"
    );
    let (status, me) = http_as(&addr, &a.token, "GET", "/me", None).await;
    assert_eq!((status, &me["role"]), (200, &json!("admin")), "{me}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_logout_tokens_roles_limits_and_no_secret_in_the_logs() {
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let mut server = Server::spawn(&db.url, &["serve"]);
    server.wait_ready().await;
    let addr = server.addr().await;
    let a = sign_up(&addr, "alpha").await;
    let t = a.tenant_id.clone();
    let mut secrets = vec![a.password.clone(), a.token.clone()];

    // `me` of a session.
    let (status, me) = http_as(&addr, &a.token, "GET", "/me", None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        (
            &me["role"],
            &me["user"]["email"],
            &me["credential"]["kind"],
            &me["tenant"]["slug"]
        ),
        (
            &json!("admin"),
            &json!(a.email),
            &json!("session"),
            &json!("alpha")
        )
    );
    // A member API token: shown once, listed without secret, acts as a member.
    let (token_id, machine) = api_token(&addr, &a.token, &t, "member").await;
    secrets.push(machine.clone());
    // It names its tenant (bte_<tenant>_<secret>), so it is looked up within it.
    assert!(
        machine.starts_with(&format!("bte_{}_", a.tenant_id.replace('-', "")))
            && machine.len() == 4 + 32 + 1 + 64,
        "{machine}"
    );
    let (status, list) = http_as(
        &addr,
        &a.token,
        "GET",
        &format!("/tenants/{t}/api-tokens"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["id"], json!(token_id), "{list}");
    assert!(
        list[0].get("token").is_none() && list[0].get("token_hash").is_none(),
        "{list}"
    );
    let (status, me) = http_as(&addr, &machine, "GET", "/me", None).await;
    assert_eq!(
        (status, &me["role"], &me["user"]),
        (200, &json!("member"), &Value::Null)
    );
    let (status, project) = http_as(
        &addr,
        &machine,
        "POST",
        &format!("/tenants/{t}/projects"),
        Some(&json!({"name": "tower"})),
    )
    .await;
    assert_eq!(status, 201, "{project}");
    let project = text(&project, "/id").to_string();
    let (status, _) = http_as(
        &addr,
        &machine,
        "GET",
        &format!("/tenants/{t}/audit-events"),
        None,
    )
    .await;
    assert_eq!(status, 403);

    // Validating a project is an engineer's: not a member's, not an admin's.
    let (status, body) = http_as(&addr, &a.token, "POST", &format!("/tenants/{t}/users"),
        Some(&json!({"email": "Eng@Alpha.test", "password": "engineer password", "role": "engineer"}))).await;
    assert_eq!(
        (status, &body["email"], &body["is_engineer"]),
        (201, &json!("eng@alpha.test"), &json!(true)),
        "{body}"
    );
    let engineer = login(&addr, "ENG@alpha.test", "engineer password").await;
    secrets.extend(["engineer password".to_string(), engineer.clone()]);
    let validate = json!({"status": "validated"});
    let path = format!("/tenants/{t}/projects/{project}");
    for token in [&machine, &a.token] {
        let (status, body) = http_as(&addr, token, "PATCH", &path, Some(&validate)).await;
        assert_eq!(
            (status, &body["code"]),
            (403, &json!("forbidden")),
            "{body}"
        );
    }
    let (status, body) = http_as(&addr, &engineer, "PATCH", &path, Some(&validate)).await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("validated")),
        "{body}"
    );
    let (status, _) = http_as(
        &addr,
        &engineer,
        "PATCH",
        &path,
        Some(&json!({"name": "mine"})),
    )
    .await;
    assert_eq!(status, 403, "an engineer does not rename projects");

    // Logout revokes the session.
    let (status, _) = http_as(&addr, &engineer, "POST", "/logout", None).await;
    assert_eq!(status, 204);
    let (status, _) = http_as(&addr, &engineer, "GET", "/me", None).await;
    assert_eq!(status, 401);

    // Login: a wrong password is 401; five failures lock the account, even with the right one.
    let attempt = |email: String, password: &'static str| {
        let addr = addr.clone();
        async move {
            let body = json!({"email": email, "password": password}).to_string();
            raw(&addr, "POST", "/login", &[], Some(&body))
                .await
                .expect("login")
        }
    };
    for _ in 0..5 {
        let r = attempt(a.email.clone(), "wrong password!").await;
        assert_eq!(
            (r.status, &r.json["error"]),
            (401, &json!("wrong e-mail or password")),
            "{}",
            r.json
        );
    }
    let r = attempt(a.email.clone(), "alpha-correct-horse-battery").await;
    assert_too_many(&r, 900);
    // Per address: 20 failures from 127.0.0.1 in all (5 above), whatever the account.
    for n in 0..15 {
        let r = attempt(format!("nobody{n}@x.test"), "wrong password!").await;
        assert_eq!(r.status, 401, "attempt {n}: {}", r.json);
    }
    let r = attempt("someone-else@x.test".into(), "wrong password!").await;
    assert_eq!(r.status, 429, "{}", r.json);

    // Every auth event is an audit event of the tenant, failures included.
    let owner = db.connect().await;
    let rows = owner
        .query(
            "SELECT action, status, count(*) FROM audit_events WHERE event_type = 'user.auth' \
             GROUP BY 1, 2 ORDER BY 1, 2",
            &[],
        )
        .await
        .expect("events");
    let events: Vec<(String, String, i64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let e = |a: &str, s: &str, n| (a.to_string(), s.to_string(), n);
    assert_eq!(
        events,
        [
            e("login", "success", 2),
            e("login.failed", "failure", 5),
            e("logout", "success", 1),
            e("token.create", "success", 1),
            e("user.create", "success", 1),
            e("user.signup", "success", 1),
        ]
    );

    // Errors: duplicate e-mail, body too large, unknown route; all in the one JSON shape.
    let (status, body) = http(
        &addr,
        "POST",
        "/signup",
        Some(&json!({
        "tenant": {"name": "B", "slug": "bravo", "email": "b@b.test"},
        "admin": {"email": a.email, "password": "another password"}})),
    )
    .await;
    assert_eq!((status, &body["field"]), (409, &json!("email")), "{body}");
    let big = json!({"name": "x".repeat(2 * 1024 * 1024)});
    let (status, body) = http_as(
        &addr,
        &a.token,
        "POST",
        &format!("/tenants/{t}/projects"),
        Some(&big),
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (413, &json!("payload_too_large")),
        "{body}"
    );
    let (status, body) = http(&addr, "GET", "/nowhere", None).await;
    assert_eq!(
        (status, &body["code"]),
        (404, &json!("not_found")),
        "{body}"
    );

    // No password or token anywhere in what the server logged, nor in the audit trail.
    let logs = server.stderr();
    let trail: String = owner
        .query_one("SELECT string_agg(e::text, ' ') FROM audit_events e", &[])
        .await
        .expect("trail")
        .get(0);
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "{secret} in the logs:\n{logs}"
        );
        assert!(
            !trail.contains(secret.as_str()),
            "{secret} in the audit trail"
        );
    }
}

/// `r` is a 429 whose Retry-After is 1 to `window` seconds.
fn assert_too_many(r: &support::Response, window: u64) {
    assert_eq!(
        (r.status, &r.json["code"]),
        (429, &json!("too_many_requests")),
        "{}",
        r.json
    );
    let wait: u64 = r
        .header("retry-after")
        .and_then(|s| s.parse().ok())
        .expect("Retry-After");
    assert!((1..=window).contains(&wait), "{wait}");
}

/// One wrong-password login at `addr`: the status.
async fn wrong_login(addr: &str, email: &str) -> u16 {
    let body = json!({"email": email, "password": "wrong password!"}).to_string();
    let r = raw(addr, "POST", "/login", &[], Some(&body))
        .await
        .expect("login");
    assert!(matches!(r.status, 401 | 429), "{}", r.json);
    r.status
}

/// The login limits hold across instances: two `builtenv serve` on one database, a brute force
/// alternating between them, gets 429 at the same total count as one instance (5 per account,
/// 20 per address, counted in `rate_limits`), and so does a burst of concurrent attempts; a
/// success on one clears the account for both;
/// each failure of a known account is still an audit event; ended windows are swept; sign-ups
/// per address are limited across both too; no password or token in either instance's logs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_shared_by_two_instances() {
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let env = [("SIGNUP_LIMIT_PER_HOUR", "3")];
    let mut servers = [
        Server::spawn_with(&db.url, &["serve"], &env),
        Server::spawn_with(&db.url, &["serve"], &env),
    ];
    let mut addrs = Vec::new();
    for server in &mut servers {
        server.wait_ready().await;
        addrs.push(server.addr().await);
    }
    let a = sign_up(&addrs[0], "alpha").await;
    let owner = db.connect().await;

    // Sign-ups: 3 per address per hour over both instances (alpha was the first).
    sign_up(&addrs[1], "bravo").await;
    sign_up(&addrs[0], "charlie").await;
    let delta = json!({"tenant": {"name": "D", "slug": "delta", "email": "d@d.test"},
        "admin": {"email": "admin@delta.test", "password": "delta-correct-horse"}})
    .to_string();
    for addr in &addrs {
        let r = raw(addr, "POST", "/signup", &[], Some(&delta))
            .await
            .expect("signup");
        assert_too_many(&r, 3600);
    }
    let tenants: i64 = owner
        .query_one("SELECT count(*) FROM tenants", &[])
        .await
        .expect("tenants")
        .get(0);
    assert_eq!(tenants, 3, "no tenant for a refused sign-up");

    // A window that ended an hour ago (the longest is an hour): swept by the next failure.
    owner
        .batch_execute(
            "INSERT INTO rate_limits (key, window_start, hits) \
             VALUES ('account:old@x.test', now() - interval '2 hours', 3)",
        )
        .await
        .expect("old window");

    // Two failures on one instance, a success on the other: the account starts afresh.
    assert_eq!(wrong_login(&addrs[0], &a.email).await, 401);
    assert_eq!(wrong_login(&addrs[1], &a.email).await, 401);
    let token = login(&addrs[1], &a.email, &a.password).await;
    let count = |key: String| {
        let owner = &owner;
        async move {
            owner
                .query_opt("SELECT hits FROM rate_limits WHERE key = $1", &[&key])
                .await
                .expect("count")
                .map(|r| r.get::<_, i64>(0))
        }
    };
    assert_eq!(count(format!("account:{}", a.email)).await, None);
    assert_eq!(count("account:old@x.test".into()).await, None, "swept");

    // Alternating: 5 failures in all, then 429 on both, however they were spread.
    for n in 0..5 {
        assert_eq!(
            wrong_login(&addrs[n % 2], &a.email).await,
            401,
            "attempt {n}"
        );
    }
    assert_eq!(wrong_login(&addrs[1], &a.email).await, 429);
    assert_eq!(wrong_login(&addrs[0], &a.email).await, 429);
    assert_eq!(count(format!("account:{}", a.email)).await, Some(5));

    // Twelve attempts at once, over both instances: still five tries (each attempt is counted
    // before its password is checked), the rest 429.
    let burst: Vec<_> = (0..12)
        .map(|n| {
            let addr = addrs[n % 2].clone();
            tokio::spawn(async move { wrong_login(&addr, "admin@bravo.test").await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in burst {
        statuses.push(task.await.expect("attempt"));
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [[401; 5].as_slice(), &[429; 7]].concat());

    // Per address: 20 failures from 127.0.0.1 in all (12 so far), whatever the account.
    for n in 0..8 {
        let other = format!("nobody{n}@x.test");
        assert_eq!(wrong_login(&addrs[n % 2], &other).await, 401, "attempt {n}");
    }
    assert_eq!(wrong_login(&addrs[1], "someone@x.test").await, 429);
    assert_eq!(wrong_login(&addrs[0], "someone@x.test").await, 429);
    assert_eq!(count("address:127.0.0.1".into()).await, Some(20));

    // Each failure of the known account is an audit event, whichever instance saw it.
    let failed: i64 = owner
        .query_one(
            "SELECT count(*) FROM audit_events WHERE action = 'login.failed' AND status = 'failure'",
            &[],
        )
        .await
        .expect("events")
        .get(0);
    assert_eq!(failed, 12);

    let secrets = [
        a.password.as_str(),
        a.token.as_str(),
        token.as_str(),
        "delta-correct-horse",
    ];
    for server in &servers {
        let logs = server.stderr();
        assert!(logs.contains("login failed: wrong password"), "{logs}");
        for secret in secrets {
            assert!(!logs.contains(secret), "{secret} in the logs");
        }
    }
}
