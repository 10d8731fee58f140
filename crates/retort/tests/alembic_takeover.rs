//! Alembic compatibility of the version table, against real PostgreSQL and real Alembic.
//!
//! With `version_table = "alembic_version"`, retort must read and write `alembic_version` exactly
//! as Alembic does, so that a team can take over a database migrated by Alembic, and go back.
//!
//! One revision graph (two roots, a labelled branch, a merge, `depends_on` by id and by label) is
//! written twice by `tests/alembic_pg/alembic_pg.py`: as an Alembic project and as a retort
//! project running the same SQL (each revision creates, or drops, a table named after it and
//! logs what it ran in `ran_log`). Each scenario runs a sequence of upgrades and downgrades on a
//! "mixed" database, each step by retort (the library) or by Alembic (its command line, in a
//! helper process), and the same sequence by Alembic alone on a "reference" database. After
//! every step:
//!
//! - the version rows, the tables and the count of each revision's runs in each direction are
//!   equal in both databases (retort did what Alembic would have done, and ran no revision twice);
//! - the tables in the mixed database are exactly the applied set the version rows stand for
//!   (computed here from the graph, independently of retort);
//! - `alembic current` reports the same in both databases (Alembic reads retort's rows as its
//!   own), and what Alembic's rules give for those rows;
//! - retort's `current` reads the version rows of both.
//!
//! The Alembic virtualenv (Alembic 1.20.1, psycopg2-binary) is made by `tests/alembic_pg/setup.sh`
//! in `<repo>/target/alembic-venv`, or named by `RETORT_ALEMBIC_PYTHON`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use retort::config::Config;
use retort::project::Project;
use retort::runner::{Migrator, Quiet, RunOptions};
use retort_test_support::{connect, fresh_database};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_postgres::{Client, SimpleQueryMessage};

// ---------------------------------------------------------------------------------------------
// The graph
// ---------------------------------------------------------------------------------------------

struct Rev {
    id: &'static str,
    down: &'static [&'static str],
    labels: &'static [&'static str],
    depends_on: &'static [&'static str],
    message: &'static str,
}

const fn rev(
    id: &'static str,
    down: &'static [&'static str],
    labels: &'static [&'static str],
    depends_on: &'static [&'static str],
    message: &'static str,
) -> Rev {
    Rev {
        id,
        down,
        labels,
        depends_on,
        message,
    }
}

/// ```text
/// core:  a0 ─ a1 ─ a2 ─ a3 ─────── m4 ─ a5          (head)
///               │    └─ b1 ─ b2 ──┘                  b1 starts branch `feature`
///               └─ x1 ─ x2                           (head) x1 starts branch `experimental`
/// billing: c0 ─ c1 ─ c2                              (head) c0 is a second root
///   c1 depends_on b1 (by id), x2 depends_on billing (by label: c0)
/// ```
const GRAPH: &[Rev] = &[
    rev("a0", &[], &["core"], &[], "create core"),
    rev("a1", &["a0"], &[], &[], "add users"),
    rev("a2", &["a1"], &[], &[], "add documents"),
    rev("x1", &["a1"], &["experimental"], &[], "try search"),
    rev("a3", &["a2"], &[], &[], "add comments"),
    rev("b1", &["a2"], &["feature"], &[], "add tags"),
    rev("b2", &["b1"], &[], &[], "index tags"),
    rev("m4", &["a3", "b2"], &[], &[], "merge a3 and b2"),
    rev("a5", &["m4"], &[], &[], "add audit trail"),
    rev("c0", &[], &["billing"], &[], "create billing"),
    rev("c1", &["c0"], &[], &["b1"], "invoice tags"),
    rev("c2", &["c1"], &[], &[], "add payments"),
    rev("x2", &["x1"], &[], &["billing"], "search invoices"),
];

/// Alembic's rules, computed from [`GRAPH`] without retort.
struct Oracle {
    parents: BTreeMap<&'static str, Vec<&'static str>>,
    /// `depends_on` resolved to revision ids.
    deps: BTreeMap<&'static str, Vec<&'static str>>,
    children: BTreeMap<&'static str, Vec<&'static str>>,
}

