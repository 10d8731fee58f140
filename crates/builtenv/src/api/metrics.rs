//! `/metrics` in Prometheus' text format (version 0.0.4): requests counted per method, route
//! (the route's template, e.g. `/tenants/{tenant_id}/projects`, so that ids do not make new
//! series) and status; their latency as a histogram per method and route; the pool's
//! connections (size, in use, idle, waiting); the migration state (at head, migrating).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Observations at or under each bound of [`BUCKETS`] (not cumulative; summed when shown).
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// Counts kept by the [`track`] middleware.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Series>,
}

#[derive(Debug, Default)]
struct Series {
    /// (method, route, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (method, route) → latency.
    latency: BTreeMap<(String, String), Histogram>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *s.requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let h = s
            .latency
            .entry((method.to_string(), route.to_string()))
            .or_default();
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            h.buckets[i] += 1;
        }
        h.sum += seconds;
        h.count += 1;
    }

    fn render(&self, out: &mut String) {
        let s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP builtenv_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE builtenv_http_requests_total counter\n");
        for ((method, route, status), n) in &s.requests {
            let _ = writeln!(
                out,
                "builtenv_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP builtenv_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE builtenv_http_request_duration_seconds histogram\n");
        for ((method, route), h) in &s.latency {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "builtenv_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "builtenv_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n\
                 builtenv_http_request_duration_seconds_sum{{{labels}}} {}\n\
                 builtenv_http_request_duration_seconds_count{{{labels}}} {}",
                h.count, h.sum, h.count
            );
        }
    }
}

/// Middleware (added with `Router::layer`, so that the matched route is known): times and
/// counts every request.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    state
        .metrics()
        .observe(&method, &route, response.status().as_u16(), seconds);
    response
}

fn gauge(out: &mut String, name: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
    );
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    state.metrics().render(&mut out);
    let pool = state.pool().status();
    gauge(
        &mut out,
        "builtenv_db_pool_size",
        "Connections the pool may hold.",
        pool.size,
    );
    gauge(
        &mut out,
        "builtenv_db_pool_in_use",
        "Connections lent to requests.",
        pool.in_use,
    );
    gauge(
        &mut out,
        "builtenv_db_pool_idle",
        "Open connections not in use.",
        pool.idle,
    );
    gauge(
        &mut out,
        "builtenv_db_pool_waiting",
        "Requests waiting for a connection.",
        pool.waiting,
    );
    let (ready, migrating) = state.migration_state();
    gauge(
        &mut out,
        "builtenv_migration_at_head",
        "1 once the database was seen at the migrations' head.",
        u8::from(ready),
    );
    gauge(
        &mut out,
        "builtenv_migrating",
        "1 while this instance upgrades the database.",
        u8::from(migrating),
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
