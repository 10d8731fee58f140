//! Every no-database command on a small branched project, and every user-facing error of
//! `revision`, `merge` and target resolution, through the real binary; output snapshotted.

use std::path::Path;

use assert_cmd::Command;

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// An initialised project with a file template without dates, so file names are stable.
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = Self { dir };
        p.ok(&["init"]);
        let config = p.path().join("retort.toml");
        let text = std::fs::read_to_string(&config).expect("config").replace(
            "file_template = \"{year}{month}{day}_{hour}{minute}_{rev}_{slug}\"",
            "file_template = \"{rev}_{slug}\"",
        );
        std::fs::write(&config, text).expect("write config");
        p
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::cargo_bin("retort")
            .expect("binary")
            .args(args)
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env_remove("RETORT_CONFIG")
            .env_remove("DATABASE_URL")
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

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "retort {args:?} failed:\n{err}");
        out
    }

    /// A transcript of one command, for snapshots.
    fn transcript(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        format!("$ retort {}\nexit: {code}\n{out}{err}\n", args.join(" "))
    }

    /// The sample graph:
    ///   a1 -> b2 -> c3 (branchpoint) -> d4 -> f6 (merge of d4, e5) -> g7
    ///                               \-> e5 (label: feature)
    ///   x9 (root, label: audit) -> y8 (depends_on: b2)
    fn branched() -> Self {
        let p = Self::new();
        p.ok(&[
            "revision",
            "-m",
            "create tenants",
            "--rev-id",
            "a1a1a1a1a1a1",
        ]);
        p.ok(&["revision", "-m", "create users", "--rev-id", "b2b2b2b2b2b2"]);
        p.ok(&[
            "revision",
            "-m",
            "create projects",
            "--rev-id",
            "c3c3c3c3c3c3",
        ]);
        p.ok(&["revision", "-m", "add status", "--rev-id", "d4d4d4d4d4d4"]);
        p.ok(&[
            "revision",
            "-m",
            "feature table",
            "--rev-id",
            "e5e5e5e5e5e5",
            "--head",
            "c3c3",
            "--splice",
            "--branch-label",
            "feature",
        ]);
        p.ok(&[
            "merge",
            "heads",
            "-m",
            "merge feature",
            "--rev-id",
            "f6f6f6f6f6f6",
        ]);
        p.ok(&["revision", "-m", "documents", "--rev-id", "a7a7a7a7a7a7"]);
        p.ok(&[
            "revision",
            "-m",
            "audit schema",
            "--rev-id",
            "a9a9a9a9a9a9",
            "--head",
            "base",
            "--branch-label",
            "audit",
        ]);
        p.ok(&[
            "revision",
            "-m",
            "audit events",
            "--rev-id",
            "a8a8a8a8a8a8",
            "--head",
            "audit@head",
            "--depends-on",
            "b2b2",
        ]);
        p
    }
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({filters => vec![
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", "[created]"),
    ]}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn read_only_commands() {
    let p = Project::branched();
    let mut t = String::new();
    for args in [
        &["heads"][..],
        &["heads", "--resolve-dependencies"],
        &["heads", "-v"],
        &["branches"],
        &["history"],
        &["history", "-r", "c3c3:a7a7"],
        &["history", "-r", "feature@base:feature@head"],
        &["history", "-v", "-r", "d4d4:f6f6"],
        &["show", "f6f6"],
        &["show", "feature@head"],
        &["graph"],
        &["graph", "--format", "ascii"],
        &["graph", "--format", "mermaid"],
        &["graph", "--format", "dot"],
    ] {
        t.push_str(&p.transcript(args));
    }
    snapshot("read_only_commands", &t);
}

#[test]
fn json_outputs() {
    let p = Project::branched();
    let heads: serde_json::Value = serde_json::from_str(&p.ok(&["heads", "--json"])).expect("json");
    let ids: Vec<&str> = heads
        .as_array()
        .expect("array")
        .iter()
        .map(|h| h["revision"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["a7a7a7a7a7a7", "a8a8a8a8a8a8"]);
    let history: serde_json::Value =
        serde_json::from_str(&p.ok(&["history", "--json"])).expect("json");
    assert_eq!(history.as_array().map(Vec::len), Some(9));
    let show: serde_json::Value =
        serde_json::from_str(&p.ok(&["show", "e5e5", "--json"])).expect("json");
    assert_eq!(show[0]["branch_labels"], serde_json::json!(["feature"]));
    assert_eq!(
        show[0]["down_revisions"],
        serde_json::json!(["c3c3c3c3c3c3"])
    );
    let branches: serde_json::Value =
        serde_json::from_str(&p.ok(&["branches", "--json"])).expect("json");
    assert_eq!(branches[0]["branchpoint"]["revision"], "c3c3c3c3c3c3");
}

#[test]
fn errors() {
    let p = Project::branched();
    let mut t = String::new();
    for args in [
        // several heads and no --head
        &["revision", "-m", "x"][..],
        // a non-head without --splice
        &["revision", "-m", "x", "--head", "b2b2"],
        &["revision", "-m", "x", "--head", "nope"],
        &[
            "revision",
            "-m",
            "x",
            "--head",
            "a7a7",
            "--rev-id",
            "b2b2b2b2b2b2",
        ],
        &[
            "revision", "-m", "x", "--head", "a7a7", "--rev-id", "bad-id",
        ],
        &[
            "revision",
            "-m",
            "x",
            "--head",
            "a7a7",
            "--branch-label",
            "feature",
        ],
        &[
            "revision",
            "-m",
            "x",
            "--head",
            "a7a7",
            "--depends-on",
            "zzzz",
        ],
        &["merge", "a7a7", "-m", "x"],
        &["merge", "b2b2", "a7a7", "-m", "x"],
        &["show", "head"],
        &["show", "a"],
        &["show", "a7"],
        &["show", "nosuch@head"],
        &["history", "-r", "a7a7"],
        &["history", "-r", "a7a7:b2b2"],
        &["show", "feature@a9a9"],
        &["frobnicate"],
    ] {
        t.push_str(&p.transcript(args));
    }
    snapshot("errors", &t);
}

#[test]
fn init_refuses_to_overwrite_and_config_errors() {
    let p = Project::new();
    let mut t = p.transcript(&["init"]);
    std::fs::write(
        p.path().join("retort.toml"),
        "script_location = \"migrations\"\nversion_tabel = \"v\"\n",
    )
    .expect("write");
    t.push_str(&p.transcript(&["heads"]));
    std::fs::write(p.path().join("retort.toml"), "script_location = [\n").expect("write");
    t.push_str(&p.transcript(&["heads"]));
    std::fs::write(
        p.path().join("retort.toml"),
        "database_url = \"postgres://u:${NOT_SET_ANYWHERE}@h/db\"\n",
    )
    .expect("write");
    t.push_str(&p.transcript(&["heads"]));
    let empty = tempfile::tempdir().expect("tempdir");
    let out = Command::cargo_bin("retort")
        .expect("bin")
        .arg("heads")
        .current_dir(empty.path())
        .env("NO_COLOR", "1")
        .env_remove("RETORT_CONFIG")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("retort init"));
    snapshot("init_and_config_errors", &t);
}

#[test]
fn new_files_parse_and_carry_the_graph() {
    let p = Project::branched();
    let text = std::fs::read_to_string(p.path().join("migrations/f6f6f6f6f6f6_merge_feature.sql"))
        .expect("merge file");
    assert!(
        text.contains("-- down_revision: d4d4d4d4d4d4, e5e5e5e5e5e5\n"),
        "{text}"
    );
    let text = std::fs::read_to_string(p.path().join("migrations/a8a8a8a8a8a8_audit_events.sql"))
        .expect("file");
    assert!(
        text.contains("-- depends_on: b2b2b2b2b2b2\n"),
        "prefix resolved to the full id: {text}"
    );
    // A post-write hook runs on the new file.
    let config = p.path().join("retort.toml");
    let mut c = std::fs::read_to_string(&config).expect("config");
    c.push_str("\n[[post_write_hooks]]\nname = \"mark\"\ncommand = [\"sh\", \"-c\", \"echo '-- formatted' >> \\\"$0\\\"\", \"{path}\"]\n");
    std::fs::write(&config, c).expect("write");
    p.ok(&[
        "revision",
        "-m",
        "hooked",
        "--head",
        "a7a7",
        "--rev-id",
        "b1b1b1b1b1b1",
    ]);
    let text =
        std::fs::read_to_string(p.path().join("migrations/b1b1b1b1b1b1_hooked.sql")).expect("file");
    assert!(text.ends_with("-- formatted\n"), "{text}");
}

#[test]
fn edit_opens_the_revision_in_the_editor() {
    let p = Project::branched();
    let editor = p.path().join("fake-editor.sh");
    std::fs::write(&editor, "#!/bin/sh\necho '-- edited' >> \"$1\"\n").expect("write editor");
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .expect("chmod");
    let out = Command::cargo_bin("retort")
        .expect("binary")
        .args(["edit", "e5e5"])
        .current_dir(p.path())
        .env("EDITOR", &editor)
        .env_remove("VISUAL")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(p.path().join("migrations/e5e5e5e5e5e5_feature_table.sql"))
        .expect("file");
    assert!(text.ends_with("-- edited\n"), "{text}");
    let out = Command::cargo_bin("retort")
        .expect("binary")
        .args(["edit", "e5e5"])
        .current_dir(p.path())
        .env_remove("EDITOR")
        .env_remove("VISUAL")
        // Neither set: `vi`, here not on the PATH (ux.rs shows it started when it is).
        .env("PATH", p.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(10));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not start editor `vi`"));
}