impl Oracle {
    fn new() -> Self {
        let owner: BTreeMap<&str, &str> = GRAPH
            .iter()
            .flat_map(|r| r.labels.iter().map(move |l| (*l, r.id)))
            .collect();
        let mut children: BTreeMap<&'static str, Vec<&'static str>> =
            GRAPH.iter().map(|r| (r.id, Vec::new())).collect();
        for r in GRAPH {
            for p in r.down {
                children.get_mut(p).expect("parent exists").push(r.id);
            }
        }
        Self {
            parents: GRAPH.iter().map(|r| (r.id, r.down.to_vec())).collect(),
            deps: GRAPH
                .iter()
                .map(|r| {
                    let d = r
                        .depends_on
                        .iter()
                        .map(|d| *owner.get(d).unwrap_or(d))
                        .collect();
                    (r.id, d)
                })
                .collect(),
            children,
        }
    }

    /// The revisions that version rows stand for: the rows and their ancestors, through
    /// `down_revision` and `depends_on`.
    fn applied(&self, rows: &BTreeSet<String>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&str> = rows.iter().map(String::as_str).collect();
        while let Some(r) = todo.pop() {
            if !seen.insert(r.to_string()) {
                continue;
            }
            let Some(parents) = self.parents.get(r) else {
                panic!("version row {r} is not a revision of the graph");
            };
            todo.extend(parents.iter().copied());
            todo.extend(self.deps[r].iter().copied());
        }
        seen
    }

    /// What `alembic current` lists (`ScriptDirectory.get_all_current`): the applied revisions
    /// none of whose `down_revision` children is applied. A revision applied only because
    /// another depends on it is listed though it has no version row.
    fn alembic_current(&self, applied: &BTreeSet<String>) -> BTreeSet<String> {
        applied
            .iter()
            .filter(|r| {
                !self.children[r.as_str()]
                    .iter()
                    .any(|c| applied.contains(*c))
            })
            .cloned()
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Alembic
// ---------------------------------------------------------------------------------------------

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// The virtualenv's python (made once per test process).
fn alembic_python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        if let Some(p) = std::env::var_os("RETORT_ALEMBIC_PYTHON") {
            return PathBuf::from(p);
        }
        let root = repo_root();
        let out = Command::new("bash")
            .arg(root.join("tests/alembic_pg/setup.sh"))
            .arg(root.join("target/alembic-venv"))
            .output()
            .expect("run tests/alembic_pg/setup.sh");
        assert!(
            out.status.success(),
            "could not set up the Alembic virtualenv with psycopg2 (needs python3-venv and PyPI):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        PathBuf::from(stdout.lines().last().expect("setup.sh prints the python").trim())
    })
}

fn helper() -> PathBuf {
    repo_root().join("tests/alembic_pg/alembic_pg.py")
}

/// A libpq URL (as the test harness gives) in SQLAlchemy's form for psycopg2: a Unix-socket
/// directory moves to `?host=...&port=...`.
fn sqlalchemy_url(url: &str) -> String {
    let url = url.trim();
    let rest = ["postgresql://", "postgres://"]
        .iter()
        .find_map(|s| url.strip_prefix(s));
    let Some(rest) = rest else {
        return sqlalchemy_url_from_keywords(url);
    };
    let (main, query) = match rest.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (rest, None),
    };
    let (authority, database) = match main.split_once('/') {
        Some((a, d)) => (a, d),
        None => (main, ""),
    };
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (hostport, None),
    };
    let host = percent_decode(host);
    let mut params: Vec<String> = Vec::new();
    let netloc = if host.starts_with('/') {
        params.push(format!("host={}", query_encode(&host)));
        if let Some(p) = port {
            params.push(format!("port={p}"));
        }
        String::new()
    } else {
        hostport.to_string()
    };
    params.extend(
        query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .map(str::to_string),
    );
    let user = userinfo.map_or_else(String::new, |u| format!("{u}@"));
    let query = if params.is_empty() {
        String::new()
    } else {
        format!("?{}", params.join("&"))
    };
    format!("postgresql+psycopg2://{user}{netloc}/{database}{query}")
}

