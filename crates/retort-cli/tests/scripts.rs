//! Every script directory under tests/fixtures/scripts: what `retort heads` and `retort history`
//! print for it (errors for the broken ones, the graph for the valid ones), snapshotted. Each case
//! runs in a copy of its folder, without the header cache, then twice with it (writing it, then
//! reading it): all three must print the same. A case whose problem shows only when its SQL is
//! read (an unterminated quote) names the command that finds it in a `cmd` file (e.g.
//! `upgrade --sql head`, offline: no database needed). A password is in DATABASE_URL and
//! PGPASSWORD: no case may print it, even at `RUST_LOG=trace`.

use std::path::Path;

use assert_cmd::Command;

/// A password in DATABASE_URL and PGPASSWORD: no case may print it, even at `RUST_LOG=trace`.
const PASSWORD: &str = "s3cr3t-PW-xyz";

fn command(dir: &Path, args: &[&str], cache: bool) -> Command {
    let mut c = Command::cargo_bin("retort").expect("binary built");
    if cache {
        c.env_remove("RETORT_NO_CACHE");
    } else {
        c.env("RETORT_NO_CACHE", "1");
    }
    c.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RETORT_CONFIG")
        .env_remove("RUST_LOG")
        .env(
            "DATABASE_URL",
            format!("postgres://app:{PASSWORD}@127.0.0.1:1/db"),
        )
        .env("PGPASSWORD", PASSWORD);
    c
}

fn run(dir: &Path, args: &[&str], cache: bool) -> String {
    if !cache {
        let traced = command(dir, args, cache)
            .env("RUST_LOG", "trace")
            .output()
            .expect("retort runs");
        for stream in [&traced.stdout, &traced.stderr] {
            assert!(
                !String::from_utf8_lossy(stream).contains(PASSWORD),
                "password printed in {}",
                dir.display()
            );
        }
    }
    let out = command(dir, args, cache).output().expect("retort runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains(PASSWORD) && !stdout.contains(PASSWORD),
        "password printed in {}",
        dir.display()
    );
    assert!(
        !stderr.contains("panicked"),
        "panic in {}: {stderr}",
        dir.display()
    );
    format!(
        "$ retort {}\nexit: {}\n--- stdout\n{stdout}--- stderr\n{stderr}",
        args.join(" "),
        out.status.code().unwrap_or(-1)
    )
}

#[test]
fn fixture_script_directories() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scripts");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures present")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 30,
        "expected the fixture corpus, found {}",
        cases.len()
    );
    // Copies of every case, older than the cache's racy window (files changed less than 3 s
    // before a run are read again, not taken from the cache), so the last run reads the cache.
    let tmp = tempfile::tempdir().expect("tempdir");
    for case in &cases {
        copy_dir(case, &tmp.path().join(case.file_name().expect("name")));
    }
    std::thread::sleep(std::time::Duration::from_millis(3200));
    for case in cases {
        let name = case
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("case")
            .to_string();
        let valid = name.contains("-valid-");
        let case = tmp.path().join(&name);
        let cmd = std::fs::read_to_string(case.join("cmd")).unwrap_or_else(|_| "heads".into());
        let args: Vec<&str> = cmd.split_whitespace().collect();
        let all = |cache: bool| {
            let mut text = run(&case, &args, cache);
            if valid {
                text.push_str(&run(&case, &["history"], cache));
            }
            text
        };
        let text = all(false);
        let cache_file = case.join(".retort/cache/headers");
        assert!(
            !case.join(".retort").exists(),
            "RETORT_NO_CACHE writes no cache"
        );
        assert_eq!(all(true), text, "{name}, writing the cache");
        let written = std::fs::metadata(&cache_file)
            .and_then(|m| m.modified())
            .ok();
        assert_eq!(all(true), text, "{name}, reading the cache");
        let now = std::fs::metadata(&cache_file)
            .and_then(|m| m.modified())
            .ok();
        assert_eq!(
            written, now,
            "{name}: the cache is not rewritten when nothing changed"
        );
        if valid {
            assert!(text.contains("exit: 0"), "{name} should load:\n{text}");
        } else {
            assert!(!text.contains("\nexit: 0\n"), "{name} should fail:\n{text}");
            assert!(
                text.contains("\nexit: 3\n") || text.contains("\nexit: 4\n"),
                "{name}: a broken config exits 3, a broken script directory 4:\n{text}"
            );
        }
        insta::assert_snapshot!(name, text);
    }
}

/// Copy a fixture folder byte for byte (files and folders only).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
