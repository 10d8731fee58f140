//! `revision --autogenerate`, `check` and `diff` as a user runs them, on real PostgreSQL: the
//! desired schema in SQL files, scratch databases on the test server, the database at head.

use std::path::Path;
use std::process::Command;

use retort_test_support::{connect, fresh_database, server};

fn retort(dir: &Path, args: &[&str], url: &str) -> (i32, String, String) {
    let out = Command::new(assert_cmd::cargo::cargo_bin("retort"))
        .env("NO_COLOR", "1")
        .env_remove("RETORT_CONFIG")
        .env("DATABASE_URL", url)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run retort");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// A project whose desired schema is `schema.sql`, scratch databases on the test server.
fn project(schema: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("migrations")).expect("mkdir");
    std::fs::write(
        dir.path().join("retort.toml"),
        format!(
            "[autogenerate]\nschema = [\"schema.sql\"]\ndev_url = \"{}\"\n",
            server().admin_url()
        ),
    )
    .expect("config");
    std::fs::write(dir.path().join("schema.sql"), schema).expect("schema");
    dir
}

fn revision_files(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir.join("migrations"))
        .expect("migrations")
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).expect("read"))
        .collect();
    files.sort_by_key(|f| f.lines().nth(5).unwrap_or_default().to_string());
    files
}