/// `host=/tmp/x port=5432 user=postgres dbname=db` (no quoted values) in SQLAlchemy's form.
fn sqlalchemy_url_from_keywords(conninfo: &str) -> String {
    let kv: BTreeMap<&str, &str> = conninfo
        .split_whitespace()
        .filter_map(|w| w.split_once('='))
        .collect();
    let user = match (kv.get("user"), kv.get("password")) {
        (Some(u), Some(p)) => format!("{}:{}@", query_encode(u), query_encode(p)),
        (Some(u), None) => format!("{}@", query_encode(u)),
        _ => String::new(),
    };
    let mut params = Vec::new();
    if let Some(h) = kv.get("host") {
        params.push(format!("host={}", query_encode(h)));
    }
    if let Some(p) = kv.get("port") {
        params.push(format!("port={p}"));
    }
    let query = if params.is_empty() {
        String::new()
    } else {
        format!("?{}", params.join("&"))
    };
    format!(
        "postgresql+psycopg2://{user}/{}{query}",
        kv.get("dbname").copied().unwrap_or("")
    )
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes what would end a query value or a user name (`/` stays, for socket paths).
fn query_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn sqlalchemy_urls() {
    assert_eq!(
        sqlalchemy_url("postgresql://postgres@%2Ftmp%2Fretort-pg-x1:5432/retort_test_ab"),
        "postgresql+psycopg2://postgres@/retort_test_ab?host=/tmp/retort-pg-x1&port=5432"
    );
    assert_eq!(
        sqlalchemy_url("postgres://u:p%40ss@db.example:6543/app?sslmode=disable"),
        "postgresql+psycopg2://u:p%40ss@db.example:6543/app?sslmode=disable"
    );
    assert_eq!(
        sqlalchemy_url("host=/var/run/postgresql port=5433 user=me dbname=t1"),
        "postgresql+psycopg2://me@/t1?host=/var/run/postgresql&port=5433"
    );
}

/// What the helper answers for one Alembic command.
#[derive(Debug, serde::Deserialize)]
struct Answer {
    ok: bool,
    stdout: String,
    error: Option<String>,
    error_class: Option<String>,
    #[serde(default)]
    traceback: Option<String>,
}

/// `alembic_pg.py serve`: Alembic's command line, one process for the whole test.
struct Alembic {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: BufReader<tokio::process::ChildStdout>,
}

impl Alembic {
    fn start() -> Self {
        let mut child = tokio::process::Command::new(alembic_python())
            .arg(helper())
            .arg("serve")
            // A few Alembic walks iterate over Python sets: keep runs repeatable.
            .env("PYTHONHASHSEED", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start alembic_pg.py serve");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Self {
            child,
            stdin,
            stdout,
        }
    }

    /// `alembic --raiseerr -c INI ARGV...`
    async fn run(&mut self, ini: &Path, argv: &[&str]) -> Answer {
        let request = serde_json::json!({ "config": ini, "argv": argv }).to_string();
        self.stdin
            .write_all(format!("{request}\n").as_bytes())
            .await
            .expect("write to alembic_pg.py");
        self.stdin.flush().await.expect("flush");
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .await
            .expect("read from alembic_pg.py");
        assert!(
            !line.is_empty(),
            "alembic_pg.py serve exited ({:?}); see its stderr above",
            self.child.try_wait()
        );
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("bad answer {line:?}: {e}"))
    }

    /// `alembic current`, as the set of revisions it lists.
    async fn current(&mut self, ini: &Path) -> BTreeSet<String> {
        let a = self.run(ini, &["current"]).await;
        assert!(a.ok, "alembic current failed: {a:?}");
        a.stdout
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Database state
// ---------------------------------------------------------------------------------------------

async fn query(client: &Client, sql: &str) -> Vec<Vec<Option<String>>> {
    client
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
            }
            _ => None,
        })
        .collect()
}

