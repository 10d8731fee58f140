//! The rough edges of issue 16, through the real binary: what a user of Alembic sees on the
//! first week with retort, output snapshotted.

use std::path::Path;

use retort_test_support::{fresh_database, TestDatabase};

/// A project in a temporary directory: retort.toml and `migrations/`.
struct Project {
    dir: tempfile::TempDir,
}

/// What one command printed, and how it ended.
struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("migrations")).expect("mkdir");
        std::fs::write(
            dir.path().join("retort.toml"),
            "script_location = \"migrations\"\nfile_template = \"{rev}_{slug}\"\n",
        )
        .expect("config");
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write revision `id` (parent `down`) with `up` and `down` SQL.
    fn revision(&self, id: &str, down: &str, message: &str, up: &str, down_sql: &str) {
        std::fs::write(
            self.path().join(format!("migrations/{id}.sql")),
            format!("-- revision: {id}\n-- down_revision: {down}\n-- message: {message}\n\n-- retort:up\n{up}\n\n-- retort:down\n{down_sql}\n"),
        )
        .expect("write revision");
    }

    fn command(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::cargo_bin("retort").expect("binary");
        c.args(args)
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env_remove("RETORT_CONFIG")
            .env_remove("DATABASE_URL")
            .env_remove("EDITOR")
            .env_remove("VISUAL");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!stderr.contains("panicked"), "panic: {stderr}");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).to_string(),
            stderr,
        }
    }

    /// `args` on `db`.
    fn on(&self, db: &TestDatabase, args: &[&str]) -> Output {
        let mut full = args.to_vec();
        full.extend(["--database-url", &db.url]);
        self.run(&full)
    }

    /// A transcript of `args` on `db`, for snapshots (the URL left out).
    fn transcript_on(&self, db: &TestDatabase, args: &[&str]) -> String {
        let o = self.on(db, args);
        format!(
            "$ retort {}\nexit: {}\n{}{}\n",
            args.join(" "),
            o.code,
            o.stdout,
            o.stderr
        )
    }
}

impl Project {
    /// A transcript of `args`, for snapshots.
    fn transcript(&self, args: &[&str]) -> String {
        let o = self.run(args);
        format!(
            "$ retort {}\nexit: {}\n{}{}\n",
            args.join(" "),
            o.code,
            o.stdout,
            o.stderr
        )
    }
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({filters => vec![
        (r"in \d+ ms", "in [N] ms"),
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?( UTC|[+-]\d{2}(:\d{2})?)?", "[time]"),
        (r"/tmp/\.tmp\w+", "[dir]"),
    ]}, {
        insta::assert_snapshot!(name, text);
    });
}

/// Item 1: a syntax error is rolled back without a warning that says no transaction was open.
#[tokio::test]
async fn a_syntax_error_says_nothing_about_a_missing_transaction() {
    let db = fresh_database().await;
    let p = Project::new();
    p.revision(
        "a1",
        "",
        "tenants",
        "CREATE TABLE tenants (id int);",
        "DROP TABLE tenants;",
    );
    p.revision(
        "b2",
        "a1",
        "broken",
        "CREATE TABLE users (id int);\nCREATE TABLEE oops (id int);",
        "",
    );
    let t = p.transcript_on(&db, &["upgrade", "head"]);
    assert!(!t.contains("no transaction in progress"), "{t}");
    assert!(t.contains("b2.sql:7:8"), "{t}");
    snapshot("syntax_error", &t);
}

/// Item 2: an error PostgreSQL gives no position for is shown at its statement, found by
/// counting the statements the server completed before it.
#[tokio::test]
async fn an_error_without_a_position_points_at_its_statement() {
    let db = fresh_database().await;
    let p = Project::new();
    p.revision(
        "a1",
        "",
        "tenants",
        "CREATE TABLE tenants (id int, name text);\n\nCREATE INDEX ix ON tenants (id);\n  CREATE INDEX ix2 ON tenantz (name);\nCREATE TABLE later (id int);",
        "DROP TABLE tenants;",
    );
    let t = p.transcript_on(&db, &["upgrade", "head"]);
    assert!(t.contains("a1.sql:9:3"), "{t}");
    // The same statement found one at a time (`-v`) and in one transaction.
    for mode in ["-v", "--single-transaction"] {
        let o = p.on(&db, &["upgrade", "head", mode]);
        assert_eq!(o.code, 7, "{}", o.stderr);
        assert!(o.stderr.contains("a1.sql:9:3"), "{mode}: {}", o.stderr);
    }
    snapshot("error_without_position", &t);
}

