//! Every script directory under tests/fixtures/scripts: what `retort heads` and `retort history`
//! print for it (errors for the broken ones, the graph for the valid ones), snapshotted. A case
//! whose problem shows only when its SQL is read (an unterminated quote) names the command that
//! finds it in a `cmd` file (e.g. `upgrade --sql head`, offline: no database needed).

use std::path::Path;

use assert_cmd::Command;

/// A password in DATABASE_URL and PGPASSWORD: no case may print it, even at `RUST_LOG=trace`.
const PASSWORD: &str = "s3cr3t-PW-xyz";

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("retort").expect("binary built");
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

fn run(dir: &Path, args: &[&str]) -> String {
    let traced = command(dir, args)
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
    let out = command(dir, args).output().expect("retort runs");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains(PASSWORD)
            && !String::from_utf8_lossy(&out.stdout).contains(PASSWORD),
        "password printed in {}",
        dir.display()
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
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
    for case in cases {
        let name = case
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("case")
            .to_string();
        let valid = name.contains("-valid-");
        let cmd = std::fs::read_to_string(case.join("cmd")).unwrap_or_else(|_| "heads".into());
        let args: Vec<&str> = cmd.split_whitespace().collect();
        let mut text = run(&case, &args);
        if valid {
            text.push_str(&run(&case, &["history"]));
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