async fn table_exists(client: &Client, name: &str) -> bool {
    query(client, &format!("SELECT to_regclass('{name}')::text"))
        .await
        .first()
        .and_then(|r| r[0].clone())
        .is_some()
}

/// What a step can change, as seen in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    /// `alembic_version` rows.
    rows: BTreeSet<String>,
    /// Revisions whose table `t_<id>` exists.
    tables: BTreeSet<String>,
    /// How many times each revision ran, (up, down), from `ran_log`.
    ran: BTreeMap<String, (u32, u32)>,
}

impl State {
    async fn read(client: &Client) -> Self {
        let rows = if table_exists(client, "alembic_version").await {
            query(client, "SELECT version_num FROM alembic_version")
                .await
                .into_iter()
                .filter_map(|r| r[0].clone())
                .collect()
        } else {
            BTreeSet::new()
        };
        let tables = query(
            client,
            r"SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 't\_%'",
        )
        .await
        .into_iter()
        .filter_map(|r| r[0].clone())
        .map(|t| t.trim_start_matches("t_").to_string())
        .collect();
        let mut ran: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        if table_exists(client, "ran_log").await {
            for r in query(
                client,
                "SELECT rev, direction, count(*) FROM ran_log GROUP BY rev, direction",
            )
            .await
            {
                let n: u32 = r[2].as_deref().unwrap_or("0").parse().expect("count");
                let e = ran.entry(r[0].clone().unwrap_or_default()).or_default();
                match r[1].as_deref() {
                    Some("up") => e.0 += n,
                    _ => e.1 += n,
                }
            }
        }
        Self { rows, tables, ran }
    }
}

fn fmt_set(s: &BTreeSet<String>) -> String {
    format!("{{{}}}", s.iter().cloned().collect::<Vec<_>>().join(", "))
}

// ---------------------------------------------------------------------------------------------
// The fixture
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Retort,
    Alembic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Upgrade,
    Downgrade,
}

impl Cmd {
    fn word(self) -> &'static str {
        match self {
            Cmd::Upgrade => "upgrade",
            Cmd::Downgrade => "downgrade",
        }
    }
}

/// One database with its Alembic project (whose alembic.ini names it).
struct Side {
    url: String,
    ini: PathBuf,
    client: Client,
}

struct Takeover {
    name: &'static str,
    _dir: tempfile::TempDir,
    migrator: Migrator,
    alembic: Alembic,
    /// Migrated by both tools, step by step as the scenario says.
    mixed: Side,
    /// Migrated by Alembic alone, the same steps.
    reference: Side,
    oracle: Oracle,
    transcript: String,
    started: Instant,
    steps: usize,
}

impl Takeover {
    async fn new(name: &'static str) -> Self {
        let started = Instant::now();
        let dir = tempfile::Builder::new()
            .prefix("retort-alembic-takeover-")
            .tempdir()
            .expect("tempdir");
        let spec = serde_json::json!({
            "revisions": GRAPH.iter().map(|r| serde_json::json!({
                "id": r.id,
                "down": r.down,
                "labels": r.labels,
                "depends_on": r.depends_on,
                "message": r.message,
            })).collect::<Vec<_>>()
        });
        let spec_path = dir.path().join("graph.json");
        std::fs::write(&spec_path, spec.to_string()).expect("write graph.json");
        let mut sides = Vec::new();
        for side in ["mixed", "reference"] {
            let db = fresh_database().await;
            let out = dir.path().join(side);
            let status = Command::new(alembic_python())
                .arg(helper())
                .arg("write")
                .arg(&spec_path)
                .arg(&out)
                .arg(sqlalchemy_url(&db.url))
                .status()
                .expect("run alembic_pg.py write");
            assert!(status.success(), "alembic_pg.py write failed");
            sides.push(Side {
                client: connect(&db.url).await,
                url: db.url,
                ini: out.join("alembic/alembic.ini"),
            });
        }
        let reference = sides.pop().expect("reference");
        let mixed = sides.pop().expect("mixed");
        let config = Config::load(&dir.path().join("mixed/retort/retort.toml")).expect("config");
        let project = Project::open(config).unwrap_or_else(|e| panic!("project: {e:?}"));
        let migrator = Migrator::new(project, RunOptions::default());
        let mut t = Self {
            name,
            _dir: dir,
            migrator,
            alembic: Alembic::start(),
            mixed,
            reference,
            oracle: Oracle::new(),
            transcript: String::new(),
            started,
            steps: 0,
        };
        // Both tools agree on the graph before anything runs.
        let heads = t.alembic.run(&t.mixed.ini, &["heads"]).await;
        assert!(heads.ok, "alembic heads: {heads:?}");
        let alembic_heads: BTreeSet<String> = heads
            .stdout
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect();
        let retort_heads: BTreeSet<String> = t
            .migrator
            .graph()
            .heads()
            .iter()
            .map(|&i| t.migrator.graph().id(i).to_string())
            .collect();
        assert_eq!(alembic_heads, retort_heads, "heads of the graph");
        t
    }