/// The file with its random id and creation time masked.
fn masked(file: &str) -> String {
    file.lines()
        .map(|l| {
            if l.starts_with("-- revision: ") {
                "-- revision: [id]".to_string()
            } else if l.starts_with("-- down_revision: ") && l.len() > "-- down_revision: ".len() {
                "-- down_revision: [parent]".to_string()
            } else if l.starts_with("-- created: ") {
                "-- created: [time]".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const V1: &str = "CREATE TYPE status AS ENUM ('draft', 'active');
CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    status status NOT NULL DEFAULT 'draft'
);
CREATE INDEX tenants_name ON tenants (name);
";

const V2: &str = "CREATE TYPE status AS ENUM ('draft', 'review', 'active');
CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    status status NOT NULL DEFAULT 'draft',
    slug text UNIQUE,
    CHECK (name <> '')
);
CREATE INDEX tenants_name ON tenants (lower(name));
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON tenants USING (id = current_setting('app.tenant_id')::uuid);
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autogenerate_check_and_the_round_trip_of_what_it_wrote() {
    let db = fresh_database().await;
    let dir = project(V1);
    let p = dir.path();
    let mut transcript = String::new();
    let mut run = |args: &[&str]| {
        let (code, out, err) = retort(p, args, &db.url);
        transcript.push_str(&format!(
            "$ retort {}\nexit {code}\n{out}{err}\n",
            args.join(" ")
        ));
        (code, out)
    };

    // An empty database differs from the models.
    assert_eq!(run(&["check"]).0, 1);
    assert_eq!(
        run(&["revision", "--autogenerate", "-m", "create tenants"]).0,
        0
    );
    assert_eq!(run(&["upgrade", "head"]).0, 0);
    let (code, out) = run(&["check"]);
    assert_eq!(
        (code, out.trim()),
        (0, "No new upgrade operations detected.")
    );
    let (code, out) = run(&["revision", "--autogenerate", "-m", "nothing"]);
    assert_eq!((code, out.trim()), (0, "No changes detected"));
    assert_eq!(revision_files(p).len(), 1, "no file when nothing changed");

    // The models change.
    std::fs::write(p.join("schema.sql"), V2).expect("schema");
    assert_eq!(run(&["check"]).0, 1);
    assert_eq!(
        run(&["revision", "--autogenerate", "-m", "tenant slug and rls"]).0,
        0
    );
    // Not applied yet: Alembic's refusal.
    let (code, _) = run(&["revision", "--autogenerate", "-m", "too early"]);
    assert_eq!(code, 1);
    // Without a live database: the revisions replayed into a scratch database.
    let (code, out) = run(&["check", "--from-migrations"]);
    assert_eq!(
        (code, out.trim()),
        (0, "No new upgrade operations detected.")
    );
    assert_eq!(run(&["upgrade", "head"]).0, 0);
    assert_eq!(run(&["check"]).0, 0);
    // Down and up again through what was generated.
    assert_eq!(run(&["downgrade", "-1"]).0, 0);
    // Not at head: check refuses, as Alembic's does.
    assert_eq!(run(&["check"]).0, 1);
    assert_eq!(run(&["check", "--from-migrations"]).0, 0);
    assert_eq!(run(&["upgrade", "head"]).0, 0);
    assert_eq!(run(&["check"]).0, 0);
    assert_eq!(run(&["downgrade", "base"]).0, 0);
    let c = connect(&db.url).await;
    let left: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relname NOT LIKE 'retort_%'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(left, 0, "downgrade to base leaves nothing of the models");

    // The diff between the replayed revisions and the models is empty, and between an older
    // revision and the models it is what the second revision does.
    let (code, out) = run(&["diff", "migrations", "schema.sql"]);
    assert_eq!((code, out.as_str()), (0, ""));

    let raw = revision_files(p);
    let files: Vec<String> = raw.iter().map(|f| masked(f)).collect();
    let mut scrubbed = transcript.replace(&db.url, "[url]");
    for (i, f) in raw.iter().enumerate() {
        let id = f
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("-- revision: ");
        scrubbed = scrubbed.replace(id, &format!("[rev{}]", i + 1));
    }
    let scrubbed = scrubbed
        .lines()
        .map(|l| {
            if l.starts_with("Generating ") {
                "Generating [path] ...  done".to_string()
            } else if let Some((before, after)) = l.split_once(" in ") {
                // "Applied 1 revision in 20 ms; ...": the time varies.
                match after.split_once(" ms") {
                    Some((ms, rest)) if ms.chars().all(|c| c.is_ascii_digit()) => {
                        format!("{before} in [t] ms{rest}")
                    }
                    _ => l.to_string(),
                }
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("autogenerate_transcript", scrubbed);
    insta::assert_snapshot!("autogenerate_first_revision", files[0]);
    insta::assert_snapshot!("autogenerate_second_revision", files[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_file_that_does_not_load_is_shown_at_its_line() {
    let db = fresh_database().await;
    let dir = project("CREATE TABLE a (id int);\nCREATE TABLE b (id int REFERENCES nope(id));\n");
    let (code, out, err) = retort(dir.path(), &["check"], &db.url);
    assert_eq!(code, 7, "{out}{err}");
    insta::assert_snapshot!(err.replace(&db.url, "[url]"));
}

/// The model cache (issue 21) through the binary: a second `check` with the files and the
/// database unchanged takes both stored models, the desired schema's and the target
/// database's (neither entry is rewritten), and prints the same; a changed file is loaded
/// again; `[autogenerate] cache = false` keeps nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reuses_the_loaded_model_until_a_schema_file_changes() {
    use std::os::unix::fs::MetadataExt;
    let db = fresh_database().await;
    let dir = project("CREATE TABLE a (id int PRIMARY KEY);\n");
    let p = dir.path();
    let models = p.join(".retort/cache/models");
    let entries = || -> Vec<(std::path::PathBuf, u64)> {
        let mut v: Vec<_> = std::fs::read_dir(&models)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| (e.path(), e.metadata().expect("stat").ino()))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let first = retort(p, &["check"], &db.url);
    assert_eq!(first.0, 1, "{first:?}");
    assert!(first.1.contains("create table public.a"), "{first:?}");
    let stored = entries();
    assert_eq!(
        stored.len(),
        2,
        "the desired schema's and the target's: {stored:?}"
    );
    let second = retort(p, &["check"], &db.url);
    assert_eq!(second, first, "the same answer from the cache");
    assert_eq!(entries(), stored, "read, not rewritten");

    std::fs::write(
        p.join("schema.sql"),
        "CREATE TABLE b (id int PRIMARY KEY);\n",
    )
    .expect("write");
    let changed = retort(p, &["check"], &db.url);
    assert!(changed.1.contains("create table public.b"), "{changed:?}");
    assert!(!changed.1.contains("public.a"), "{changed:?}");
    assert_eq!(entries().len(), 3, "the target's entry is still good");

    let off = project("CREATE TABLE a (id int PRIMARY KEY);\n");
    let toml = off.path().join("retort.toml");
    let text = std::fs::read_to_string(&toml).expect("read");
    std::fs::write(&toml, format!("{text}cache = false\n")).expect("write");
    assert_eq!(retort(off.path(), &["check"], &db.url).1, first.1);
    assert!(!off.path().join(".retort/cache/models").exists());
}

/// A schema file that cannot run as one query (statements that refuse a transaction block, a new
/// enum label used before commit) still loads, statement by statement, as psql would load it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_file_that_needs_statements_run_one_by_one_loads() {
    let db = fresh_database().await;
    let dir = project(
        "CREATE TYPE mood AS ENUM ('ok');\nALTER TYPE mood ADD VALUE 'great';\n\
         CREATE TABLE a (id int, m mood DEFAULT 'great');\n\
         CREATE INDEX CONCURRENTLY a_id ON a (id);\n",
    );
    let (code, out, err) = retort(dir.path(), &["check"], &db.url);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("create index a_id"), "{out}{err}");
    assert!(out.contains("create table public.a"), "{out}{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_between_two_databases_prints_sql_and_hazards() {
    let a = fresh_database().await;
    let b = fresh_database().await;
    connect(&a.url)
        .await
        .batch_execute("CREATE TABLE t (id int PRIMARY KEY, gone text)")
        .await
        .expect("a");
    connect(&b.url)
        .await
        .batch_execute("CREATE TABLE t (id bigint PRIMARY KEY, born text)")
        .await
        .expect("b");
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, sql, _) = retort(dir.path(), &["diff", &a.url, &b.url], &a.url);
    assert_eq!(code, 0);
    let (code, summary, _) = retort(dir.path(), &["diff", "--summary", &a.url, &b.url], &a.url);
    assert_eq!(code, 0);
    let (code, renamed, _) = retort(
        dir.path(),
        &["diff", "--rename", "public.t.gone=born", &a.url, &b.url],
        &a.url,
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!(format!(
        "{sql}\n-- summary\n{summary}\n-- with --rename public.t.gone=born\n{renamed}"
    ));
    let (code, _, err) = retort(
        dir.path(),
        &["diff", "--rename", "nonsense", &a.url, &b.url],
        &a.url,
    );
    assert_eq!(code, 2, "{err}");
}

/// Issue 16 item 12: run as root in a project directory the `postgres` user cannot enter (a
/// 0700 temporary directory), with a database user that may not create databases and no
/// `dev_url`, `check` still has a scratch server: the scratch cluster lives under the temporary
/// directory instead, and a note says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_in_a_directory_postgres_cannot_enter_uses_a_scratch_cluster_elsewhere() {
    use std::io::Write as _;
    let uid = Command::new("id").arg("-u").output().expect("id -u").stdout;
    if String::from_utf8_lossy(&uid).trim() != "0" {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED check_in_a_directory_postgres_cannot_enter_uses_a_scratch_cluster_elsewhere: \
             only as root"
        );
        return;
    }
    let db = fresh_database().await;
    let role = format!("nocreate_{}", &db.name[db.name.len() - 8..]);
    connect(&db.url)
        .await
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN NOCREATEDB; GRANT ALL ON SCHEMA public TO {role}"
        ))
        .await
        .expect("role");
    let url = db.url.replacen("postgres@", &format!("{role}@"), 1);
    assert_ne!(url, db.url, "the URL names its user: {}", db.url);
    // 0700 and owned by root: the postgres user cannot enter it.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .expect("chmod");
    std::fs::create_dir(p.join("migrations")).expect("mkdir");
    std::fs::write(
        p.join("retort.toml"),
        "[autogenerate]\nschema = [\"schema.sql\"]\n",
    )
    .expect("config");
    std::fs::write(
        p.join("schema.sql"),
        "CREATE TABLE a (id int PRIMARY KEY);\n",
    )
    .expect("schema");
    let (code, out, err) = retort(p, &["check"], &url);
    let (stop, _, stop_err) = retort(p, &["dev", "stop"], &url);
    assert_eq!(code, 1, "drift found, not exit 6: {out}{err}");
    assert!(out.contains("create table public.a"), "{out}");
    assert!(
        err.contains("cannot enter") && err.contains("retort-scratch-"),
        "{err}"
    );
    assert_eq!(stop, 0, "{stop_err}");
    assert!(
        stop_err.contains("Stopped the scratch PostgreSQL"),
        "{stop_err}"
    );
    // Each project has its own cluster there (named for its absolute path): remove this one.
    let scratch = err
        .split_whitespace()
        .find(|w| w.contains("retort-scratch-"))
        .map(|w| w.trim_end_matches([',', ')', ':']));
    if let Some(dir) = scratch {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A PL/pgSQL function declaring a variable of a table's row type, which PostgreSQL checks when
/// the function is made but records no dependency on: the table is made later in the script.
const ROWTYPE_VARIABLE: &str = "CREATE TABLE \"user\" (id int PRIMARY KEY, name text);
CREATE FUNCTION first_user() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    account public.\"user\";
BEGIN
    SELECT * INTO account FROM public.\"user\" LIMIT 1;
    RETURN account.name;
END;
$$;
";

/// pgschema issue 320: `SET check_function_bodies = false` at the top of what the diff writes
/// holds wherever that SQL runs: in the revision `revision --autogenerate` writes, applied by the
/// runner (up, down and up again), in `retort diff`'s output and in `schema dump`'s, each run in
/// one session as psql runs a file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_bodies_naming_tables_made_later_are_not_checked() {
    let db = fresh_database().await;
    let dir = project(ROWTYPE_VARIABLE);
    let p = dir.path();
    let (code, out, err) = retort(p, &["revision", "--autogenerate", "-m", "users"], &db.url);
    assert_eq!(code, 0, "{out}{err}");
    let file = &revision_files(p)[0];
    let up = file.split("-- retort:down").next().unwrap_or_default();
    let set = up.find("SET check_function_bodies = false;");
    let create = up.find("CREATE OR REPLACE FUNCTION public.first_user()");
    let table = up.find("CREATE TABLE \"public\".\"user\"");
    assert!(set.is_some() && set < create && create < table, "{file}");
    for args in [
        &["upgrade", "head"][..],
        &["check"],
        &["downgrade", "base"],
        &["upgrade", "head"],
    ] {
        let (code, out, err) = retort(p, args, &db.url);
        assert_eq!(code, 0, "retort {args:?}: {out}{err}");
    }
    // `retort diff` from an empty database, and `schema dump`, each run as one script.
    let empty = fresh_database().await;
    let (code, diff, err) = retort(p, &["diff", &empty.url, &db.url], &db.url);
    assert_eq!(code, 0, "{err}");
    let (code, dump, err) = retort(p, &["schema", "dump", "--database-url", &db.url], &db.url);
    assert_eq!(code, 0, "{err}");
    for script in [diff, dump] {
        let target = fresh_database().await;
        let c = connect(&target.url).await;
        c.batch_execute(&script)
            .await
            .unwrap_or_else(|e| panic!("{e}:\n{script}"));
        let made: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_proc WHERE proname = 'first_user'",
                &[],
            )
            .await
            .expect("count")
            .get(0);
        assert_eq!(made, 1, "{script}");
    }
}
