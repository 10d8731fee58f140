//! Running `../shared/tools/judge_pairs.py` on a corpus through the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// The judge's tool, or None (with a SKIPPED line) when ../shared is absent.
pub fn judge_tool() -> Option<PathBuf> {
    let judge = shared().join("tools/judge_pairs.py");
    if judge.is_file() {
        Some(judge)
    } else {
        eprintln!("SKIPPED: ../shared/tools/judge_pairs.py is absent (a plain clone has none)");
        None
    }
}

/// The judge's verbose output on `corpus` and its TOTAL line.
pub fn judge(tool: &Path, corpus: &Path) -> (String, String) {
    let out = Command::new("python3")
        .arg(tool)
        .arg("-v")
        .arg(corpus)
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_retort"))
        .args(["diff", "{from}", "{to}"])
        .output()
        .expect("python3 runs the judge");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let total = text
        .lines()
        .find(|l| l.starts_with("TOTAL"))
        .unwrap_or_else(|| {
            panic!(
                "no TOTAL line:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .to_string();
    (text, total)
}