    fn fail(&self, problem: &str) -> ! {
        panic!(
            "{}: {problem}\n\nsteps so far (mixed database; the reference runs every step with Alembic):\n{}",
            self.name, self.transcript
        )
    }

    /// One step on the mixed database with `tool`, the same step on the reference database with
    /// Alembic, then every check. Returns whether the step succeeded.
    async fn step(&mut self, tool: Tool, cmd: Cmd, target: &str) -> bool {
        let t0 = Instant::now();
        let before = State::read(&self.mixed.client).await;
        let mixed = self.run(tool, cmd, target).await;
        let reference = self
            .alembic
            .run(&self.reference.ini, &[cmd.word(), target])
            .await;
        let reference = if reference.ok {
            Ok(())
        } else {
            Err(format!(
                "{}: {}",
                reference.error_class.unwrap_or_default(),
                reference.error.unwrap_or_default()
            ))
        };
        self.steps += 1;
        let state = State::read(&self.mixed.client).await;
        let _ = writeln!(
            self.transcript,
            "  {:>2}. {tool:?} {} {target}: {} -> rows {}  ({} ms)",
            self.steps,
            cmd.word(),
            match &mixed {
                Ok(()) => "ok".to_string(),
                Err(e) => format!("error: {e}"),
            },
            fmt_set(&state.rows),
            t0.elapsed().as_millis()
        );
        match (&mixed, &reference) {
            (Ok(()), Ok(())) => {}
            (Err(_), Err(r)) => {
                let _ = writeln!(self.transcript, "      (Alembic alone fails too: {r})");
                if state != before {
                    self.fail("the failed step changed the database");
                }
            }
            (Ok(()), Err(r)) => self.fail(&format!(
                "{tool:?} succeeded, but Alembic alone fails on this step: {r}"
            )),
            (Err(m), Ok(())) => self.fail(&format!(
                "{tool:?} failed, but Alembic alone succeeds on this step: {m}"
            )),
        }
        self.check(&state).await;
        mixed.is_ok()
    }

    async fn run(&mut self, tool: Tool, cmd: Cmd, target: &str) -> Result<(), String> {
        match tool {
            Tool::Retort => {
                let r = match cmd {
                    Cmd::Upgrade => self.migrator.upgrade(&self.mixed.url, target, &Quiet).await,
                    Cmd::Downgrade => {
                        self.migrator
                            .downgrade(&self.mixed.url, target, &Quiet)
                            .await
                    }
                };
                r.map(|_| ()).map_err(|e| format!("{e}"))
            }
            Tool::Alembic => {
                let a = self
                    .alembic
                    .run(&self.mixed.ini, &[cmd.word(), target])
                    .await;
                if a.ok {
                    Ok(())
                } else {
                    let class = a.error_class.unwrap_or_default();
                    // A crash (not a CommandError) is worth its traceback.
                    let traceback = a
                        .traceback
                        .filter(|_| class != "CommandError")
                        .map(|t| format!("\n{t}"))
                        .unwrap_or_default();
                    Err(format!(
                        "{class}: {}{traceback}",
                        a.error.unwrap_or_default()
                    ))
                }
            }
        }
    }

