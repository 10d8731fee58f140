//! Shared helpers of builtenv's tests: the `builtenv` binary as a server process, a minimal
//! HTTP/1.1 client, migrating a database in-process.
#![allow(dead_code)]

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use retort::runner::{Migrator, Quiet, RunOptions};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

/// The `builtenv` binary of this build.
pub const BIN: &str = env!("CARGO_BIN_EXE_builtenv");

/// How long a server may take to print its address or become ready.
pub const STARTUP: Duration = Duration::from_secs(90);

/// A `builtenv` process, killed when dropped.
pub struct Server {
    child: Child,
    addr: Option<String>,
    stdout: Option<tokio::io::Lines<BufReader<tokio::process::ChildStdout>>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `builtenv ARGS` with DATABASE_URL=url and BIND=127.0.0.1:0 (a free port), without
    /// waiting for anything.
    pub fn spawn(url: &str, args: &[&str]) -> Self {
        Self::spawn_with(url, args, &[])
    }

    /// [`Server::spawn`] with more environment variables.
    pub fn spawn_with(url: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(BIN)
            .args(args)
            .env("DATABASE_URL", url)
            .env("BIND", "127.0.0.1:0")
            .env("POOL_SIZE", "4")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start builtenv");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let pipe = child.stderr.take().expect("stderr piped");
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
        let stdout = child.stdout.take().map(|o| BufReader::new(o).lines());
        Self {
            child,
            addr: None,
            stdout,
            stderr,
        }
    }

    /// `host:port` from the `builtenv: listening on http://ADDR` line.
    pub async fn addr(&mut self) -> String {
        if let Some(a) = &self.addr {
            return a.clone();
        }
        let lines = self.stdout.as_mut().expect("stdout piped");
        let line = tokio::time::timeout(STARTUP, lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("no address within {STARTUP:?}; stderr:\n{}", self.stderr()))
            .expect("read stdout")
            .unwrap_or_else(|| panic!("builtenv exited; stderr:\n{}", self.stderr()));
        let addr = line
            .strip_prefix("builtenv: listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        self.addr = Some(addr.clone());
        addr
    }

    /// What the process printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until `/readyz` answers 200; panics after [`STARTUP`].
    pub async fn wait_ready(&mut self) {
        let addr = self.addr().await;
        let started = Instant::now();
        loop {
            if let Ok((200, _)) = try_http(&addr, "GET", "/readyz", None).await {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("builtenv exited with {status}; stderr:\n{}", self.stderr());
            }
            assert!(
                started.elapsed() < STARTUP,
                "not ready within {STARTUP:?}; stderr:\n{}",
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends SIGTERM (what `docker stop` sends).
    pub fn terminate(&self) {
        let pid = self.child.id().expect("running");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the process to end (after a failure) and returns its exit code.
    pub async fn exit_code(&mut self) -> Option<i32> {
        tokio::time::timeout(STARTUP, self.child.wait())
            .await
            .expect("exits")
            .expect("wait")
            .code()
    }
}

/// One HTTP/1.1 request (`Connection: close`): status and JSON body (a JSON string when the body
/// is not JSON).
pub async fn http(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> (u16, serde_json::Value) {
    try_http(addr, method, path, body)
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

pub async fn try_http(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> std::io::Result<(u16, serde_json::Value)> {
    let payload = body.map(|b| b.to_string());
    let r = raw(addr, method, path, &[], payload.as_deref()).await?;
    Ok((r.status, r.json))
}

/// One request with `Authorization: Bearer <token>`.
pub async fn http_as(
    addr: &str,
    token: &str,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> (u16, serde_json::Value) {
    let payload = body.map(|b| b.to_string());
    let auth = format!("Bearer {token}");
    let r = raw(
        addr,
        method,
        path,
        &[("Authorization", &auth)],
        payload.as_deref(),
    )
    .await
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    (r.status, r.json)
}

/// A response: status, head (status line and headers) and JSON body.
pub struct Response {
    pub status: u16,
    pub head: String,
    pub json: serde_json::Value,
}

impl Response {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// One HTTP/1.1 request (`Connection: close`) with extra `headers` and a JSON `body`.
pub async fn raw(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<Response> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: builtenv-tests\r\nConnection: close\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(payload) = body {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            payload.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or_default());
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad response {head:?}")))?;
    let json = serde_json::from_str(body).unwrap_or_else(|_| serde_json::Value::from(body));
    Ok(Response {
        status,
        head: head.to_string(),
        json,
    })
}

/// A tenant signed up through the API, and its admin logged in.
pub struct SignedUp {
    pub tenant_id: String,
    pub admin_id: String,
    pub email: String,
    pub password: String,
    /// The admin's session token.
    pub token: String,
}

/// `POST /signup` for tenant `slug` (admin `admin@<slug>.test`), then `POST /login`.
pub async fn sign_up(addr: &str, slug: &str) -> SignedUp {
    let email = format!("admin@{slug}.test");
    let password = format!("{slug}-correct-horse-battery");
    let (status, body) = http(
        addr,
        "POST",
        "/signup",
        Some(&serde_json::json!({
            "tenant": {"name": slug.to_uppercase(), "slug": slug, "email": format!("office@{slug}.test")},
            "admin": {"email": email, "password": password, "first_name": "Ada"}
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["admin"]["role"], "admin", "{body}");
    assert!(body["admin"].get("hashed_password").is_none(), "{body}");
    let token = login(addr, &email, &password).await;
    SignedUp {
        tenant_id: text(&body, "/tenant/id").to_string(),
        admin_id: text(&body, "/admin/id").to_string(),
        email,
        password,
        token,
    }
}

/// `POST /login`: the session token.
pub async fn login(addr: &str, email: &str, password: &str) -> String {
    let (status, body) = http(
        addr,
        "POST",
        "/login",
        Some(&serde_json::json!({"email": email, "password": password})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    text(&body, "/token").to_string()
}

/// The embedded migrations' migrator.
pub fn migrator() -> Migrator {
    Migrator::new(
        builtenv::project().expect("embedded project"),
        RunOptions::default(),
    )
}

/// Migrates `url` to head in-process.
pub async fn migrate_to_head(url: &str) {
    migrator()
        .upgrade(url, "head", &Quiet)
        .await
        .expect("upgrade head");
}

/// A fresh database migrated to head and a pool of `settings` on it (keep the database as long
/// as the pool).
pub async fn pool_at_head(
    settings: builtenv::db::PoolSettings,
) -> (retort_test_support::TestDatabase, builtenv::db::Pool) {
    let db = retort_test_support::fresh_database().await;
    migrate_to_head(&db.url).await;
    let pool = builtenv::db::Pool::new(&db.url, settings).expect("pool");
    (db, pool)
}

/// An introspected schema without retort's own tables (the version table and its log, with the
/// log's sequence): bookkeeping, not the application's schema.
pub fn without_version_tables(mut schema: retort::schema::Schema) -> retort::schema::Schema {
    let ours = |name: &str| name == "retort_version" || name == "retort_history";
    schema.tables.retain(|q, _| !ours(&q.name));
    schema
        .sequences
        .retain(|_, s| !s.owned_by.as_ref().is_some_and(|(t, _)| ours(&t.name)));
    schema
}

/// A string field of a JSON object.
pub fn text<'a>(value: &'a serde_json::Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value}"))
}
