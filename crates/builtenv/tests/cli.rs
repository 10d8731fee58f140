//! `builtenv migrate ...`: the retort commands of a deploy and a developer, on the embedded
//! migrations, with the `retort` CLI's output and exit codes.
//!
//! One test in its own binary (its own server): it downgrades to base, which may drop the
//! cluster-wide role builtenv_app (see migrations.rs).

mod support;

use std::process::Command;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn builtenv(url: &str, args: &[&str]) -> Out {
    let out = Command::new(support::BIN)
        .args(args)
        .env("DATABASE_URL", url)
        .env("NO_COLOR", "1")
        .output()
        .expect("run builtenv");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[track_caller]
fn ok(url: &str, args: &[&str]) -> Out {
    let out = builtenv(url, args);
    assert_eq!(out.code, 0, "{args:?}\n{}\n{}", out.stdout, out.stderr);
    out
}

#[tokio::test]
async fn migrate_commands() {
    let db = retort_test_support::fresh_database().await;
    let url = db.url.as_str();
    let (base, mid, auth, limits, keys, head) = (
        "3a9f1c2e7b64",
        "b7e24d90c1a5",
        "5c1d8e2f4a90",
        "8e3b6f1a2d47",
        "6d2f8a41c9e3",
        "9a4e1b7c3f52",
    );

    assert_eq!(
        ok(url, &["migrate", "heads"]).stdout,
        format!("{head} (head)\n")
    );
    assert_eq!(ok(url, &["migrate", "current"]).stdout, "");
    let show = ok(url, &["migrate", "show", "3a9f"]).stdout;
    assert!(
        show.starts_with(&format!("Rev: {base}\nParent: <base>\n")),
        "{show}"
    );

    let up = ok(url, &["migrate", "upgrade", "+1"]);
    let lines: Vec<&str> = up
        .stderr
        .lines()
        .filter(|l| !l.starts_with("NOTICE"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", up.stderr);
    assert_eq!(lines[0], format!("Running upgrade {base}, initial schema"));
    assert!(
        lines[1].starts_with("Applied 1 revision in ")
            && lines[1].ends_with(&format!(" ms; the database is now at {base}")),
        "{}",
        up.stderr
    );
    // Only the revision's own notice: not those of retort's bookkeeping ("already exists").
    let notices: Vec<&str> = up
        .stderr
        .lines()
        .filter(|l| l.starts_with("NOTICE"))
        .collect();
    assert_eq!(notices.len(), 1, "{}", up.stderr);
    assert!(
        notices[0].contains("TimescaleDB hypertable skipped"),
        "{}",
        up.stderr
    );

    let status = ok(url, &["migrate", "status"]).stdout;
    let lines: Vec<&str> = status.lines().collect();
    assert_eq!(lines.len(), 7, "{status}");
    assert!(
        lines[0].starts_with("applied ") && lines[0].ends_with(&format!("{base} initial schema"))
    );
    assert!(
        lines[1].starts_with("pending ")
            && lines[1].ends_with(&format!("{mid} documents content hash"))
    );
    assert!(
        lines[2].starts_with("pending ") && lines[2].ends_with(&format!("{auth} authentication"))
    );
    assert!(
        lines[3].starts_with("pending ") && lines[3].ends_with(&format!("{limits} rate limits"))
    );
    assert!(lines[4].starts_with("pending ") && lines[4].ends_with(&format!("{keys} tenant keys")));
    assert!(
        lines[5].starts_with("pending ")
            && lines[5].ends_with(&format!("{head} distribute on citus"))
    );
    assert_eq!(
        lines[6],
        format!("1 applied, 5 pending; version rows: {base}")
    );

    let up = ok(url, &["migrate", "upgrade", "head", "-v"]);
    assert!(up
        .stderr
        .contains(&format!("Running upgrade {mid}, documents content hash")));
    assert!(up
        .stderr
        .contains(&format!("Running upgrade {auth}, authentication")));
    assert!(up
        .stderr
        .contains(&format!("Running upgrade {limits}, rate limits")));
    assert!(up
        .stderr
        .contains(&format!("Running upgrade {keys}, tenant keys")));
    // Not a Citus database: the revision says so and changes nothing.
    assert!(
        up.stderr
            .contains(&format!("Running upgrade {head}, distribute on citus"))
            && up.stderr.contains(
                "Citus distribution skipped, every table stays on this server: \
                 the citus extension is not in this database"
            ),
        "{}",
        up.stderr
    );
    assert!(
        up.stderr.contains(
            "ms  CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_documents_tenant_id_content_hash"
        ),
        "{}",
        up.stderr
    );
    assert_eq!(
        ok(url, &["migrate", "current"]).stdout,
        format!("{head} (head)\n")
    );
    assert_eq!(
        ok(url, &["migrate", "history", "-i"]).stdout,
        format!(
            "{keys} -> {head} (head) (current), distribute on citus\n\
             {limits} -> {keys}, tenant keys\n\
             {auth} -> {limits}, rate limits\n\
             {mid} -> {auth}, authentication\n\
             {base} -> {mid}, documents content hash\n\
             <base> -> {base}, initial schema\n"
        )
    );
    assert_eq!(
        ok(url, &["migrate", "verify"]).stdout,
        "6 ok, 0 changed, 0 missing, 0 unrecorded\n"
    );
    assert!(ok(url, &["migrate", "upgrade", "head"])
        .stderr
        .contains(&format!("Nothing to upgrade: the database is at {head}")));

    let down = ok(url, &["migrate", "downgrade", "-1"]);
    assert!(down
        .stderr
        .contains(&format!("Running downgrade {head}, distribute on citus")));
    assert!(
        down.stderr.contains("Reverted 1 revision in "),
        "{}",
        down.stderr
    );
    assert!(down
        .stderr
        .contains(&format!("the database is now at {keys}")));
    assert_eq!(ok(url, &["migrate", "current"]).stdout, format!("{keys}\n"));
    // Down to `mid`, whose revision is idempotent: stamped back to base, `upgrade head` runs
    // it again over its own objects and the later ones afresh.
    let down = ok(url, &["migrate", "downgrade", mid]);
    assert!(down
        .stderr
        .contains(&format!("Running downgrade {auth}, authentication")));

    assert_eq!(
        ok(url, &["migrate", "stamp", head]).stderr,
        format!("Stamped the database at {head} (was {mid})\n")
    );
    ok(url, &["migrate", "stamp", base]);
    ok(url, &["migrate", "upgrade", "head"]);

    let sql = ok(
        url,
        &["migrate", "upgrade", &format!("{base}:head"), "--sql"],
    )
    .stdout;
    assert!(
        sql.contains("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_documents_tenant_id_content_hash"),
        "{sql}"
    );

    let down = ok(url, &["migrate", "downgrade", "base"]);
    assert!(
        down.stderr.contains("Reverted 6 revisions in "),
        "{}",
        down.stderr
    );
    assert!(
        down.stderr.contains("the database is now at base"),
        "{}",
        down.stderr
    );

    // Exit codes are retort's: 5 for a target that names nothing, 6 for no database.
    let bad = builtenv(url, &["migrate", "upgrade", "nosuchrev"]);
    assert_eq!(bad.code, 5, "{}", bad.stderr);
    let unreachable = builtenv(
        "postgresql://postgres@%2Fnonexistent%2Fsocket:5432/x",
        &["migrate", "current"],
    );
    assert_eq!(unreachable.code, 6, "{}", unreachable.stderr);
    let usage = builtenv(url, &["migrate", "frobnicate"]);
    assert_eq!(usage.code, 2);

    // `check` and `revision --autogenerate` compare the database at head with the models.
    ok(url, &["migrate", "upgrade", "head"]);
    assert_eq!(
        ok(url, &["migrate", "check"]).stdout,
        "No new upgrade operations detected.\n"
    );
    // A writing command, run from the source tree: the files on disk, and nothing written when
    // there is nothing to write (any file it did write is removed before failing).
    let scripts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let files = || -> std::collections::BTreeSet<std::path::PathBuf> {
        std::fs::read_dir(&scripts)
            .expect("read migrations/")
            .map(|e| e.expect("entry").path())
            .collect()
    };
    let before = files();
    let autogen = builtenv(
        url,
        &["migrate", "revision", "--autogenerate", "-m", "nothing"],
    );
    let written: Vec<_> = files().difference(&before).cloned().collect();
    for f in &written {
        let _ = std::fs::remove_file(f);
    }
    assert!(written.is_empty(), "wrote {written:?}\n{}", autogen.stdout);
    assert_eq!(autogen.code, 0, "{}\n{}", autogen.stdout, autogen.stderr);
    assert_eq!(autogen.stdout, "No changes detected\n");

    // A column dropped by hand: check names the operation that would bring it back, exit 1.
    let client = db.connect().await;
    client
        .batch_execute("ALTER TABLE documents DROP COLUMN engineer_notes")
        .await
        .expect("drop a column by hand");
    let drift = builtenv(url, &["migrate", "check"]);
    assert_eq!(drift.code, 1, "{}\n{}", drift.stdout, drift.stderr);
    assert_eq!(
        drift.stdout,
        "New upgrade operations detected:\n  - add column public.documents.engineer_notes\n"
    );
}