    /// The mixed database against the reference, Alembic's rules and both tools' `current`.
    async fn check(&mut self, mixed: &State) {
        let reference = State::read(&self.reference.client).await;
        if mixed.rows != reference.rows {
            self.fail(&format!(
                "alembic_version rows differ from Alembic's:\n  mixed     {}\n  reference {}",
                fmt_set(&mixed.rows),
                fmt_set(&reference.rows)
            ));
        }
        if mixed.ran != reference.ran {
            self.fail(&format!(
                "revisions ran a different number of times (up, down):\n  mixed     {:?}\n  reference {:?}",
                mixed.ran, reference.ran
            ));
        }
        if mixed.tables != reference.tables {
            self.fail(&format!(
                "tables differ:\n  mixed     {}\n  reference {}",
                fmt_set(&mixed.tables),
                fmt_set(&reference.tables)
            ));
        }
        let applied = self.oracle.applied(&mixed.rows);
        if mixed.tables != applied {
            self.fail(&format!(
                "the tables are not the applied set of the version rows:\n  tables  {}\n  applied {}",
                fmt_set(&mixed.tables),
                fmt_set(&applied)
            ));
        }
        for (rev, (up, down)) in &mixed.ran {
            let net = i64::from(*up) - i64::from(*down);
            if net != i64::from(applied.contains(rev)) {
                self.fail(&format!(
                    "revision {rev} ran up {up} and down {down} times but is {}applied",
                    if applied.contains(rev) { "" } else { "not " }
                ));
            }
        }
        let want_current = self.oracle.alembic_current(&applied);
        let current_mixed = self.alembic.current(&self.mixed.ini).await;
        let current_reference = self.alembic.current(&self.reference.ini).await;
        let _ = writeln!(
            self.transcript,
            "      alembic current: {}",
            fmt_set(&current_mixed)
        );
        if current_mixed != current_reference || current_mixed != want_current {
            self.fail(&format!(
                "alembic current:\n  mixed     {}\n  reference {}\n  expected  {}",
                fmt_set(&current_mixed),
                fmt_set(&current_reference),
                fmt_set(&want_current)
            ));
        }
        for (side, url, rows) in [
            ("mixed", &self.mixed.url, &mixed.rows),
            ("reference", &self.reference.url, &reference.rows),
        ] {
            let current: BTreeSet<String> = match self.migrator.current(url).await {
                Ok(c) => c.into_iter().collect(),
                Err(e) => self.fail(&format!("retort current on the {side} database: {e}")),
            };
            if &current != rows {
                self.fail(&format!(
                    "retort current on the {side} database: {} but the rows are {}",
                    fmt_set(&current),
                    fmt_set(rows)
                ));
            }
        }
        // retort's `current` only reads: Alembic's own database never gets retort's log.
        if table_exists(&self.reference.client, "alembic_history").await {
            self.fail("retort created alembic_history in the database only Alembic migrates");
        }
    }

    /// Rows of retort's applied log: (revision, direction).
    async fn history(&self) -> Vec<(String, String)> {
        query(
            &self.mixed.client,
            "SELECT revision, direction FROM alembic_history ORDER BY id",
        )
        .await
        .into_iter()
        .map(|r| {
            (
                r[0].clone().unwrap_or_default(),
                r[1].clone().unwrap_or_default(),
            )
        })
        .collect()
    }

    fn finish(&self) {
        println!(
            "{}: {} steps in {:.1} s\n{}",
            self.name,
            self.steps,
            self.started.elapsed().as_secs_f64(),
            self.transcript
        );
    }
}

fn ids(s: &[&str]) -> BTreeSet<String> {
    s.iter().map(|x| (*x).to_string()).collect()
}

