//! `retort lint` through the real binary: text (file:line:column + caret), GitHub annotations,
//! JSON, suppressions, the exit code; table sizes from a real database (empty tables left alone,
//! bigger tables ranked first); `upgrade --lint` refusing an error-level finding.

use std::path::Path;
use std::process::Command;

use retort_test_support::{connect, fresh_database};

fn retort(dir: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("retort"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .env_remove("RETORT_CONFIG");
    c
}

/// A project whose revisions `r0`, `r1`... have these up sections.
fn project(ups: &[(&str, bool)], config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("migrations")).expect("mkdir");
    std::fs::write(
        dir.path().join("retort.toml"),
        format!("script_location = \"migrations\"\n{config}"),
    )
    .expect("config");
    for (i, (sql, transactional)) in ups.iter().enumerate() {
        let down = if i == 0 {
            String::new()
        } else {
            format!("r{}", i - 1)
        };
        std::fs::write(
            dir.path().join(format!("migrations/{i:04}_r{i}.sql")),
            format!("-- revision: r{i}\n-- down_revision: {down}\n-- message: step {i}\n-- transactional: {transactional}\n\n-- retort:up\n{sql}\n\n-- retort:down\n"),
        )
        .expect("write");
    }
    dir
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run retort");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const RISKY: &str = "-- the accounts table exists and is big\nCREATE INDEX accounts_email_idx ON accounts (email);\nALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n-- retort:allow ban-drop-table replaced by accounts_v2 in r0, no reader left\nDROP TABLE legacy;\nALTER TABLE accounts DROP COLUMN old; -- retort:allow ban-drop-column\nCREATE TABLE fresh (id bigint, email text);\nCREATE INDEX fresh_email_idx ON fresh (email);";

#[test]
fn text_output_exit_code_and_suppressions() {
    let dir = project(
        &[
            (RISKY, true),
            (
                "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY i ON accounts (a);",
                true,
            ),
        ],
        "",
    );
    let (code, out, err) = run(retort(dir.path()).arg("lint"));
    assert_eq!(code, 1, "an error-level finding exits 1; stderr: {err}");
    insta::assert_snapshot!("lint_text", out);
    // The suppression with its reason silences ban-drop-table; the one without a reason is
    // itself an error and silences nothing.
    assert!(!out.contains("[ban-drop-table]"));
    assert!(out.contains("[invalid-allow]") && out.contains("[ban-drop-column]"));
    // On the table made in the same revision, the index needs nothing.
    assert!(!out.contains("fresh_email_idx"));
}

#[test]
fn github_and_json_formats() {
    let dir = project(&[(RISKY, true)], "[lint]\nrules = { \"ban-drop-column\" = \"off\", \"require-statement-timeout\" = \"error\" }\n");
    let (code, out, _) = run(retort(dir.path()).args(["lint", "--format", "github"]));
    assert_eq!(code, 1);
    insta::assert_snapshot!("lint_github", out);
    assert!(
        !out.contains("title=ban-drop-column"),
        "turned off in retort.toml"
    );
    let (_, out, _) = run(retort(dir.path()).args(["lint", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["revisions"], 1);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .expect("present")
        .iter()
        .map(|f| f["rule"].as_str().expect("present"))
        .collect();
    assert!(
        rules.contains(&"require-concurrent-index-creation"),
        "{rules:?}"
    );
    let first = &v["findings"][0];
    assert_eq!(first["severity"], "error");
    assert!(
        first["line"].as_u64().expect("present") > 6
            && first["column"].as_u64().expect("present") >= 1
    );
}

#[test]
fn unknown_rule_in_config_is_a_config_error() {
    let dir = project(
        &[("SELECT 1;", true)],
        "[lint]\nrules = { \"ban-drop-tabel\" = \"off\" }\n",
    );
    let (code, _, err) = run(retort(dir.path()).arg("lint"));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("unknown rule `ban-drop-tabel`")
            && err.contains("did you mean `ban-drop-table`"),
        "{err}"
    );
}

/// Context: the same statements on a 1,000,000-row table rank above a 10-row one, and raise
/// nothing on an empty one.
#[tokio::test]
async fn table_sizes_rank_findings_and_empty_tables_are_left_alone() {
    let url = fresh_database().await.url;
    let c = connect(&url).await;
    c.batch_execute(
        "CREATE TABLE small (a int); INSERT INTO small SELECT g FROM generate_series(1, 10) g;
         CREATE TABLE big (a int); INSERT INTO big SELECT g FROM generate_series(1, 1000000) g;
         CREATE TABLE empty (a int); ANALYZE small; ANALYZE big;",
    )
    .await
    .expect("tables");
    let sql = "SET lock_timeout = '1s';\nSET statement_timeout = '1min';\nCREATE INDEX ON small (a);\nCREATE INDEX ON big (a);\nCREATE INDEX ON empty (a);\nALTER TABLE small ALTER a SET NOT NULL;\nALTER TABLE big ALTER a SET NOT NULL;\nALTER TABLE empty ALTER a SET NOT NULL;";
    let dir = project(&[(sql, true)], "");
    let (code, out, err) = run(retort(dir.path()).args(["lint", "--json", "--database-url", &url]));
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let tables: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .expect("present")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("present"),
                f["table"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        tables,
        [
            ("require-concurrent-index-creation", "big"),
            ("adding-not-nullable-field", "big"),
            ("require-concurrent-index-creation", "small"),
            ("adding-not-nullable-field", "small"),
        ],
        "big first, small next, empty not at all"
    );
    assert!(v["findings"][0]["size"]["rows"].as_i64().expect("present") >= 1_000_000);
}

#[tokio::test]
async fn upgrade_lint_refuses_an_error_level_finding() {
    let url = fresh_database().await.url;
    connect(&url)
        .await
        .batch_execute("CREATE TABLE accounts (email text)")
        .await
        .expect("table");
    let dir = project(
        &[(
            "ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;",
            true,
        )],
        "",
    );
    let (code, _, err) =
        run(retort(dir.path()).args(["upgrade", "head", "--lint", "--database-url", &url]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("upgrade refused") && err.contains("adding-not-nullable-field"),
        "{err}"
    );
    let nullable = connect(&url)
        .await
        .query_one(
            "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'accounts'",
            &[],
        )
        .await
        .expect("column");
    assert_eq!(nullable.get::<_, String>(0), "YES", "nothing ran");
    // Suppressed with a reason, it runs.
    let dir = project(&[("-- retort:allow adding-not-nullable-field accounts holds a few rows\nALTER TABLE accounts ALTER COLUMN email SET NOT NULL;", true)], "");
    let (code, _, err) =
        run(retort(dir.path()).args(["upgrade", "head", "--lint", "--database-url", &url]));
    assert_eq!(code, 0, "{err}");
}

/// `--trace` on real PostgreSQL: what each statement locked and rewrote, observed.
#[tokio::test]
async fn trace_observes_locks_and_rewrites() {
    let url = fresh_database().await.url;
    let dir = project(
        &[
            ("CREATE TABLE t (a int); INSERT INTO t SELECT g FROM generate_series(1, 1000) g;", true),
            ("CREATE INDEX t_a_idx ON t (a);\nCREATE INDEX CONCURRENTLY t_a_idx2 ON t (a);\nALTER TABLE t ADD COLUMN b int DEFAULT 0;\nALTER TABLE t ALTER COLUMN a TYPE bigint;", true),
        ],
        &format!("[autogenerate]\ndev_url = \"{url}\"\n"),
    );
    let (code, out, err) = run(retort(dir.path()).args(["lint", "r1", "--trace", "--json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let s = &v[0]["statements"];
    let locks = |i: usize| -> Vec<String> {
        s[i]["locks"]
            .as_array()
            .expect("present")
            .iter()
            .map(|l| {
                format!(
                    "{} {}",
                    l["mode"].as_str().expect("present"),
                    l["object"].as_str().expect("present")
                )
            })
            .collect()
    };
    let rewrites = |i: usize| s[i]["rewrites"].as_array().expect("present").len();
    assert!(
        locks(0).contains(&"ShareLock public.t".to_string()),
        "{:?}",
        locks(0)
    );
    assert_eq!(rewrites(0), 0);
    assert!(
        locks(1).is_empty()
            && s[1]["not_run"]
                .as_str()
                .expect("present")
                .contains("transactional: false")
    );
    assert!(
        locks(2).contains(&"AccessExclusiveLock public.t".to_string()),
        "{:?}",
        locks(2)
    );
    assert_eq!(
        rewrites(2),
        0,
        "a constant default is stored in the catalog"
    );
    assert!(
        s[3]["rewrites"]
            .as_array()
            .expect("present")
            .iter()
            .any(|r| r == "public.t"),
        "{}",
        s[3]
    );
    assert!(
        s[0]["locks"][0]["held_ms"].as_f64().expect("present")
            >= s[3]["ms"].as_f64().expect("present")
    );
}

/// builtenv's revisions lint clean (what they accept is in its retort.toml, with reasons).
#[test]
fn builtenv_revisions_are_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../builtenv");
    let (code, out, err) = run(retort(&dir).arg("lint"));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.trim(), "0 errors, 0 warnings in 6 revisions");
}

/// `--down` lints what a downgrade runs too, located in the down section.
#[test]
fn down_sections_are_linted_with_down() {
    let dir = project(&[("CREATE TABLE t (id bigint);", true)], "");
    let file = dir.path().join("migrations/0000_r0.sql");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        format!("{text}ALTER TABLE accounts DROP COLUMN legacy;\n"),
    )
    .expect("write");
    let (code, out, err) = run(retort(dir.path()).arg("lint"));
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("accounts"), "the up section is clean: {out}");
    let (code, out, err) = run(retort(dir.path()).args(["lint", "--down"]));
    assert_eq!(code, 0, "warnings only: {out}{err}");
    assert!(out.contains("[ban-drop-column]"), "{out}");
    assert!(
        out.contains("0000_r0.sql:10:"),
        "located in the down section: {out}"
    );
}
