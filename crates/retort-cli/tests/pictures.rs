//! Pictures through the real binary: `graph --format svg|html` (lanes, current revisions
//! marked from a real database), `schema erd`, `doc`.

use std::path::{Path, PathBuf};
use std::process::Command;

use retort_test_support::fresh_database;

fn retort(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(assert_cmd::cargo::cargo_bin("retort"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .env_remove("RETORT_CONFIG")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        stderr,
    )
}

/// Revisions as (id, parents, depends_on, label, message, up SQL).
type Spec<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);

/// A project: a base, a branch with a label merged back, a dependency, two heads.
fn branched_project() -> tempfile::TempDir {
    let revisions: &[Spec] = &[
        (
            "a1base",
            "",
            "",
            "",
            "create tenants",
            "CREATE TABLE tenants (id int PRIMARY KEY);",
        ),
        (
            "b2users",
            "a1base",
            "",
            "",
            "create users",
            "CREATE TABLE users (id int PRIMARY KEY, tenant_id int REFERENCES tenants);",
        ),
        (
            "c3feat",
            "a1base",
            "",
            "feature",
            "feature table",
            "CREATE TABLE feature (id int);",
        ),
        ("d4merge", "b2users, c3feat", "", "", "merge feature", ""),
        (
            "e5docs",
            "d4merge",
            "",
            "",
            "documents",
            "CREATE TABLE documents (id int PRIMARY KEY, user_id int REFERENCES users);",
        ),
        (
            "f6audit",
            "",
            "b2users",
            "audit",
            "audit <events> & more",
            "CREATE TABLE audit (id int);",
        ),
    ];
    write_project(revisions)
}

fn write_project(revisions: &[Spec]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("migrations")).expect("mkdir");
    std::fs::write(
        dir.path().join("retort.toml"),
        "script_location = \"migrations\"\n",
    )
    .expect("config");
    for (i, (id, down, deps, label, msg, sql)) in revisions.iter().enumerate() {
        std::fs::write(
            dir.path().join(format!("migrations/{i:03}_{id}.sql")),
            format!("-- revision: {id}\n-- down_revision: {down}\n-- depends_on: {deps}\n-- branch_labels: {label}\n-- message: {msg}\n-- created: 2026-12-01 10:{i:02}:00+00:00\n\n-- retort:up\n{sql}\n\n-- retort:down\n"),
        )
        .expect("write");
    }
    dir
}