/// Item 3: a reader that closes the pipe early (`| head -c 600`) is a normal end: exit 0, no
/// message, for both formats of `schema dump`.
#[tokio::test]
async fn schema_dump_into_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    let db = fresh_database().await;
    let mut sql = String::new();
    for i in 0..400 {
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL DEFAULT '', at timestamptz);\n"
        ));
    }
    db.connect()
        .await
        .batch_execute(&sql)
        .await
        .expect("tables");
    let p = Project::new();
    for format in ["json", "sql"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("retort"))
            .args([
                "schema",
                "dump",
                "--format",
                format,
                "--database-url",
                &db.url,
            ])
            .current_dir(p.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut head = [0u8; 600];
        let mut stdout = child.stdout.take().expect("stdout");
        stdout.read_exact(&mut head).expect("600 bytes");
        drop(stdout);
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        assert_eq!(stderr, "", "{format}");
    }
}

/// Item 3 for every other command: text printed into a pipe whose reader has gone (`| head -0`)
/// ends quietly, never with Rust's "failed printing to stdout" panic.
#[tokio::test]
async fn every_command_into_a_closed_pipe_ends_quietly() {
    let db = fresh_database().await;
    let p = Project::new();
    p.revision(
        "a1",
        "",
        "tenants",
        "CREATE TABLE tenants (id int);",
        "DROP TABLE tenants;",
    );
    for args in [
        &["current"][..],
        &["status"],
        &["show", "a1"],
        &["branches"],
        &["graph"],
        &["lint", "--all"],
        &["upgrade", "head", "--sql"],
    ] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("retort"))
            .args(args)
            .args(["--database-url", &db.url])
            .current_dir(p.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {stderr}"
        );
    }
}

/// Item 4: `schema dump` leaves out retort's own tables (and their sequence and indexes) unless
/// asked for them.
#[tokio::test]
async fn schema_dump_leaves_out_retorts_own_tables() {
    let db = fresh_database().await;
    let p = Project::new();
    p.revision(
        "a1",
        "",
        "tenants",
        "CREATE TABLE tenants (id serial PRIMARY KEY);",
        "DROP TABLE tenants;",
    );
    assert_eq!(p.on(&db, &["upgrade", "head"]).code, 0);
    let dump = p.on(&db, &["schema", "dump"]);
    assert_eq!(dump.code, 0, "{}", dump.stderr);
    assert!(!dump.stdout.contains("retort_"), "{}", dump.stdout);
    assert!(
        dump.stdout.contains("CREATE TABLE \"public\".\"tenants\""),
        "{}",
        dump.stdout
    );
    let json = p.on(&db, &["schema", "dump", "--format", "json"]);
    assert!(!json.stdout.contains("retort_"), "{}", json.stdout);
    let all = p.on(&db, &["schema", "dump", "--include-version-tables"]);
    assert!(
        all.stdout
            .contains("CREATE TABLE \"public\".\"retort_version\""),
        "{}",
        all.stdout
    );
    assert!(
        all.stdout
            .contains("CREATE TABLE \"public\".\"retort_history\""),
        "{}",
        all.stdout
    );
    snapshot("schema_dump_without_retort_tables", &dump.stdout);
}

