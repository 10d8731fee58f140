//! Load and isolation: `LOAD_TENANTS` tenants (default 10), `LOAD_CLIENTS` concurrent clients
//! (default 50, spread over the tenants), each on its own keep-alive connection with its
//! tenant's API token, reading for `LOAD_SECONDS` (default 10) against the `builtenv` binary of
//! this build (`cargo bench` builds it in release) on a throwaway database. Every response is
//! checked: status 200 and every row's `tenant_id` the caller's. One request in ten is a probe
//! of another tenant's path with the caller's token, which must be 404. Prints throughput,
//! latency percentiles of the reads, errors and cross-tenant rows as a markdown table, and
//! exits 1 if any response was wrong.
//!
//! `LOAD_RATE=N` paces each client at N requests per second (an open loop, each read timed from
//! when it was due); unset or 0, each client sends its next request as soon as the last one is
//! answered (a closed loop: latency is then the clients' number over the throughput).
//!
//! `cargo bench -p builtenv --bench load`

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{http_as, sign_up, text, Server};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A tenant of the run: its id, an API token, its projects.
#[derive(Clone)]
struct Tenant {
    id: String,
    token: String,
    projects: Vec<String>,
}

async fn set_up(addr: &str, n: usize) -> Vec<Tenant> {
    let mut tenants = Vec::new();
    for i in 0..n {
        let a = sign_up(addr, &format!("tenant-{i}")).await;
        let t = &a.tenant_id;
        let (_, body) = http_as(
            addr,
            &a.token,
            "POST",
            &format!("/tenants/{t}/api-tokens"),
            Some(&json!({"name": "load", "role": "member"})),
        )
        .await;
        let token = text(&body, "/token").to_string();
        let mut projects = Vec::new();
        for p in 0..5 {
            let (status, project) = http_as(
                addr,
                &token,
                "POST",
                &format!("/tenants/{t}/projects"),
                Some(&json!({"name": format!("tenant {i} project {p}")})),
            )
            .await;
            assert_eq!(status, 201, "{project}");
            let id = text(&project, "/id").to_string();
            let (status, doc) = http_as(
                addr,
                &token,
                "POST",
                &format!("/tenants/{t}/documents"),
                Some(&json!({"project_id": id, "filename": "plan.pdf", "file_path": "/p", "file_size": 1})),
            )
            .await;
            assert_eq!(status, 201, "{doc}");
            projects.push(id);
        }
        tenants.push(Tenant {
            id: t.clone(),
            token,
            projects,
        });
    }
    tenants
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    stream: BufReader<TcpStream>,
    addr: String,
}

impl Conn {
    async fn open(addr: &str) -> Self {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Self {
            stream: BufReader::new(stream),
            addr: addr.to_string(),
        }
    }

    async fn get(&mut self, path: &str, token: &str) -> std::io::Result<(u16, Vec<u8>)> {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\r\n",
            self.addr
        );
        self.stream.get_mut().write_all(request.as_bytes()).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((name, value)) = l.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await?;
        Ok((status, body))
    }
}

#[derive(Default)]
struct Tally {
    reads: Vec<Duration>,
    errors: u64,
    cross_tenant_rows: u64,
    probes: u64,
    probes_leaked: u64,
}

/// Rows of a list or a single row, each with its `tenant_id`.
fn foreign_rows(body: &[u8], tenant: &str) -> Result<u64, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let rows = match &value {
        Value::Array(rows) => rows.iter().collect::<Vec<_>>(),
        one => vec![one],
    };
    Ok(rows.iter().filter(|r| r["tenant_id"] != tenant).count() as u64)
}

/// One client's run: `pace` is the time between its requests (`None`: each request as soon as
/// the last one answered).
struct Run {
    until: Instant,
    pace: Option<Duration>,
}

