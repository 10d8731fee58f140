//! Hostile and broken input: every case gets one clear message (snapshotted), its documented exit
//! code, no panic or backtrace, no password in the output, and leaves the database unchanged.
//! (Broken script directories are in `scripts.rs`; this covers targets, config, URLs, database
//! states, identifiers that need quoting and a 50 MB file.) Every case is listed in
//! tests/fixtures/HOSTILE.md.
//!
//! Secrets: every case runs twice, the second time with `RUST_LOG=trace` (retort's and the
//! driver's logs); PGPASSWORD is always the password, URLs carry it too, and neither run's
//! stdout or stderr (messages, logs, `--sql` output, JSON) may hold it, raw or URL-encoded.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use retort_test_support::{connect, fresh_database, server};

/// The password: in PGPASSWORD for every case, in the URL of many. It holds a `/`, so its
/// URL-encoded form differs and is checked too.
const PASSWORD: &str = "s3cr3t-PW/xyz";
/// [`PASSWORD`] as written in a URL.
const PASSWORD_URL: &str = "s3cr3t-PW%2Fxyz";

/// Whether `text` holds the password in any form a URL or a log could show it.
fn leaks(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    [PASSWORD, PASSWORD_URL, "s3cr3t-pw%2fxyz", "s3cr3t-PW"]
        .into_iter()
        .find(|p| text.contains(p) || lower.contains(&p.to_lowercase()))
}

fn command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("retort"));
    c.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .env_remove("RETORT_CONFIG")
        .env_remove("RUST_LOG")
        .env("PGPASSWORD", PASSWORD);
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

fn output(mut c: Command) -> (i32, String) {
    let out = c.output().expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn retort(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    output(command(dir, args, env))
}

/// The same command with every log on (`RUST_LOG=trace`): same exit code, and no password in
/// anything it prints. Returns the number of bytes scanned.
fn secrets_scan(dir: &Path, name: &str, args: &[&str], env: &[(&str, &str)], code: i32) -> usize {
    let mut c = command(dir, args, env);
    c.env("RUST_LOG", "trace");
    let (traced_code, text) = output(c);
    assert_eq!(
        traced_code, code,
        "{name}: exit code with RUST_LOG=trace\n{text}"
    );
    if let Some(p) = leaks(&text) {
        panic!("{name}: the password ({p}) is in the output at the most verbose level:\n{text}");
    }
    text.len()
}

/// A small branched project: a1 -> b2 -> {c3, d4 (label: feature)}, e5 (root, label: audit).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("migrations")).expect("mkdir");
    std::fs::write(
        dir.path().join("retort.toml"),
        "script_location = \"migrations\"\n",
    )
    .expect("config");
    for (id, down, labels) in [
        ("a1a1a1a1", "", ""),
        ("b2b2b2b2", "a1a1a1a1", ""),
        ("c3c3c3c3", "b2b2b2b2", ""),
        ("c3c4c4c4", "b2b2b2b2", "feature"),
        ("e5e5e5e5", "", "audit"),
    ] {
        std::fs::write(
            dir.path().join(format!("migrations/{id}.sql")),
            format!("-- revision: {id}\n-- down_revision: {down}\n-- branch_labels: {labels}\n-- message: {id}\n\n-- retort:up\nCREATE TABLE t_{id} (id int);\n\n-- retort:down\nDROP TABLE t_{id};\n"),
        )
        .expect("write");
    }
    dir
}

struct Case {
    name: &'static str,
    args: Vec<String>,
    code: i32,
    expect: &'static str,
}

fn case(name: &'static str, args: &[&str], code: i32, expect: &'static str) -> Case {
    Case {
        name,
        args: args.iter().map(|s| s.to_string()).collect(),
        code,
        expect,
    }
}

