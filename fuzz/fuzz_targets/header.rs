//! The revision-file header parser: no panic on any bytes, and these invariants:
//! - an accepted file has a valid id (1-32 of `[A-Za-z0-9_]`) and the checksum of its SQL;
//! - the same text with CRLF line endings, or with a UTF-8 BOM, parses the same way (same id,
//!   parents, labels, dependencies, checksum), or fails the same way;
//! - a headers-only read of an accepted file finds the same header;
//! - every problem is one line.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use retort::script::{
    check_revision_id, checksum, parse_revision_file, parse_revision_file_with, RevisionFile,
    ScriptProblem, MAX_REVISION_ID_LEN,
};

fn key(f: &RevisionFile) -> (&str, &[String], &[String], &[String], bool, &str) {
    (
        &f.id,
        &f.down_revisions,
        &f.branch_labels,
        &f.depends_on,
        f.transactional,
        &f.checksum,
    )
}

fn one_line(problems: &[ScriptProblem]) {
    assert!(!problems.is_empty(), "an error with no problem");
    for p in problems {
        let shown = p.to_string();
        assert!(!shown.contains('\n'), "multi-line problem: {shown:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let path = Path::new("migrations/0001_fuzz.sql");
    let parsed = parse_revision_file(path, data);
    match &parsed {
        Ok(f) => {
            assert!(
                check_revision_id(&f.id).is_ok(),
                "accepted bad id {:?}",
                f.id
            );
            assert!(f.id.len() <= MAX_REVISION_ID_LEN);
            assert_eq!(f.checksum, checksum(&f.up_sql, f.down_sql.as_deref()));
            let headers = parse_revision_file_with(path, data, true)
                .expect("headers-only read of an accepted file fails");
            assert_eq!(
                (
                    &headers.id,
                    &headers.down_revisions,
                    &headers.branch_labels,
                    &headers.depends_on
                ),
                (&f.id, &f.down_revisions, &f.branch_labels, &f.depends_on)
            );
        }
        Err(problems) => one_line(problems),
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.contains('\r') || text.starts_with('\u{feff}') {
        return;
    }
    let crlf = text.replace('\n', "\r\n");
    let bom = format!("\u{feff}{text}");
    for variant in [crlf.as_bytes(), bom.as_bytes()] {
        let other = parse_revision_file(path, variant);
        match (&parsed, &other) {
            (Ok(a), Ok(b)) => assert_eq!(key(a), key(b)),
            (Err(_), Err(b)) => one_line(b),
            _ => panic!(
                "CRLF/BOM changes the outcome: {:?} vs {:?}",
                parsed.as_ref().map(|f| &f.id),
                other.as_ref().map(|f| &f.id)
            ),
        }
    }
});