/// Item 5: after `stamp`, `status` says `stamped`, not `applied`; what retort ran says `applied`.
#[tokio::test]
async fn status_tells_stamped_from_applied() {
    let db = fresh_database().await;
    let p = Project::new();
    p.revision(
        "a1",
        "",
        "tenants",
        "CREATE TABLE tenants (id int);",
        "DROP TABLE tenants;",
    );
    p.revision(
        "b2",
        "a1",
        "users",
        "CREATE TABLE users (id int);",
        "DROP TABLE users;",
    );
    p.revision(
        "c3",
        "b2",
        "projects",
        "CREATE TABLE projects (id int);",
        "DROP TABLE projects;",
    );
    p.revision(
        "d4",
        "c3",
        "documents",
        "CREATE TABLE documents (id int);",
        "DROP TABLE documents;",
    );
    let mut t = p.transcript_on(&db, &["stamp", "b2"]);
    t.push_str(&p.transcript_on(&db, &["upgrade", "c3"]));
    t.push_str(&p.transcript_on(&db, &["status"]));
    let json = p.on(&db, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let states: Vec<&str> = v["revisions"]
        .as_array()
        .expect("revisions")
        .iter()
        .map(|r| r["state"].as_str().expect("state"))
        .collect();
    assert_eq!(
        states,
        ["stamped", "stamped", "applied", "pending"],
        "{}",
        json.stdout
    );
    assert!(
        t.lines()
            .any(|l| l.starts_with("stamped ") && l.ends_with(" b2 users")),
        "{t}"
    );
    snapshot("status_after_stamp", &t);
}

/// Item 6: a URL that is no PostgreSQL URL (SQLAlchemy's `postgresql+psycopg2://`) is a
/// configuration error (exit 3), not an unreachable database (exit 6); the exit code README
/// row says so.
#[test]
fn a_sqlalchemy_url_is_a_configuration_error() {
    let p = Project::new();
    let url = "postgresql+psycopg2://app:secret@localhost/app";
    let t = p.transcript(&["current", "--database-url", url]);
    assert!(t.contains("exit: 3"), "{t}");
    assert!(!p
        .run(&["current", "--database-url", url])
        .stderr
        .contains("secret"));
    assert!(t.contains("SQLAlchemy's dialect+driver form"), "{t}");
    let env = p
        .command(&["status"])
        .env("DATABASE_URL", url)
        .output()
        .expect("runs");
    assert_eq!(env.status.code(), Some(3));
    snapshot("sqlalchemy_url", &t);
}

/// The subset of JSON Schema that `docs/json-schema.json` uses: `type` (one or several),
/// `enum`, `properties`, `required`, `additionalProperties: false`, `items`, `$ref` to `$defs`,
/// `minLength`/`maxLength`. Returns the first violation, with its JSON path.
fn validate(
    defs: &serde_json::Value,
    schema: &serde_json::Value,
    v: &serde_json::Value,
    at: &str,
) -> Result<(), String> {
    use serde_json::Value;
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/$defs/");
        return validate(defs, &defs[name], v, at);
    }
    if let Some(options) = schema["oneOf"].as_array() {
        let matching = options
            .iter()
            .filter(|o| validate(defs, o, v, at).is_ok())
            .count();
        return if matching == 1 {
            Ok(())
        } else {
            Err(format!(
                "{at}: {v} matches {matching} of the oneOf definitions"
            ))
        };
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            other => other
                .as_array()
                .expect("type list")
                .iter()
                .filter_map(Value::as_str)
                .collect(),
        };
        let actual = match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        if !types.contains(&actual) {
            return Err(format!("{at}: {actual} where {types:?} is documented"));
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(v) {
            return Err(format!("{at}: {v} is not one of {allowed:?}"));
        }
    }
    if let (Some(s), Some(min)) = (v.as_str(), schema["minLength"].as_u64()) {
        if (s.chars().count() as u64) < min {
            return Err(format!("{at}: {s:?} is shorter than {min}"));
        }
    }
    if let (Some(s), Some(max)) = (v.as_str(), schema["maxLength"].as_u64()) {
        if (s.chars().count() as u64) > max {
            return Err(format!("{at}: {s:?} is longer than {max}"));
        }
    }
    if let Some(obj) = v.as_object() {
        let props = schema["properties"].as_object();
        for key in schema["required"].as_array().into_iter().flatten() {
            let key = key.as_str().expect("required key");
            if !obj.contains_key(key) {
                return Err(format!("{at}: missing {key:?}"));
            }
        }
        for (key, value) in obj {
            match props.and_then(|p| p.get(key)) {
                Some(s) => validate(defs, s, value, &format!("{at}.{key}"))?,
                None if schema["additionalProperties"] == Value::Bool(false) => {
                    return Err(format!("{at}: {key:?} is not documented"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate() {
            validate(defs, items, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn json_schema_defs() -> serde_json::Value {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/json-schema.json"
        ))
        .expect("docs/json-schema.json"),
    )
    .expect("schema is JSON");
    schema["$defs"].clone()
}

/// Item 7: every `--json` output validates against its definition in `docs/json-schema.json`
/// (one object per concept: a revision is the same object, checksum included, in every command;
/// `verify` says `missing` as its text does).
#[tokio::test]
async fn every_json_output_validates_against_the_documented_schema() {
    let defs = &json_schema_defs();
    let db = fresh_database().await;
    let other = fresh_database().await;
    let p = Project::new();
    p.revision(
        "a1",
        "",
        "tenants",
        "CREATE TABLE tenants (id int);",
        "DROP TABLE tenants;",
    );
    p.revision(
        "b2",
        "a1",
        "users",
        "CREATE TABLE users (id int);",
        "DROP TABLE users;",
    );
    p.revision(
        "c3",
        "b2",
        "projects",
        "CREATE TABLE projects (id int);",
        "DROP TABLE projects;",
    );
    p.revision(
        "d4",
        "b2",
        "documents",
        "CREATE TABLE documents (id int);",
        "DROP TABLE documents;",
    );
    assert_eq!(p.on(&db, &["upgrade", "heads"]).code, 0);
    // A version row naming no file: `current` and `verify` report it as missing.
    db.connect()
        .await
        .batch_execute("INSERT INTO retort_version VALUES ('e5e5')")
        .await
        .expect("row");
    let cases: &[(&[&str], &str)] = &[
        (&["history", "--json"], "Revisions"),
        (&["history", "--json", "--indicate-current"], "Revisions"),
        (&["heads", "--json"], "Revisions"),
        (&["branches", "--json"], "Branches"),
        (&["show", "b2", "--json"], "Revisions"),
        (&["current", "--json"], "Current"),
        (&["status", "--json"], "Status"),
        (&["verify", "--json"], "Verify"),
        (&["diff", &other.url, &db.url, "--json"], "Operations"),
    ];
    for (args, def) in cases {
        let o = p.on(&db, args);
        let v: serde_json::Value = serde_json::from_str(&o.stdout)
            .unwrap_or_else(|e| panic!("retort {args:?}: {e}\n{}{}", o.stdout, o.stderr));
        validate(defs, &defs[*def], &v, "$").unwrap_or_else(|e| panic!("retort {args:?}: {e}"));
        let nonempty = v.as_array().is_none_or(|a| !a.is_empty());
        assert!(nonempty, "retort {args:?} printed nothing to check");
    }
    let verify: serde_json::Value =
        serde_json::from_str(&p.on(&db, &["verify", "--json"]).stdout).expect("json");
    assert_eq!(verify["missing"], serde_json::json!(["e5e5"]));
    let current: serde_json::Value =
        serde_json::from_str(&p.on(&db, &["current", "--json"]).stdout).expect("json");
    assert_eq!(current["missing"], serde_json::json!(["e5e5"]));
}

/// Item 8: `-- word: text` lines that are no header key (`-- TODO:`, a hook's `-- author:`)
/// and lines without a colon are comments; a misspelt key is still an error with a suggestion.
#[test]
fn header_comments_are_comments_and_typos_are_errors() {
    let p = Project::new();
    std::fs::write(
        p.path().join("migrations/a1.sql"),
        "-- revision: a1\n-- down_revision:\n-- TODO: fill in\n-- author: alice@example.com\n-- message: tenants\n-- This revision makes the tenants table.\n\n-- retort:up\nCREATE TABLE tenants (id int);\n",
    )
    .expect("write");
    let mut t = p.transcript(&["heads"]);
    t.push_str(&p.transcript(&["show", "a1"]));
    assert!(t.starts_with("$ retort heads\nexit: 0\na1 (head)"), "{t}");
    std::fs::write(
        p.path().join("migrations/b2.sql"),
        "-- revision: b2\n-- down_revison: a1\n-- messag: users\n\n-- retort:up\nCREATE TABLE users (id int);\n",
    )
    .expect("write");
    let typo = p.transcript(&["heads"]);
    assert!(typo.contains("exit: 4"), "{typo}");
    assert!(typo.contains("did you mean `down_revision`?"), "{typo}");
    assert!(typo.contains("did you mean `message`?"), "{typo}");
    t.push_str(&typo);
    snapshot("header_comments", &t);
}

/// `cmd` run with stderr on a pseudo-terminal (80 columns), stdout piped: what a user in a
/// terminal sees on stderr, escape sequences and all.
fn on_a_terminal(mut cmd: std::process::Command) -> (i32, String) {
    use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
    use std::io::Read;
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("openpt");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname(&master, Vec::new()).expect("ptsname");
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().expect("pty name"))
        .expect("open the terminal");
    let size = rustix::termios::Winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    rustix::termios::tcsetwinsize(&slave, size).expect("window size");
    let mut child = cmd
        .stderr(std::process::Stdio::from(slave))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // The command holds its copy of the terminal until dropped: the end would never come.
    drop(cmd);
    let mut master = std::fs::File::from(master);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    // Until the child closes the terminal (EIO on Linux once no process holds it).
    while let Ok(n) = master.read(&mut buf) {
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
    }
    let status = child.wait().expect("wait");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&seen).to_string(),
    )
}

/// Item 9: on a terminal, each revision's `Running upgrade` line stays on screen above the
/// progress bar (as cargo's `Compiling` lines do), and the bar is cleared at the end.
#[tokio::test]
async fn progress_bar_keeps_each_revisions_line() {
    let db = fresh_database().await;
    let p = Project::new();
    let mut down = String::new();
    for i in 0..5 {
        let id = format!("r{i}");
        p.revision(
            &id,
            &down,
            &format!("step {i}"),
            &format!("CREATE TABLE t{i} (id int);"),
            "",
        );
        down = id;
    }
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("retort"));
    cmd.args(["upgrade", "head", "--database-url", &db.url])
        .current_dir(p.path())
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .env_remove("RETORT_CONFIG");
    let (code, screen) = on_a_terminal(cmd);
    assert_eq!(code, 0, "{screen}");
    // The lines printed above the bar, without the bar's redraws.
    let lines: Vec<&str> = screen
        .split(['\r', '\n'])
        .map(|l| l.strip_prefix("\u{1b}[2K").unwrap_or(l))
        .filter(|l| l.starts_with("Running") || l.starts_with("Applied"))
        .collect();
    assert_eq!(lines.len(), 6, "{screen:?}");
    assert!(
        screen.contains(" 5/5 r4 step 4"),
        "no progress bar drawn: {screen:?}"
    );
    snapshot("progress_on_a_terminal", &lines.join("\n"));
}

/// Item 10: the retort.toml `retort init` writes shows every setting of the README's table, and
/// with every example line uncommented it is still a valid configuration.
#[test]
fn init_shows_every_setting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = Project { dir };
    assert_eq!(p.run(&["init"]).code, 0);
    let written = std::fs::read_to_string(p.path().join("retort.toml")).expect("retort.toml");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README");
    let table = readme
        .split("## retort.toml")
        .nth(1)
        .expect("retort.toml section");
    let mut keys = Vec::new();
    for row in table.lines().take_while(|l| !l.starts_with("##")) {
        let Some(cell) = row.strip_prefix("| `") else {
            continue;
        };
        let cell = &cell[..cell.find(" |").expect("cell")];
        for key in cell.split(", ") {
            let key = key.trim_matches('`');
            keys.push(
                key.rsplit(' ')
                    .next()
                    .expect("key")
                    .trim_matches(['[', ']'])
                    .to_string(),
            );
        }
    }
    assert!(keys.len() >= 15, "{keys:?}");
    for key in &keys {
        assert!(
            written.contains(&format!("{key} = ")) || written.contains(&format!("[[{key}]]")),
            "retort init's retort.toml does not show `{key}`:\n{written}"
        );
    }
    // Every example uncommented: still loads.
    let uncommented: String = written
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest)
                if rest.starts_with('[')
                    || rest
                        .split_once(" = ")
                        .is_some_and(|(k, _)| !k.contains(' ')) =>
            {
                rest.to_string()
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(p.path().join("retort.toml"), &uncommented).expect("write");
    std::fs::create_dir_all(p.path().join("migrations/feature")).expect("mkdir");
    let o = p
        .command(&["heads"])
        .env("PGPASSWORD", "x")
        .output()
        .expect("runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{uncommented}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Item 11: `current` marks merge and branch points as Alembic does; `upgrade hed` suggests
/// `head`; `diff --exit-code`; a serial column carries no "untracked dependencies" hazard.
#[tokio::test]
async fn current_marks_target_suggestions_diff_exit_code_and_serial() {
    let db = fresh_database().await;
    let other = fresh_database().await;
    let p = Project::new();
    p.revision(
        "a1",
        "",
        "tenants",
        "CREATE TABLE tenants (id serial PRIMARY KEY);",
        "DROP TABLE tenants;",
    );
    p.revision(
        "b2",
        "a1",
        "users",
        "CREATE TABLE users (id int);",
        "DROP TABLE users;",
    );
    p.revision(
        "c3",
        "a1",
        "projects",
        "CREATE TABLE projects (id int);",
        "DROP TABLE projects;",
    );
    p.revision("d4", "b2, c3", "merge", "", "");
    let mut t = p.transcript_on(&db, &["upgrade", "hed"]);
    assert!(
        t.contains("exit: 5") && t.contains("did you mean head?"),
        "{t}"
    );
    t.push_str(&p.transcript_on(&db, &["upgrade", "head"]));
    t.push_str(&p.transcript_on(&db, &["current"]));
    assert!(t.contains("d4 (head) (mergepoint)"), "{t}");
    t.push_str(&p.transcript_on(&db, &["stamp", "--purge", "a1"]));
    t.push_str(&p.transcript_on(&db, &["current"]));
    assert!(t.contains("a1 (branchpoint)"), "{t}");
    // diff --exit-code: 1 when the sides differ, 0 when they do not.
    let differ = p.run(&["diff", &other.url, &db.url, "--summary", "--exit-code"]);
    assert_eq!(differ.code, 1, "{}", differ.stderr);
    assert!(
        differ.stdout.contains("create table public.tenants"),
        "{}",
        differ.stdout
    );
    assert!(!differ.stdout.contains("untracked"), "{}", differ.stdout);
    t.push_str(&format!(
        "$ retort diff EMPTY DB --summary --exit-code\nexit: {}\n{}{}\n",
        differ.code, differ.stdout, differ.stderr
    ));
    let same = p.run(&["diff", &db.url, &db.url, "--exit-code"]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert_eq!(p.run(&["diff", &other.url, &db.url]).code, 0);
    snapshot("current_and_targets", &t);
}

/// Item 11: `edit` with neither $VISUAL nor $EDITOR opens the revision in `vi`.
#[test]
fn edit_falls_back_to_vi() {
    let p = Project::new();
    p.revision("a1", "", "tenants", "SELECT 1;", "");
    let bin = p.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let vi = bin.join("vi");
    std::fs::write(
        &vi,
        "#!/bin/sh\necho \"$1\" > \"$(dirname \"$0\")/opened\"\n",
    )
    .expect("vi");
    let mut perms = std::fs::metadata(&vi).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&vi, perms).expect("chmod");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = p
        .command(&["edit", "a1"])
        .env("PATH", path)
        .env("EDITOR", "")
        .output()
        .expect("runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let opened = std::fs::read_to_string(bin.join("opened")).expect("vi ran");
    assert!(opened.trim().ends_with("migrations/a1.sql"), "{opened}");
}

/// Item 12: without `[autogenerate] dev_url`, `check` and `revision --autogenerate` make their
/// scratch databases on the target's server when its user may create databases (and say so),
/// instead of needing the project's local cluster.
#[tokio::test]
async fn scratch_databases_on_the_targets_server() {
    let db = fresh_database().await;
    let p = Project::new();
    std::fs::write(
        p.path().join("retort.toml"),
        "script_location = \"migrations\"\nfile_template = \"{rev}_{slug}\"\n[autogenerate]\nschema = [\"schema.sql\"]\n",
    )
    .expect("config");
    std::fs::write(
        p.path().join("schema.sql"),
        "CREATE TABLE tenants (id int PRIMARY KEY);\n",
    )
    .expect("schema");
    let t = p.transcript_on(&db, &["check"]);
    assert!(t.contains("exit: 1"), "{t}");
    assert!(
        t.contains("scratch databases on the server of the database URL"),
        "{t}"
    );
    assert!(
        !p.path().join(".retort/pg").exists(),
        "a local cluster was made"
    );
    let o = p.on(
        &db,
        &[
            "revision",
            "--autogenerate",
            "-m",
            "tenants",
            "--rev-id",
            "a1",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(p.path().join("migrations/a1_tenants.sql").exists());
    snapshot("scratch_on_target_server", &t);
}

/// Shell completions (clap_complete) and man pages (clap_mangen), made from the parser itself.
#[test]
fn completions_and_man_pages() {
    let p = Project::new();
    for (shell, marker) in [
        ("bash", "complete -F _retort"),
        ("zsh", "#compdef retort"),
        ("fish", "complete -c retort"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = p.run(&["completions", shell]);
        assert_eq!(o.code, 0, "{shell}: {}", o.stderr);
        assert!(o.stdout.contains(marker), "{shell}: no {marker:?}");
        // Every command is offered.
        for command in [
            "upgrade",
            "downgrade",
            "stamp",
            "autogenerate",
            "completions",
        ] {
            assert!(
                o.stdout.contains(command),
                "{shell} completion lacks {command}"
            );
        }
    }
    let bad = p.transcript(&["completions", "tcsh"]);
    assert!(bad.contains("exit: 2"), "{bad}");
    let man = p.run(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(
        man.stdout.starts_with(".ie"),
        "not roff: {}",
        &man.stdout[..80.min(man.stdout.len())]
    );
    assert!(man.stdout.contains(".TH retort 1"), "{}", man.stdout);
    assert!(
        man.stdout.contains("PostgreSQL schema migrations"),
        "{}",
        man.stdout
    );
    let dir = p.path().join("man");
    let o = p.run(&["man", "--dir", "man"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for page in [
        "retort.1",
        "retort-upgrade.1",
        "retort-revision.1",
        "retort-schema-dump.1",
    ] {
        let text =
            std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".SH SYNOPSIS"), "{page}");
    }
    let upgrade = std::fs::read_to_string(dir.join("retort-upgrade.1")).expect("page");
    assert!(upgrade.contains("single\\-transaction"), "{upgrade}");
    snapshot("completions_usage_error", &bad);
}

/// `--json` on upgrade, downgrade and stamp: one event per line, each valid against `Event` in
/// docs/json-schema.json, ending with `summary` (or `failed` with the exit code).
#[tokio::test]
async fn json_event_lines_for_deploy_pipelines() {
    let defs = json_schema_defs();
    let db = fresh_database().await;
    let p = Project::new();
    p.revision(
        "a1",
        "",
        "tenants",
        "CREATE TABLE tenants (id int);\nDO $$ BEGIN RAISE NOTICE 'made tenants'; END $$;",
        "DROP TABLE tenants;",
    );
    p.revision(
        "b2",
        "a1",
        "users",
        "CREATE TABLE users (id int);",
        "DROP TABLE users;",
    );
    p.revision(
        "c3",
        "b2",
        "broken",
        "CREATE TABLE projects (id int REFERENCES nowhere);",
        "",
    );
    let mut t = String::new();
    for args in [
        &["upgrade", "b2", "--json"][..],
        &["downgrade", "-1", "--json"],
        &["stamp", "b2", "--json"],
        &["upgrade", "head", "--json"],
    ] {
        let o = p.on(&db, args);
        let events: Vec<serde_json::Value> = o
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{args:?}: {e}: {l}")))
            .collect();
        for (i, e) in events.iter().enumerate() {
            validate(&defs, &defs["Event"], e, &format!("line {}", i + 1))
                .unwrap_or_else(|e| panic!("retort {args:?}: {e}"));
        }
        let last = events.last().expect("a last line");
        assert_eq!(
            last["event"],
            if o.code == 0 { "summary" } else { "failed" },
            "{args:?}"
        );
        if o.code != 0 {
            assert_eq!(last["exit_code"], o.code, "{args:?}");
        }
        // What a pipeline sees, durations left out.
        t.push_str(&format!("$ retort {}\nexit: {}\n", args.join(" "), o.code));
        for mut e in events {
            if let Some(obj) = e.as_object_mut() {
                for k in ["duration_ms", "waited_ms"] {
                    if obj.contains_key(k) {
                        obj.insert(k.into(), "[ms]".into());
                    }
                }
            }
            t.push_str(&format!("{e}\n"));
        }
        t.push('\n');
    }
    snapshot("json_events", &t);
}

/// `[autogenerate] include` / `exclude`: objects outside the patterns are not compared, on
/// either side (Alembic's `include_object` as configuration); a bad pattern is exit 3.
#[tokio::test]
async fn autogenerate_include_and_exclude_patterns() {
    let db = fresh_database().await;
    db.connect()
        .await
        .batch_execute(
            "CREATE TABLE tenants (id int PRIMARY KEY); CREATE TABLE legacy_orders (id int);
             CREATE SCHEMA audit; CREATE TABLE audit.events (id int); CREATE VIEW tenant_ids AS SELECT id FROM tenants;
             CREATE FUNCTION calc(int) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        )
        .await
        .expect("schema");
    let p = Project::new();
    std::fs::write(
        p.path().join("schema.sql"),
        "CREATE TABLE tenants (id int PRIMARY KEY);\n",
    )
    .expect("schema");
    let config = |extra: &str| {
        std::fs::write(
            p.path().join("retort.toml"),
            format!("script_location = \"migrations\"\n[autogenerate]\nschema = [\"schema.sql\"]\n{extra}"),
        )
        .expect("config");
    };
    config("");
    let mut t = p.transcript_on(&db, &["check"]);
    assert!(
        t.contains("exit: 1") && t.contains("legacy_orders") && t.contains("calc"),
        "{t}"
    );
    // A function is named without its arguments, as people write it.
    config(
        "exclude = [\"public.legacy_*\", \"audit\", \"view:public.*\", \"function:public.calc\"]\n",
    );
    let excluded = p.transcript_on(&db, &["check"]);
    assert!(excluded.contains("exit: 0"), "{excluded}");
    t.push_str(&excluded);
    config("include = [\"table:public.ten*\", \"schema:public\"]\n");
    let included = p.transcript_on(&db, &["check"]);
    assert!(included.contains("exit: 0"), "{included}");
    t.push_str(&included);
    config("exclude = [\"public.\"]\n");
    let bad = p.transcript_on(&db, &["check"]);
    assert!(bad.contains("exit: 3"), "{bad}");
    t.push_str(&bad);
    config("exclude = [\"tabel:public.legacy_*\"]\n");
    let misspelt = p.transcript_on(&db, &["check"]);
    assert!(
        misspelt.contains("exit: 3") && misspelt.contains("`table`?"),
        "{misspelt}"
    );
    t.push_str(&misspelt);
    snapshot(
        "include_exclude",
        &t.replace(&p.path().display().to_string(), "[dir]"),
    );
}

/// `revision_template` (Alembic's script.py.mako): new revision files are made from it, its
/// `{variables}` replaced; one that would not make a valid revision file is refused, nothing
/// written.
#[test]
fn revision_template_makes_new_files() {
    let p = Project::new();
    std::fs::write(
        p.path().join("retort.toml"),
        "script_location = \"migrations\"\nfile_template = \"{rev}_{slug}\"\nrevision_template = \"template.sql\"\n",
    )
    .expect("config");
    std::fs::write(
        p.path().join("template.sql"),
        "-- revision: {revision}\n-- down_revision: {down_revision}\n-- branch_labels: {branch_labels}\n-- depends_on: {depends_on}\n-- message: {message}\n-- created: {created}\n-- transactional: {transactional}\n-- reviewed-by: (fill in)\n\n-- retort:up\nSET LOCAL search_path = app;\n{up}\n-- retort:down\nSET LOCAL search_path = app;\n{down}",
    )
    .expect("template");
    let mut t = p.transcript(&["revision", "-m", "create tenants {up}", "--rev-id", "a1"]);
    let text = std::fs::read_to_string(p.path().join("migrations/a1_create_tenants_up.sql"))
        .expect("written");
    assert!(
        text.contains("-- reviewed-by: (fill in)")
            && text.contains("-- message: create tenants {up}"),
        "{text}"
    );
    t.push_str(&text);
    t.push_str(&p.transcript(&["revision", "-m", "users", "--rev-id", "b2"]));
    assert_eq!(p.run(&["heads"]).stdout, "b2 (head)\n");
    std::fs::write(
        p.path().join("template.sql"),
        "-- revision: {revision}\n-- down_revision: {down_revision}\n-- retort:up\n",
    )
    .expect("template");
    let bad = p.transcript(&["revision", "-m", "c", "--rev-id", "c3"]);
    assert!(
        bad.contains("exit: 10") && bad.contains("has no {up}"),
        "{bad}"
    );
    assert!(!p.path().join("migrations/c3_c.sql").exists());
    t.push_str(&bad);
    snapshot(
        "revision_template",
        &t.replace(&p.path().display().to_string(), "[dir]"),
    );
}

/// Alembic's `ensure_version`: the tables made once, nothing applied, a second run a no-op.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ensure_version_makes_the_tables_and_applies_nothing() {
    let db = fresh_database().await;
    let p = Project::new();
    p.revision(
        "a1",
        "",
        "tenants",
        "CREATE TABLE tenants (id int);",
        "DROP TABLE tenants;",
    );
    let mut t = p.transcript_on(&db, &["ensure-version"]);
    t.push_str(&p.transcript_on(&db, &["ensure-version"]));
    t.push_str(&p.transcript_on(&db, &["current"]));
    let tables: Vec<String> = db
        .connect()
        .await
        .query(
            "SELECT relname::text FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(tables, ["retort_history", "retort_version"], "{t}");
    assert!(
        t.contains("Created ") && t.contains("Already present: "),
        "{t}"
    );
    snapshot("ensure_version", &t);
}