async fn client(addr: String, me: Tenant, other: Tenant, run: Run, n: usize) -> Tally {
    let mut conn = Conn::open(&addr).await;
    let mut tally = Tally::default();
    let mut i = n;
    // Requests at a fixed rate are timed from when they were due, not from when they were
    // sent, so a slow answer that delays the next request counts against that one too (no
    // coordinated omission). Clients start spread over one period.
    let mut due = Instant::now()
        + run
            .pace
            .map_or(Duration::ZERO, |p| p * (n as u32 % 10) / 10);
    while Instant::now() < run.until {
        if let Some(pace) = run.pace {
            tokio::time::sleep_until(due.into()).await;
            due += pace;
        }
        i += 1;
        if i % 10 == 0 {
            // Another tenant's project through its own path, with my token: 404.
            let path = format!("/tenants/{}/projects/{}", other.id, other.projects[0]);
            tally.probes += 1;
            match conn.get(&path, &me.token).await {
                Ok((404, _)) => {}
                _ => tally.probes_leaked += 1,
            }
            continue;
        }
        let path = match i % 3 {
            0 => format!("/tenants/{}/projects", me.id),
            1 => format!("/tenants/{}/documents", me.id),
            _ => format!(
                "/tenants/{}/projects/{}",
                me.id,
                me.projects[i % me.projects.len()]
            ),
        };
        let started = match run.pace {
            Some(pace) => (due - pace).min(Instant::now()),
            None => Instant::now(),
        };
        let reply = conn.get(&path, &me.token).await;
        tally.reads.push(started.elapsed());
        match reply {
            Ok((200, body)) => match foreign_rows(&body, &me.id) {
                Ok(n) => tally.cross_tenant_rows += n,
                Err(_) => tally.errors += 1,
            },
            Ok(_) => tally.errors += 1,
            Err(_) => {
                tally.errors += 1;
                conn = Conn::open(&addr).await;
            }
        }
    }
    tally
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let tenants_n = setting("LOAD_TENANTS", 10) as usize;
    let clients = setting("LOAD_CLIENTS", 50) as usize;
    let seconds = setting("LOAD_SECONDS", 10);
    // Requests per second per client; 0: closed loop (each client as fast as it is answered).
    let rate = setting("LOAD_RATE", 0);
    let pace = (rate > 0).then(|| Duration::from_secs_f64(1.0 / rate as f64));
    let pool = setting("POOL_SIZE", 10).to_string();
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let mut server = Server::spawn_with(
        &db.url,
        &["serve"],
        &[
            ("POOL_SIZE", pool.as_str()),
            ("RUST_LOG", "warn"),
            // LOAD_TENANTS sign-ups from one address.
            ("SIGNUP_LIMIT_PER_HOUR", "0"),
        ],
    );
    server.wait_ready().await;
    let addr = server.addr().await;
    let tenants = set_up(&addr, tenants_n).await;
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let me = tenants[c % tenants.len()].clone();
            let other = tenants[(c + 1) % tenants.len()].clone();
            let run = Run { until, pace };
            tokio::spawn(client(addr.clone(), me, other, run, c))
        })
        .collect();
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await.expect("client");
        all.reads.extend(t.reads);
        all.errors += t.errors;
        all.cross_tenant_rows += t.cross_tenant_rows;
        all.probes += t.probes;
        all.probes_leaked += t.probes_leaked;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.reads.sort_unstable();
    let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
    println!("| tenants | clients | rate per client | seconds | pool | reads | reads/s | p50 ms | p90 ms | p99 ms | max ms | errors | cross-tenant rows | probes 404 |");
    println!(
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    let rate = if rate > 0 {
        format!("{rate}/s")
    } else {
        "closed loop".to_string()
    };
    println!(
        "| {tenants_n} | {clients} | {rate} | {seconds} | {pool} | {} | {:.0} | {} | {} | {} | {} | {} | {} | {}/{} |",
        all.reads.len(),
        all.reads.len() as f64 / elapsed,
        ms(percentile(&all.reads, 50.0)),
        ms(percentile(&all.reads, 90.0)),
        ms(percentile(&all.reads, 99.0)),
        ms(all.reads.last().copied().unwrap_or_default()),
        all.errors,
        all.cross_tenant_rows,
        all.probes - all.probes_leaked,
        all.probes,
    );
    if all.errors + all.cross_tenant_rows + all.probes_leaked > 0 {
        eprintln!("{}", server.stderr());
        std::process::exit(1);
    }
}
