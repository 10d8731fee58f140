//! Every script directory under tests/fixtures/scripts: what `retort heads` and `retort history`
//! print for it (errors for the broken ones, the graph for the valid ones), snapshotted. A case
//! whose problem shows only when its SQL is read (an unterminated quote) names the command that
//! finds it in a `cmd` file (e.g. `upgrade --sql head`, offline: no database needed).

use std::path::Path;

use assert_cmd::Command;

fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("retort")
        .expect("binary built")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RETORT_CONFIG")
        .env_remove("DATABASE_URL")
        .output()
        .expect("retort runs");
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
