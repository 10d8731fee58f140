//! The README's exit-code table is the documentation of `retort::exit::ExitCode`: keep them equal.

#[test]
fn readme_lists_every_exit_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README");
    for code in retort::exit::ExitCode::ALL {
        let row = format!("| {} | {} |", code.code(), code.describe());
        assert!(readme.contains(&row), "README is missing the row `{row}`");
    }
}