fn check(dir: &Path, cases: &[Case], env: &[(&str, &str)], transcript: &mut String) {
    for c in cases {
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let (code, text) = retort(dir, &args, env);
        assert_eq!(code, c.code, "{}: exit code\n{text}", c.name);
        assert!(
            text.contains(c.expect),
            "{}: expected {:?} in\n{text}",
            c.name,
            c.expect
        );
        assert!(
            !text.contains("panicked")
                && !text.contains("stack backtrace")
                && !text.contains("RUST_BACKTRACE"),
            "{}: panic\n{text}",
            c.name
        );
        assert!(
            leaks(&text).is_none(),
            "{}: password printed\n{text}",
            c.name
        );
        secrets_scan(dir, c.name, &args, env, code);
        transcript.push_str(&format!(
            "## {} (exit {code})\n$ retort {}\n{text}\n",
            c.name,
            args.join(" ")
                .replace(&format!("'{PASSWORD} x'"), "'[password] x'")
                .replace(PASSWORD_URL, "[password]")
                .replace(PASSWORD, "[password]")
        ));
    }
}

#[test]
fn targets_and_ranges() {
    let dir = project();
    let long = "x".repeat(5000);
    let cases = vec![
        case(
            "unknown id",
            &["show", "deadbeef"],
            5,
            "Can't locate revision identified by 'deadbeef'",
        ),
        case(
            "ambiguous prefix",
            &["show", "c3"],
            5,
            "Multiple revisions start with 'c3'",
        ),
        case(
            "unknown label",
            &["show", "nosuch@head"],
            5,
            "No such revision or branch 'nosuch'",
        ),
        case(
            "label of another branch",
            &["show", "audit@b2b2"],
            5,
            "is not a member of branch 'audit'",
        ),
        case(
            "head with several heads",
            &["show", "head"],
            5,
            "Multiple head revisions are present for given argument 'head'",
        ),
        case(
            "relative from two roots",
            &["upgrade", "--sql", "+9"],
            5,
            "Ambiguous walk",
        ),
        case(
            "relative past head",
            &["upgrade", "--sql", "e5e5+9"],
            5,
            "Relative revision +9 didn't produce 9 migrations",
        ),
        case(
            "relative past base",
            &["downgrade", "--sql", "b2b2:b2b2-5"],
            5,
            "Walked too far",
        ),
        case(
            "downgrade above current",
            &["downgrade", "--sql", "a1a1:c3c3c3c3"],
            5,
            "not a valid downgrade target",
        ),
        case(
            "minus in upgrade",
            &["upgrade", "--sql", "-1"],
            5,
            "Relative revision -1 didn't produce 1 migrations",
        ),
        case(
            "empty target",
            &["show", ""],
            5,
            "Can't locate revision identified by ''",
        ),
        case(
            "only an at sign",
            &["show", "@"],
            5,
            "Can't locate revision",
        ),
        case(
            "label and nothing",
            &["show", "feature@"],
            5,
            "Can't locate revision",
        ),
        case("double at", &["show", "a@b@c"], 5, "Can't locate revision"),
        case(
            "plus alone",
            &["upgrade", "--sql", "+"],
            5,
            "Can't locate revision identified by '+'",
        ),
        case(
            "very long target",
            &["show", &long],
            5,
            "Can't locate revision",
        ),
        case(
            "unicode target",
            &["show", "ŝçhéma"],
            5,
            "Can't locate revision identified by 'ŝçhéma'",
        ),
        case(
            "range without colon",
            &["history", "-r", "a1a1"],
            5,
            "History range requires [start]:[end]",
        ),
        case(
            "range not along a branch",
            &["history", "-r", "c3c3c3c3:c3c4c4c4"],
            5,
            "does not refer to ancestor/descendant revisions",
        ),
        case(
            "range with extra colon",
            &["history", "-r", "a1a1:b2b2:c3c3"],
            5,
            "Can't locate revision",
        ),
        case(
            "merge of one",
            &["merge", "a1a1", "-m", "x"],
            5,
            "Nothing to merge",
        ),
        case(
            "rev id with spaces",
            &["revision", "-m", "x", "--head", "e5e5", "--rev-id", "a b"],
            5,
            "contains ' '",
        ),
        case(
            "rev id too long",
            &[
                "revision",
                "-m",
                "x",
                "--head",
                "e5e5",
                "--rev-id",
                "abcdefghijklmnopqrstuvwxyz0123456",
            ],
            5,
            "the limit is 32",
        ),
        case(
            "label with a quote",
            &[
                "revision",
                "-m",
                "x",
                "--head",
                "e5e5",
                "--branch-label",
                "it's",
            ],
            5,
            "contains '\\''",
        ),
        case(
            "upgrade head with several heads",
            &["upgrade", "--sql", "head"],
            5,
            "Multiple head revisions are present",
        ),
        case(
            "ambiguous prefix as upgrade target",
            &["upgrade", "--sql", "c3"],
            5,
            "Multiple revisions start with 'c3'",
        ),
        case(
            "unknown upgrade target",
            &["upgrade", "--sql", "deadbeef"],
            5,
            "Can't locate revision identified by 'deadbeef'",
        ),
        case(
            "relative past base on a branch",
            &["downgrade", "--sql", "feature@head:feature@-9"],
            5,
            "",
        ),
        case(
            "unknown flag",
            &["upgrade", "head", "--frobnicate"],
            2,
            "unexpected argument '--frobnicate'",
        ),
        case(
            "missing argument",
            &["show"],
            2,
            "required arguments were not provided",
        ),
    ];
    let mut t = String::new();
    check(dir.path(), &cases, &[], &mut t);
    insta::assert_snapshot!(t);
}