/// Columns and constraints of `alembic_version`, to compare the table retort creates with
/// Alembic's.
async fn version_table_shape(client: &Client) -> Vec<Vec<Option<String>>> {
    let mut rows = query(
        client,
        "SELECT column_name, data_type, character_maximum_length::text, is_nullable, column_default \
         FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'alembic_version' \
         ORDER BY ordinal_position",
    )
    .await;
    rows.extend(
        query(
            client,
            "SELECT conname::text, contype::text, pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE conrelid = 'alembic_version'::regclass ORDER BY conname",
        )
        .await,
    );
    rows
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/// Alembic migrated the database to the middle of the graph; retort continues to the heads and
/// must run exactly what Alembic had not run.
#[tokio::test]
async fn retort_takes_over_from_alembic() {
    let mut t = Takeover::new("retort_takes_over_from_alembic").await;
    // c1 pulls in b1 (depends_on) without a row for it; a3 is on the other side of the merge.
    assert!(t.step(Tool::Alembic, Cmd::Upgrade, "c1").await);
    assert!(t.step(Tool::Alembic, Cmd::Upgrade, "a3").await);
    let by_alembic = State::read(&t.mixed.client).await;
    assert_eq!(by_alembic.rows, ids(&["a3", "c1"]), "Alembic's rows");
    assert!(!table_exists(&t.mixed.client, "alembic_history").await);

    let report = t
        .migrator
        .upgrade(&t.mixed.url, "heads", &Quiet)
        .await
        .unwrap_or_else(|e| t.fail(&format!("retort upgrade heads: {e}")));
    // Mirror the step on the reference and check as for any step.
    let reference = t.alembic.run(&t.reference.ini, &["upgrade", "heads"]).await;
    assert!(reference.ok, "{reference:?}");
    t.steps += 1;
    let state = State::read(&t.mixed.client).await;
    let _ = writeln!(
        t.transcript,
        "  {:>2}. Retort upgrade heads: ok -> rows {}",
        t.steps,
        fmt_set(&state.rows)
    );
    t.check(&state).await;

    let heads_before: BTreeSet<String> = report.heads_before.iter().cloned().collect();
    assert_eq!(
        heads_before,
        ids(&["a3", "c1"]),
        "retort read Alembic's rows"
    );
    let ran: BTreeSet<String> = report.steps.iter().map(|s| s.revision.clone()).collect();
    assert_eq!(
        ran,
        ids(&["b2", "m4", "a5", "c2", "x1", "x2"]),
        "retort ran exactly what Alembic had not"
    );
    assert_eq!(ran.len(), report.steps.len(), "each revision once");
    let heads_after: BTreeSet<String> = report.heads_after.iter().cloned().collect();
    assert_eq!(heads_after, ids(&["a5", "c2", "x2"]));
    assert_eq!(state.rows, ids(&["a5", "c2", "x2"]));
    assert_eq!(
        state.tables,
        GRAPH
            .iter()
            .map(|r| r.id.to_string())
            .collect::<BTreeSet<_>>(),
        "every table exists"
    );
    assert!(
        state.ran.values().all(|&(up, down)| up == 1 && down == 0),
        "every revision ran up exactly once: {:?}",
        state.ran
    );

    // retort's log records what it ran; what Alembic ran is "unrecorded", not "changed".
    let history = t.history().await;
    assert_eq!(
        history
            .iter()
            .map(|(r, _)| r.clone())
            .collect::<BTreeSet<_>>(),
        ran
    );
    assert!(history.iter().all(|(_, d)| d == "up"), "{history:?}");
    let verify = t
        .migrator
        .verify(&t.mixed.url)
        .await
        .unwrap_or_else(|e| t.fail(&format!("retort verify: {e}")));
    assert!(
        verify.changed.is_empty() && verify.unknown.is_empty(),
        "{verify:?}"
    );
    assert_eq!(verify.ok.iter().cloned().collect::<BTreeSet<_>>(), ran);
    assert_eq!(
        verify.unrecorded.iter().cloned().collect::<BTreeSet<_>>(),
        ids(&["a0", "a1", "a2", "a3", "b1", "c0", "c1"])
    );

    // Nothing left to do for either tool.
    assert!(t.step(Tool::Alembic, Cmd::Upgrade, "heads").await);
    let again = t
        .migrator
        .upgrade(&t.mixed.url, "heads", &Quiet)
        .await
        .unwrap_or_else(|e| t.fail(&format!("retort upgrade heads again: {e}")));
    assert!(again.steps.is_empty(), "{:?}", again.steps);
    assert_eq!(State::read(&t.mixed.client).await, state);
    t.finish();
}

/// retort migrated the database part-way; Alembic continues to the heads, then downgrades all
/// the way, reading retort's rows as its own.
#[tokio::test]
async fn alembic_takes_back_from_retort() {
    let mut t = Takeover::new("alembic_takes_back_from_retort").await;
    assert!(t.step(Tool::Retort, Cmd::Upgrade, "m4").await);
    // retort created the version table: the same table as Alembic's.
    let ours = version_table_shape(&t.mixed.client).await;
    let theirs = version_table_shape(&t.reference.client).await;
    assert_eq!(
        ours, theirs,
        "alembic_version as retort and Alembic create it"
    );
    let history = t.history().await;
    assert_eq!(history.len(), 7, "a0 a1 a2 a3 b1 b2 m4: {history:?}");

    assert!(t.step(Tool::Alembic, Cmd::Upgrade, "heads").await);
    assert!(t.step(Tool::Alembic, Cmd::Downgrade, "base").await);
    let state = State::read(&t.mixed.client).await;
    assert!(
        state.rows.is_empty() && state.tables.is_empty(),
        "{state:?}"
    );
    assert!(
        state.ran.values().all(|&(up, down)| up == 1 && down == 1),
        "every revision ran up once and down once: {:?}",
        state.ran
    );
    assert!(table_exists(&t.mixed.client, "alembic_version").await);
    // Alembic leaves retort's log alone.
    assert_eq!(
        t.history().await,
        history,
        "alembic_history unchanged by Alembic"
    );

    // And retort can take it over again from Alembic's base.
    assert!(t.step(Tool::Retort, Cmd::Upgrade, "heads").await);
    assert!(t.step(Tool::Alembic, Cmd::Downgrade, "base").await);
    t.finish();
}

/// The two tools take turns on one database.
#[tokio::test]
async fn retort_and_alembic_take_turns() {
    use Cmd::{Downgrade, Upgrade};
    use Tool::{Alembic, Retort};
    let mut t = Takeover::new("retort_and_alembic_take_turns").await;
    let steps: &[(Tool, Cmd, &str)] = &[
        (Retort, Upgrade, "c1"), // a0 a1 a2 b1 c0 c1: b1 through depends_on, no row
        (Alembic, Upgrade, "feature@head"), // a3 b2 m4 a5
        (Retort, Upgrade, "experimental@+1"), // x1
        (Alembic, Upgrade, "heads"), // c2 x2
        (Retort, Downgrade, "x2-1"), // x2
        (Alembic, Downgrade, "billing@-1"), // c2
        (Retort, Downgrade, "a5-1"), // a5
        (Alembic, Downgrade, "b1"), // m4 b2
        (Retort, Upgrade, "core@head"), // several heads: both refuse
        (Alembic, Upgrade, "heads"), // b2 m4 a5 c2 x2
        (Retort, Downgrade, "feature@base"),
        (Alembic, Upgrade, "billing@+1"),
        (Retort, Downgrade, "experimental@base"),
        (Alembic, Upgrade, "heads"),
        (Retort, Downgrade, "base"),
        (Alembic, Upgrade, "x2"),
        (Retort, Upgrade, "heads"),
        (Alembic, Downgrade, "c0"),
        (Retort, Downgrade, "base"),
    ];
    for (tool, cmd, target) in steps {
        t.step(*tool, *cmd, target).await;
    }
    assert!(
        t.transcript
            .lines()
            .filter(|l| l.contains(": ok ->"))
            .count()
            >= steps.len() - 2,
        "most steps succeed:\n{}",
        t.transcript
    );
    t.finish();
}
