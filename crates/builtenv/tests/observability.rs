//! Request ids, JSON logs, `/metrics`, `/readyz` and graceful shutdown, through the real
//! binary.

mod support;

use serde_json::{json, Value};
use support::{http, http_as, raw, sign_up, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_json_logs_metrics_and_a_clean_stop() {
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let mut server = Server::spawn_with(&db.url, &["serve"], &[("LOG_FORMAT", "json")]);
    server.wait_ready().await;
    let addr = server.addr().await;
    let a = sign_up(&addr, "alpha").await;
    let projects = format!("/tenants/{}/projects", a.tenant_id);
    for _ in 0..3 {
        assert_eq!(
            http_as(&addr, &a.token, "GET", &projects, None).await.0,
            200
        );
    }

    // A request id given is kept and returned; one is made when none is given.
    let auth = format!("Bearer {}", a.token);
    let r = raw(
        &addr,
        "GET",
        &projects,
        &[
            ("Authorization", &auth),
            ("x-request-id", "test-request-42"),
        ],
        None,
    )
    .await
    .expect("request");
    assert_eq!(
        r.header("x-request-id"),
        Some("test-request-42"),
        "{}",
        r.head
    );
    let r = raw(&addr, "GET", "/healthz", &[], None)
        .await
        .expect("request");
    let made = r.header("x-request-id").expect("a request id is made");
    assert_eq!(made.len(), 36, "a UUID: {made}");

    // /metrics: per route template (not per id), latency histogram, pool, migration state.
    let r = raw(&addr, "GET", "/metrics", &[], None)
        .await
        .expect("metrics");
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/plain; version=0.0.4")));
    let text = r.json.as_str().expect("text").to_string();
    for line in [
        "builtenv_http_requests_total{method=\"GET\",route=\"/tenants/{tenant_id}/projects\",status=\"200\"} 4",
        "builtenv_http_requests_total{method=\"POST\",route=\"/signup\",status=\"201\"} 1",
        "builtenv_http_request_duration_seconds_count{method=\"GET\",route=\"/tenants/{tenant_id}/projects\"} 4",
        "builtenv_http_request_duration_seconds_bucket{method=\"GET\",route=\"/tenants/{tenant_id}/projects\",le=\"+Inf\"} 4",
        "builtenv_db_pool_size 4",
        "builtenv_db_pool_in_use 0",
        "builtenv_db_pool_waiting 0",
        "builtenv_migration_at_head 1",
        "builtenv_migrating 0",
    ] {
        assert!(text.lines().any(|l| l == line), "no line {line:?} in\n{text}");
    }
    let (status, body) = http(&addr, "GET", "/readyz", None).await;
    assert_eq!((status, body), (200, json!({"status": "ready"})));

    // Once ready, the server says how to start.
    assert!(
        server
            .stderr()
            .contains(&format!("curl -s -X POST http://{addr}/signup")),
        "{}",
        server.stderr()
    );

    // SIGTERM: the server stops accepting, finishes, exits 0.
    server.terminate();
    assert_eq!(server.exit_code().await, Some(0), "{}", server.stderr());

    // Every log line of the requests is one JSON object, with the request's span.
    let logs = server.stderr();
    let events: Vec<Value> = logs
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let tagged = events
        .iter()
        .find(|e| e["span"]["request_id"] == "test-request-42")
        .unwrap_or_else(|| panic!("no event of request test-request-42 in\n{logs}"));
    assert_eq!(
        tagged["span"]["route"], "/tenants/{tenant_id}/projects",
        "{tagged}"
    );
    assert_eq!(tagged["span"]["method"], "GET", "{tagged}");
    assert_eq!(tagged["fields"]["status"], 200, "{tagged}");
    assert!(
        events.iter().all(|e| e["span"]["request_id"] != ""),
        "every request event has an id"
    );
    for secret in [&a.password, &a.token] {
        assert!(!logs.contains(secret.as_str()), "{secret} logged");
    }
}