#[test]
fn configuration() {
    let dir = project();
    let write = |text: &str| std::fs::write(dir.path().join("retort.toml"), text).expect("write");
    let mut t = String::new();
    let cases: Vec<(&str, &str, i32, &'static str)> = vec![
        (
            "invalid toml",
            "script_location = \"migrations\n",
            3,
            "retort.toml:1",
        ),
        (
            "unknown key",
            "script_location = \"migrations\"\nscript_locatoin = \"x\"\n",
            3,
            "did you mean `script_location`",
        ),
        ("wrong type", "script_location = 5\n", 3, "invalid type"),
        (
            "id length out of range",
            "revision_id_length = 100\n",
            3,
            "revision_id_length = 100 is out of range",
        ),
        (
            "bad timezone",
            "timezone = \"Mars/Base\"\n",
            3,
            "unknown timezone",
        ),
        (
            "template without rev",
            "file_template = \"{slug}\"\n",
            3,
            "has no {rev}",
        ),
        (
            "unset variable",
            "database_url = \"postgres://app:${NOT_SET_XYZ}@h/db\"\n",
            3,
            "${NOT_SET_XYZ}",
        ),
        (
            "unterminated variable",
            "database_url = \"postgres://app:${OOPS@h/db\"\n",
            3,
            "unterminated ${...}",
        ),
        (
            "bad lock mode",
            "lock_mode = \"sometimes\"\n",
            3,
            "unknown variant `sometimes`",
        ),
        (
            "missing script dir",
            "script_location = \"nowhere\"\n",
            4,
            "script directory nowhere does not exist",
        ),
        (
            "version table name too long",
            "version_table = \"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\"\n",
            3,
            "retort.toml: version_table",
        ),
        (
            "unknown key in a hook",
            "[[post_write_hooks]]\ncommand = [\"true\"]\nwhen = \"always\"\n",
            3,
            "unknown key `when`",
        ),
        (
            "key repeated",
            "script_location = \"migrations\"\nscript_location = \"db\"\n",
            3,
            "retort.toml:2",
        ),
        (
            "section instead of a key",
            "[script_location]\npath = \"migrations\"\n",
            3,
            "retort.toml:1",
        ),
        (
            "empty hook",
            "[[post_write_hooks]]\ncommand = []\n",
            3,
            "empty command",
        ),
    ];
    for (name, text, code, expect) in cases {
        write(text);
        check(
            dir.path(),
            &[Case {
                name,
                args: vec!["heads".into()],
                code,
                expect,
            }],
            &[],
            &mut t,
        );
    }
    write("script_location = \"migrations\"\n");
    check(
        dir.path(),
        &[case(
            "config is a directory",
            &["-c", "migrations", "heads"],
            3,
            "cannot read migrations",
        )],
        &[],
        &mut t,
    );
    check(
        dir.path(),
        &[case(
            "config missing",
            &["-c", "nope.toml", "heads"],
            3,
            "cannot read nope.toml",
        )],
        &[],
        &mut t,
    );
    check(
        dir.path(),
        &[case(
            "config from env",
            &["heads"],
            3,
            "cannot read other.toml",
        )],
        &[("RETORT_CONFIG", "other.toml")],
        &mut t,
    );
    insta::assert_snapshot!(t);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urls_and_database_states() {
    let db = fresh_database().await;
    let dir = project();
    let mut t = String::new();
    let refused = format!("postgres://app:{PASSWORD_URL}@127.0.0.1:1/db?connect_timeout=3");
    let bad_port = format!("postgres://app:{PASSWORD_URL}@localhost:99999/db");
    let dns = format!("postgresql://app:{PASSWORD_URL}@nonexistent.invalid/db?connect_timeout=3");
    let bad_mode = format!("postgres://app:{PASSWORD_URL}@localhost/db?sslmode=sometimes");
    let missing_db = db.url.replace(&db.name, "no_such_database");
    let raw_slash = format!("postgres://app:{PASSWORD}@127.0.0.1:1/db?connect_timeout=3");
    let second_q = format!("postgres://127.0.0.1:1/db?connect_timeout=3?password={PASSWORD_URL}");
    let key_value =
        format!("host=127.0.0.1 port=1 password = '{PASSWORD} x' connect_timeout=3 dbname=db");
    let mysql = format!("mysql://app:{PASSWORD_URL}@127.0.0.1:1/db");
    let cases = vec![
        case(
            "refused",
            &["current", "--database-url", &refused],
            6,
            "cannot reach the database server at 127.0.0.1:1/db",
        ),
        case(
            "port out of range",
            &["current", "--database-url", &bad_port],
            3,
            "port 99999 is not a number",
        ),
        case(
            "unknown host",
            &["current", "--database-url", &dns],
            6,
            "cannot reach the database server at nonexistent.invalid:5432/db",
        ),
        case(
            "bad sslmode",
            &["current", "--database-url", &bad_mode],
            3,
            "sslmode=sometimes is",
        ),
        case(
            "not a url",
            &["current", "--database-url", "this is not a url"],
            3,
            "not a URL (postgres://...) nor key=value settings",
        ),
        case(
            "password with an unencoded slash",
            &["current", "--database-url", &raw_slash],
            6,
            "",
        ),
        case(
            "password after a second question mark",
            &["current", "--database-url", &second_q],
            3,
            "",
        ),
        case(
            "quoted password in key=value form",
            &["current", "--database-url", &key_value],
            6,
            "",
        ),
        case(
            "unknown scheme",
            &["current", "--database-url", &mysql],
            3,
            "",
        ),
        case(
            "missing database",
            &["current", "--database-url", &missing_db],
            6,
            "database \"no_such_database\" does not exist",
        ),
    ];
    check(dir.path(), &cases, &[], &mut t);

    // Database states: each must change nothing.
    let client = connect(&db.url).await;
    let snapshot = || async {
        let c = connect(&db.url).await;
        let rows = c
            .simple_query("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
            .await
            .expect("query");
        format!("{rows:?}")
    };
    client
        .batch_execute("CREATE TABLE retort_version (something int)")
        .await
        .expect("odd table");
    let before = snapshot().await;
    check(
        dir.path(),
        &[case(
            "version table with other columns",
            &["upgrade", "a1a1", "--database-url", &db.url],
            9,
            "is not a version table: it has (something integer)",
        )],
        &[],
        &mut t,
    );
    assert_eq!(snapshot().await, before);
    client.batch_execute("DROP TABLE retort_version; CREATE TABLE retort_version (version_num varchar(32) PRIMARY KEY); INSERT INTO retort_version VALUES ('f00dface')").await.expect("unknown row");
    let before = snapshot().await;
    check(
        dir.path(),
        &[case(
            "version row naming an unknown revision",
            &["upgrade", "heads", "--database-url", &db.url],
            9,
            "names revision f00dface that is not in the script directory",
        )],
        &[],
        &mut t,
    );
    assert_eq!(snapshot().await, before);
    client
        .batch_execute("DELETE FROM retort_version")
        .await
        .expect("reset");
    client
        .batch_execute(&format!(
            "ALTER DATABASE {} SET default_transaction_read_only = on",
            db.name
        ))
        .await
        .expect("read only");
    let before = snapshot().await;
    check(
        dir.path(),
        &[case(
            "read-only database",
            &["upgrade", "a1a1", "--database-url", &db.url],
            6,
            "the database is read-only",
        )],
        &[],
        &mut t,
    );
    assert_eq!(snapshot().await, before);
    let t = t
        .replace(&db.url, "[url]")
        .replace(&missing_db, "[missing-db-url]")
        .replace(&db.name, "[db]");
    insta::with_settings!({filters => vec![(r"/tmp/[^/ ]+", "[tmp]")]}, {
        insta::assert_snapshot!(t);
    });
}

/// What a failed command must leave as it was: every relation of every non-system schema, every
/// schema, the roles' privileges on them, and the rows of the version table and its log.
async fn catalog(url: &str) -> String {
    let c = connect(url).await;
    let mut out = String::new();
    for q in [
        "SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY n.nspname, c.relname) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'",
        "SELECT string_agg(nspname || coalesce(nspacl::text, ''), ',' ORDER BY nspname) FROM pg_namespace",
    ] {
        let rows = c.simple_query(q).await.expect("catalog query");
        out.push_str(&format!("{rows:?}\n"));
    }
    for table in ["retort_version", "retort_history"] {
        let exists = c
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
            .await
            .expect("to_regclass");
        if exists.get::<_, bool>(0) {
            let rows = c
                .simple_query(&format!(
                    "SELECT string_agg(row_to_json(t)::text, ',' ORDER BY row_to_json(t)::text) FROM {table} t"
                ))
                .await
                .expect("rows");
            out.push_str(&format!("{table}: {rows:?}\n"));
        }
    }
    out
}

/// Run error cases against a database, each leaving the catalog as it was.
async fn check_unchanged(
    url: &str,
    dir: &Path,
    cases: &[Case],
    env: &[(&str, &str)],
    t: &mut String,
) {
    for c in cases {
        let before = catalog(url).await;
        check(dir, std::slice::from_ref(c), env, t);
        assert_eq!(
            catalog(url).await,
            before,
            "{}: the database changed",
            c.name
        );
    }
}

/// A login role `pw_user` with [`PASSWORD`], authenticated by scram-sha-256 (the throwaway
/// cluster trusts everyone else). `None` on a server named by `RETORT_TEST_DATABASE_URL`.
async fn password_role(admin_url: &str) -> Option<()> {
    server().cluster_dir()?;
    let c = connect(admin_url).await;
    c.batch_execute(&format!(
        "DO $$ BEGIN CREATE ROLE pw_user LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;\
         SET password_encryption = 'scram-sha-256';\
         ALTER ROLE pw_user PASSWORD '{PASSWORD}';\
         DO $$ BEGIN CREATE ROLE nopriv LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
    ))
    .await
    .expect("roles");
    let hba: String = c
        .query_one("SHOW hba_file", &[])
        .await
        .expect("hba_file")
        .get(0);
    let old = std::fs::read_to_string(&hba).ok()?;
    if !old.starts_with("local all pw_user") {
        std::fs::write(
            &hba,
            format!("local all pw_user scram-sha-256\nhost all pw_user 127.0.0.1/32 scram-sha-256\n{old}"),
        )
        .ok()?;
        c.batch_execute("SELECT pg_reload_conf()")
            .await
            .expect("reload");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Some(())
}

fn as_user(url: &str, userinfo: &str) -> String {
    url.replacen(
        "postgresql://postgres@",
        &format!("postgresql://{userinfo}@"),
        1,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_privileges_and_version_rows() {
    let db = fresh_database().await;
    let dir = project();
    let mut t = String::new();
    let url = db.url.clone();
    let have_roles = password_role(&db.admin_url).await.is_some();
    let admin = connect(&url).await;
    admin
        .batch_execute("CREATE SCHEMA locked; GRANT CONNECT ON DATABASE postgres TO PUBLIC")
        .await
        .expect("schema");

    let mut cases = Vec::new();
    let wrong = as_user(&url, "pw_user:s3cr3t-PW-nope");
    let nopw = as_user(&url, "pw_user");
    let nopriv = as_user(&url, "nopriv");
    if have_roles {
        cases.push(case(
            "wrong password in the URL",
            &["current", "--database-url", &wrong],
            6,
            "password authentication failed for user \"pw_user\"",
        ));
    }
    cases.extend([
        case(
            "no privilege on schema public",
            &["upgrade", "a1a1", "--database-url", &nopriv],
            6,
            "cannot create retort's tables",
        ),
        case(
            "unknown stamp target",
            &["stamp", "nosuch", "--database-url", &url],
            5,
            "Can't locate revision identified by 'nosuch'",
        ),
        case(
            "resolve with nothing interrupted",
            &["resolve", "a1a1", "--applied", "--database-url", &url],
            2,
            "has no interrupted run",
        ),
        case(
            "accept a revision that is not applied",
            &["verify", "--accept", "a1a1", "--database-url", &url],
            2,
            "is not applied",
        ),
        case(
            "upgrade to an unknown target",
            &["upgrade", "deadbeef", "--database-url", &url],
            5,
            "Can't locate revision",
        ),
    ]);
    let env_wrong: &[(&str, &str)] = &[("PGPASSWORD", "s3cr3t-PW-nope")];
    check_unchanged(&url, dir.path(), &cases, &[], &mut t).await;
    if have_roles {
        check_unchanged(
            &url,
            dir.path(),
            &[case(
                "wrong password in PGPASSWORD",
                &["current", "--database-url", &nopw],
                6,
                "password authentication failed for user \"pw_user\"",
            )],
            env_wrong,
            &mut t,
        )
        .await;
        check_unchanged(
            &url,
            dir.path(),
            &[case(
                "no password at all",
                &["current", "--database-url", &nopw],
                6,
                "and none was given",
            )],
            &[("PGPASSWORD", "")],
            &mut t,
        )
        .await;
    }

    // A version schema the role may not use.
    std::fs::write(
        dir.path().join("retort.toml"),
        "script_location = \"migrations\"\nversion_table_schema = \"locked\"\n",
    )
    .expect("config");
    check_unchanged(
        &url,
        dir.path(),
        &[
            case(
                "no privilege on the version schema (read)",
                &["current", "--database-url", &nopriv],
                6,
                "permission denied for schema locked",
            ),
            case(
                "no privilege on the version schema (upgrade)",
                &["upgrade", "a1a1", "--database-url", &nopriv],
                6,
                "permission denied for schema locked",
            ),
        ],
        &[],
        &mut t,
    )
    .await;
    std::fs::write(
        dir.path().join("retort.toml"),
        "script_location = \"migrations\"\n",
    )
    .expect("config");

    // Version rows that make targets ambiguous, or that the graph cannot hold.
    admin
        .batch_execute(
            "CREATE TABLE retort_version (version_num varchar(32) NOT NULL PRIMARY KEY);\
             INSERT INTO retort_version VALUES ('c3c3c3c3'), ('e5e5e5e5')",
        )
        .await
        .expect("two heads");
    check_unchanged(
        &url,
        dir.path(),
        &[
            case(
                "relative downgrade from two heads",
                &["downgrade", "-1", "--database-url", &url],
                5,
                "",
            ),
            case(
                "downgrade to a revision above a head",
                &["downgrade", "c3c4", "--database-url", &url],
                5,
                "",
            ),
        ],
        &[],
        &mut t,
    )
    .await;
    admin
        .batch_execute("DELETE FROM retort_version; INSERT INTO retort_version VALUES ('a1a1a1a1'), ('b2b2b2b2')")
        .await
        .expect("overlapping rows");
    check_unchanged(
        &url,
        dir.path(),
        &[case(
            "version rows that overlap (a revision and its parent)",
            &["upgrade", "heads", "--database-url", &url],
            9,
            "",
        )],
        &[],
        &mut t,
    )
    .await;
    admin
        .batch_execute(
            "DELETE FROM retort_version; INSERT INTO retort_version VALUES ('a1a1'), ('   ')",
        )
        .await
        .expect("odd rows");
    check_unchanged(
        &url,
        dir.path(),
        &[case(
            "version rows holding a prefix and blanks",
            &["upgrade", "heads", "--database-url", &url],
            9,
            "",
        )],
        &[],
        &mut t,
    )
    .await;

    let t = t.replace(&db.url, "[url]").replace(&db.name, "[db]");
    insta::with_settings!({filters => vec![(r"/tmp/[^/ ]+", "[tmp]"), (r"%2Ftmp%2F[^:@/ ]+", "[tmp]")]}, {
        insta::assert_snapshot!(t);
    });
}

/// Version table and schema names that need quoting (quotes, spaces, mixed case, unicode, an
/// injection attempt): everything works, the tables get exactly those names, nothing else runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identifiers_that_need_quoting() {
    let db = fresh_database().await;
    let url = db.url.clone();
    let admin = connect(&url).await;
    admin
        .batch_execute("CREATE TABLE victim (id int)")
        .await
        .expect("victim");
    let mut offline = String::new();
    for (table, schema) in [
        (
            "ver \"tbl\"; DROP TABLE victim; --",
            Some("Odd Schéma \"x\""),
        ),
        ("MixedCase Versions", None),
        ("versión_ü'); DROP TABLE victim; --", Some("ünïcode")),
    ] {
        let dir = project();
        let mut config = format!(
            "script_location = \"migrations\"\nversion_table = {}\n",
            toml_string(table)
        );
        if let Some(s) = schema {
            config.push_str(&format!("version_table_schema = {}\n", toml_string(s)));
        }
        std::fs::write(dir.path().join("retort.toml"), &config).expect("config");
        let mut t = String::new();
        check(
            dir.path(),
            &[
                case("offline", &["upgrade", "--sql", "a1a1"], 0, ""),
                case(
                    "upgrade",
                    &["upgrade", "a1a1", "--database-url", &url],
                    0,
                    "",
                ),
                case(
                    "current",
                    &["current", "--database-url", &url],
                    0,
                    "a1a1a1a1",
                ),
                case(
                    "upgrade further",
                    &["upgrade", "b2b2", "--database-url", &url],
                    0,
                    "",
                ),
                case(
                    "stamp where it is",
                    &["stamp", "b2b2", "--database-url", &url],
                    0,
                    "",
                ),
                case(
                    "status",
                    &["status", "--json", "--database-url", &url],
                    0,
                    "b2b2b2b2",
                ),
                case("verify", &["verify", "--database-url", &url], 0, ""),
                case(
                    "downgrade",
                    &["downgrade", "base", "--database-url", &url],
                    0,
                    "",
                ),
            ],
            &[],
            &mut t,
        );
        let (_, sql) = retort(dir.path(), &["upgrade", "--sql", "a1a1"], &[]);
        offline.push_str(&format!("## {config}\n{sql}\n"));
        let schema_name = schema.unwrap_or("public");
        let rows = admin
            .query(
                "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1",
                &[&schema_name],
            )
            .await
            .expect("tables");
        let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        assert!(
            names.contains(&table.to_string()),
            "{table:?} not in {schema_name:?}: {names:?}"
        );
        let victim: bool = admin
            .query_one("SELECT to_regclass('public.victim') IS NOT NULL", &[])
            .await
            .expect("victim")
            .get(0);
        assert!(victim, "an identifier ran as SQL: {table:?}");
    }
    insta::assert_snapshot!(offline);
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The same revision saved with CRLF line endings and a BOM has the same checksum: `verify`
/// finds nothing changed; a real change to its SQL is found (exit 9).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crlf_and_bom_keep_the_checksum() {
    let db = fresh_database().await;
    let dir = project();
    let mut t = String::new();
    let url = db.url.clone();
    check(
        dir.path(),
        &[case(
            "upgrade",
            &["upgrade", "b2b2", "--database-url", &url],
            0,
            "",
        )],
        &[],
        &mut t,
    );
    let file = dir.path().join("migrations/a1a1a1a1.sql");
    let lf = std::fs::read_to_string(&file).expect("read");
    let mut crlf = vec![0xEF, 0xBB, 0xBF];
    crlf.extend_from_slice(lf.replace('\n', "\r\n").as_bytes());
    std::fs::write(&file, &crlf).expect("write");
    check_unchanged(
        &url,
        dir.path(),
        &[case(
            "verify after CRLF and BOM",
            &["verify", "--database-url", &url],
            0,
            "",
        )],
        &[],
        &mut t,
    )
    .await;
    std::fs::write(&file, lf.replace("(id int)", "(id bigint)")).expect("write");
    check_unchanged(
        &url,
        dir.path(),
        &[
            case(
                "verify after a real change",
                &["verify", "--database-url", &url],
                9,
                "a1a1a1a1",
            ),
            case(
                "upgrade after a real change",
                &["upgrade", "heads", "--database-url", &url],
                9,
                "a1a1a1a1",
            ),
        ],
        &[],
        &mut t,
    )
    .await;
}

/// Success paths with the password really used (scram-sha-256, from the URL and from
/// PGPASSWORD) at `RUST_LOG=trace`, `-v`, `--json` and `--sql`: the password appears nowhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_on_success_paths() {
    let db = fresh_database().await;
    if password_role(&db.admin_url).await.is_none() {
        eprintln!("skipped: no throwaway cluster to set a password on");
        return;
    }
    let admin = connect(&db.url).await;
    admin
        .batch_execute(&format!("ALTER DATABASE {} OWNER TO pw_user", db.name))
        .await
        .expect("owner");
    let dir = project();
    let in_url = as_user(&db.url, &format!("pw_user:{PASSWORD_URL}"));
    let no_pw = as_user(&db.url, "pw_user");
    let in_query = format!("{no_pw}?password={PASSWORD_URL}");
    std::fs::write(
        dir.path().join("retort.toml"),
        format!("script_location = \"migrations\"\ndatabase_url = \"{in_url}\"\n"),
    )
    .expect("config");
    let mut t = String::new();
    for url in [&in_url, &no_pw, &in_query] {
        check(
            dir.path(),
            &[
                case(
                    "upgrade",
                    &["upgrade", "b2b2", "-v", "--database-url", url],
                    0,
                    "",
                ),
                case(
                    "current",
                    &["current", "-v", "--json", "--database-url", url],
                    0,
                    "b2b2b2b2",
                ),
                case(
                    "status",
                    &["status", "--json", "--database-url", url],
                    0,
                    "",
                ),
                case(
                    "verify",
                    &["verify", "--json", "--database-url", url],
                    0,
                    "",
                ),
                case("history", &["history", "-v", "--database-url", url], 0, ""),
                case(
                    "stamp where it is",
                    &["stamp", "b2b2", "--database-url", url],
                    0,
                    "",
                ),
                case(
                    "downgrade",
                    &["downgrade", "base", "-v", "--database-url", url],
                    0,
                    "",
                ),
                case(
                    "schema dump",
                    &["schema", "dump", "--database-url", url],
                    0,
                    "",
                ),
            ],
            &[],
            &mut t,
        );
    }
    // The URL from retort.toml, offline and online.
    check(
        dir.path(),
        &[
            case(
                "offline from the config's URL",
                &["upgrade", "--sql", "heads"],
                0,
                "",
            ),
            case(
                "online from the config's URL",
                &["current", "--json"],
                0,
                "",
            ),
            case("online from DATABASE_URL", &["current"], 0, ""),
        ],
        &[("DATABASE_URL", &in_url)],
        &mut t,
    );
}

/// A 50 MB revision file (made here, not committed): `heads` reads only its header, and
/// `upgrade --sql` reads, checksums and prints all of it, each in reasonable time.
#[test]
fn fifty_megabyte_file() {
    let dir = project();
    let path = dir.path().join("migrations/f0f0f0f0.sql");
    let mut text = String::from(
        "-- revision: f0f0f0f0\n-- down_revision: e5e5e5e5\n-- message: big\n\n-- retort:up\n",
    );
    let line = "INSERT INTO t_e5e5e5e5 VALUES (1); -- padding padding padding padding padding\n";
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(line);
    }
    text.push_str("\n-- retort:down\nDELETE FROM t_e5e5e5e5;\n");
    std::fs::write(&path, &text).expect("write 50 MB");
    let mut t = String::new();
    for (name, args, limit) in [
        ("heads", vec!["heads"], 10),
        ("upgrade --sql", vec!["upgrade", "--sql", "e5e5:f0f0"], 120),
    ] {
        let started = Instant::now();
        let (code, out) = retort(dir.path(), &args, &[]);
        let took = started.elapsed();
        assert_eq!(code, 0, "{name}: {}", &out[..out.len().min(2000)]);
        assert!(
            took < Duration::from_secs(limit),
            "{name} took {took:?} on a 50 MB file"
        );
        t.push_str(&format!("{name}: {} bytes of output\n", out.len()));
    }
    assert!(
        t.contains("upgrade --sql: 5"),
        "the SQL is printed whole: {t}"
    );
}