#[test]
fn graph_svg_and_html() {
    let dir = branched_project();
    let (code, svg, err) = retort(dir.path(), &["graph", "--format", "svg"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "no note without a database: {err}");
    assert!(svg.contains("audit &lt;events&gt; &amp; more"));
    assert!(!svg.contains("class=\"current\""));
    insta::assert_snapshot!("graph_svg", svg);
    let (code, html, _) = retort(dir.path(), &["graph", "--format", "html"]);
    assert_eq!(code, 0);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains(&svg));
    // The text formats are unchanged by the new ones.
    let (_, ascii, _) = retort(dir.path(), &["graph"]);
    assert!(!ascii.contains("<svg"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_svg_marks_the_current_revisions_of_a_reachable_database() {
    let db = fresh_database().await;
    let dir = branched_project();
    let url = db.url.as_str();
    let (code, _, err) = retort(dir.path(), &["--database-url", url, "upgrade", "b2users"]);
    assert_eq!(code, 0, "{err}");
    let (code, svg, err) = retort(
        dir.path(),
        &["--database-url", url, "graph", "--format", "svg"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        svg.matches("<tspan class=\"current\">current</tspan>")
            .count(),
        1
    );
    let row = svg.split("<g id=\"rev-b2users\"").nth(1).expect("row");
    assert!(row.split("</g>").next().unwrap_or("").contains("current"));
    // The terminal drawing, mermaid and dot mark it too.
    let (code, text, err) = retort(dir.path(), &["--database-url", url, "graph"]);
    assert_eq!(code, 0, "{err}");
    let line = text
        .lines()
        .find(|l| l.contains("b2users ("))
        .expect("line");
    assert!(
        line.starts_with('◉') && line.contains("b2users (current)"),
        "{text}"
    );
    assert_eq!(text.matches("(current)").count(), 1, "{text}");
    let (_, mermaid, _) = retort(
        dir.path(),
        &["--database-url", url, "graph", "--format", "mermaid"],
    );
    assert!(mermaid.contains("    class b2users current\n"), "{mermaid}");
    let (_, dot, _) = retort(
        dir.path(),
        &["--database-url", url, "graph", "--format", "dot"],
    );
    let node = dot
        .lines()
        .find(|l| l.contains("\"b2users\" ["))
        .expect("node");
    assert!(node.contains("fillcolor"), "{dot}");
    // Unreachable: drawn without, and said why.
    let bad = "postgres://nobody@127.0.0.1:1/nothing?connect_timeout=2";
    let (code, svg, err) = retort(
        dir.path(),
        &["--database-url", bad, "graph", "--format", "svg"],
    );
    assert_eq!(code, 0);
    assert!(err.contains("current revisions not marked"), "{err}");
    assert!(svg.contains("<svg") && !svg.contains("class=\"current\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_erd_from_a_database_and_from_its_json_model() {
    let db = fresh_database().await;
    let dir = branched_project();
    let p = dir.path();
    let url = db.url.as_str();
    let (code, _, err) = retort(p, &["--database-url", url, "upgrade", "heads"]);
    assert_eq!(code, 0, "{err}");
    let (code, mermaid, err) = retort(
        p,
        &[
            "--database-url",
            url,
            "schema",
            "erd",
            "--format",
            "mermaid",
        ],
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("erd_mermaid", mermaid);
    // The same picture from the database's JSON model (a side of `retort diff`).
    let (code, json, _) = retort(
        p,
        &["--database-url", url, "schema", "dump", "--format", "json"],
    );
    assert_eq!(code, 0);
    std::fs::write(p.join("model.json"), json).expect("write");
    for format in ["svg", "dot", "html"] {
        let (code, from_db, err) = retort(p, &["schema", "erd", url, "--format", format]);
        assert_eq!(code, 0, "{err}");
        let (code, from_json, err) =
            retort(p, &["schema", "erd", "model.json", "--format", format]);
        assert_eq!(code, 0, "{err}");
        let retitled = from_json.replace(
            "Schema of model.json",
            &format!("Schema of {}", retort_mask(url)),
        );
        assert_eq!(from_db, retitled, "{format}: same schema, same bytes");
    }
    let (_, dot, _) = retort(p, &["schema", "erd", "model.json", "--format", "dot"]);
    insta::assert_snapshot!("erd_dot", dot);
    let (_, svg, _) = retort(p, &["schema", "erd", "model.json"]);
    assert!(svg.starts_with("<svg") && svg.contains("entity-public.documents"));
    // Filters: one table, and what it references is not drawn.
    let (code, one, _) = retort(
        p,
        &[
            "schema",
            "erd",
            "model.json",
            "--format",
            "mermaid",
            "--table",
            "doc*",
        ],
    );
    assert_eq!(code, 0);
    assert!(one.contains("\"public.documents\"") && !one.contains("\"public.users\" {"));
    let (code, none, err) = retort(p, &["schema", "erd", "model.json", "--table", "nothing"]);
    assert_eq!(code, 0);
    assert!(
        none.contains("<svg") && err.contains("nothing to draw"),
        "{err}"
    );
    // The documentation site, with the project's history.
    let (code, _, err) = retort(p, &["doc", "model.json", "-o", "site"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("open site/index.html"), "{err}");
    let site = p.join("site");
    for table in ["audit", "documents", "feature", "tenants", "users"] {
        let page = std::fs::read_to_string(site.join(format!("tables/public.{table}.html")))
            .expect("page");
        assert!(page.contains(&format!("<h1>public.{table}</h1>")));
    }
    let history = std::fs::read_to_string(site.join("history.html")).expect("history");
    assert!(history.contains("merge feature") && history.contains("CREATE TABLE documents"));
    chromium_renders(
        &site,
        &["audit", "documents", "feature", "tenants", "users"],
    );
    // A missing file is an error naming it.
    let (code, _, err) = retort(p, &["schema", "erd", "missing.json"]);
    assert_ne!(code, 0);
    assert!(err.contains("missing.json"), "{err}");
}

/// What `mask_url` shows of a test URL (it has no password).
fn retort_mask(url: &str) -> String {
    retort::db::mask_url(url)
}

/// Open every page of the site in headless Chromium (when installed; CI installs it): no
/// console error, and every table name in the DOM of the index, the ERD and its own page
/// (skipped with a message when chromium is missing, unless `RETORT_REQUIRE_CHROMIUM` is set).
/// Screenshots of the index, ERD and history are kept in the target folder.
fn chromium_renders(site: &Path, tables: &[&str]) {
    let Some(chromium) = ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        assert!(
            std::env::var("RETORT_REQUIRE_CHROMIUM").is_err(),
            "chromium is missing and RETORT_REQUIRE_CHROMIUM is set"
        );
        eprintln!("SKIPPED the Chromium checks: no chromium on this machine");
        return;
    };
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("doc-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    let browse = |page: &str, extra: &[String]| {
        let url = format!("file://{}", site.join(page).display());
        let out = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .args(extra)
            .arg(&url)
            .output()
            .expect("chromium runs");
        let log = String::from_utf8_lossy(&out.stderr).to_string();
        let console: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
            .collect();
        assert!(console.is_empty(), "{page}: console messages: {console:?}");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    for page in ["index.html", "erd.html", "history.html"] {
        let dom = browse(page, &["--dump-dom".to_string()]);
        if page != "history.html" {
            for t in tables {
                assert!(dom.contains(t), "{page} shows {t}");
            }
        }
        let shot = shots.join(page.replace(".html", ".png"));
        browse(
            page,
            &[
                format!("--screenshot={}", shot.display()),
                "--window-size=1400,1000".into(),
            ],
        );
        assert!(
            std::fs::metadata(&shot).is_ok_and(|m| m.len() > 1000),
            "{} taken",
            shot.display()
        );
    }
    for t in tables {
        let dom = browse(
            &format!("tables/public.{t}.html"),
            &["--dump-dom".to_string()],
        );
        assert!(dom.contains(&format!("public.{t}")));
    }
}
