//! Every input under `fuzz/regressions/` (each found a bug while fuzzing, see RELIABILITY.md),
//! replayed through the code it broke with the invariant it broke, in ordinary `cargo test`
//! (the fuzz targets need nightly). The file name's prefix says which target found it.

use std::path::{Path, PathBuf};

fn regressions() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("fuzz/regressions exists")
        .filter_map(Result::ok)
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("read"))
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 4,
        "expected the kept inputs, found {}",
        out.len()
    );
    out
}

/// PostgreSQL's whitespace (scan.l's `space`).
fn pg_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

#[test]
fn fuzz_regressions_stay_fixed() {
    for (name, bytes) in regressions() {
        let text = String::from_utf8_lossy(&bytes);
        match name.split('-').next() {
            Some("splitter") => {
                let statements = retort::sql::split_statements(&text).expect("splits");
                for s in statements {
                    assert!(!s.text.is_empty(), "{name}: empty statement");
                    assert_eq!(s.text, s.text.trim_matches(pg_space), "{name}: not trimmed");
                }
            }
            Some("config") => {
                let parsed =
                    retort::config::Config::parse(&text, Path::new("/project/retort.toml"), |_| {
                        None
                    });
                if let Err(e) = parsed {
                    assert!(!e.to_string().contains('\n'), "{name}: {e}");
                }
            }
            Some("url") => {
                const PASSWORD: &str = "s3cr3tPWxyz";
                let (&form, rest) = bytes.split_first().expect("non-empty");
                // As fuzz/fuzz_targets/url.rs builds it: `user\0tail`, or only a tail.
                let rest = String::from_utf8_lossy(rest);
                let (user, tail) = rest.split_once('\0').unwrap_or(("alice", &rest));
                let url = match form % 4 {
                    0 => format!("postgres://{user}:{PASSWORD}@{tail}"),
                    1 => format!("postgresql://{tail}?password={PASSWORD}"),
                    2 => format!("postgres://{tail}?sslmode=disable&password={PASSWORD}"),
                    _ => format!("user={user} password={PASSWORD} {tail}"),
                };
                assert!(!retort::db::mask_url(&url).contains(PASSWORD), "{name}");
                match retort::db::Endpoint::parse(&url) {
                    Ok(t) => assert!(
                        !t.describe().contains(PASSWORD),
                        "{name}: {:?}",
                        t.describe()
                    ),
                    Err(e) => assert!(!format!("{e} {e:?}").contains(PASSWORD), "{name}: {e}"),
                }
            }
            Some("header") => {
                let _ = retort::script::parse_revision_file(&PathBuf::from("m/x.sql"), &bytes);
            }
            Some("target") => {}
            other => panic!("{name}: unknown target prefix {other:?}"),
        }
    }
}
