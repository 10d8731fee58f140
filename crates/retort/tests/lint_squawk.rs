//! Differential test of `retort::lint` against squawk-cli (`pip install squawk-cli`; `.ci/run`
//! installs it): on a corpus of migration SQL — squawk's documented bad and good examples and
//! retort's own cases (`tests/lint_corpus/`), every retort rule's bad and good example, and
//! builtenv's revisions (their `-- retort:allow` comments disabled, so both tools see the same
//! SQL) — every (statement, rule) squawk reports, retort must report under the same id, and
//! every one retort reports squawk must too, except the differences listed in [`JUSTIFIED`],
//! each with its reason. A listed difference that no longer happens fails too (the list stays
//! true). Skips, saying so, where squawk is not installed.
//!
//! Transactional cases go to squawk with `--assume-in-transaction` (retort runs each revision in
//! a transaction); `-- transactional: false` ones without it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use retort::lint::{lint_section, Section, Settings};

/// Which side reports a (statement, rule) the other does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    /// squawk reports it, retort does not.
    SquawkOnly,
    /// retort reports it, squawk does not.
    RetortOnly,
}

/// (case, text the statement contains, rule, side, why).
type Justified = (&'static str, &'static str, &'static str, Side, &'static str);

const NEW_TABLE: &str = "the table is created earlier in the same revision: it is empty and no one else holds it, so nothing waits (squawk knows this for index creation and UNIQUE, not for these)";
const NOT_VALID_NA: &str = "PostgreSQL accepts NOT VALID only for CHECK and FOREIGN KEY; for UNIQUE, PRIMARY KEY and EXCLUDE retort reports the index build (disallowed-unique-constraint, adding-serial-primary-key-field) instead of advice that cannot be followed";
const TIMEOUT_SCOPE: &str = "retort asks for lock_timeout/statement_timeout before statements that take a SHARE or stronger lock on an existing table (ALTER TABLE, CREATE INDEX, DROP TABLE/INDEX, TRUNCATE); squawk before any DDL, including CREATE/ALTER DOMAIN and TYPE, CREATE EXTENSION, CREATE VIEW, DROP SCHEMA/DATABASE and CONCURRENTLY builds, which do not queue a table's readers and writers behind them";
const IMMUTABLE: &str = "lower() is immutable: PostgreSQL 11+ stores the default once, no rewrite (squawk treats any function outside a short list as volatile)";

const JUSTIFIED: &[Justified] = &[
    (
        "20261203_0600_5c1d8e2f4a90_authentication.sql",
        "ALTER TABLE users ALTER COLUMN role DROP DEFAULT",
        "ban-drop-default",
        Side::SquawkOnly,
        "the default is dropped only because the old one ('user') cannot be cast to the new enum, and set again two statements later in the same transactional revision: no committed state lacks it",
    ),
    (
        "20261203_0600_5c1d8e2f4a90_authentication.sql",
        "ALTER TABLE users ALTER COLUMN role DROP DEFAULT",
        "require-lock-timeout",
        Side::RetortOnly,
        "the revision sets no timeout: squawk reports that once, at the file's first DDL (CREATE TYPE, listed under TIMEOUT_SCOPE), retort at the first statement that locks an existing table, this one",
    ),
    (
        "20261203_0600_5c1d8e2f4a90_authentication.sql",
        "ALTER TABLE users ALTER COLUMN role DROP DEFAULT",
        "require-statement-timeout",
        Side::RetortOnly,
        "as for require-lock-timeout on this statement",
    ),
    (
        "",
        "PRIMARY KEY (",
        "constraint-missing-not-valid",
        Side::SquawkOnly,
        NOT_VALID_NA,
    ),
    (
        "",
        "UNIQUE (",
        "constraint-missing-not-valid",
        Side::SquawkOnly,
        NOT_VALID_NA,
    ),
    (
        "own.sql",
        "fresh ALTER COLUMN email SET NOT NULL",
        "adding-not-nullable-field",
        Side::SquawkOnly,
        NEW_TABLE,
    ),
    (
        "own.sql",
        "fresh ADD COLUMN token",
        "adding-field-with-default",
        Side::SquawkOnly,
        NEW_TABLE,
    ),
    (
        "own.sql",
        "fresh ADD COLUMN n int8 NOT NULL",
        "adding-required-field",
        Side::SquawkOnly,
        NEW_TABLE,
    ),
    (
        "squawk_docs.sql",
        "DEFAULT lower(",
        "adding-field-with-default",
        Side::SquawkOnly,
        IMMUTABLE,
    ),
    (
        "own.sql",
        "DROP CONSTRAINT IF EXISTS existing_old_check",
        "require-lock-timeout",
        Side::RetortOnly,
        "RESET lock_timeout comes before it, so it runs with no lock_timeout; squawk takes the file's first SET as enough for everything after",
    ),
    (
        "",
        "CREATE INDEX CONCURRENTLY",
        "prefer-robust-stmts",
        Side::SquawkOnly,
        "in a transactional revision it fails every time (ban-concurrent-index-creation-in-transaction, an error, reported by both); whether it can be run again is moot. In a `transactional: false` revision retort reports it (the rule's own example)",
    ),
    ("", "DOMAIN", "require-lock-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "DOMAIN", "require-statement-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "DROP DATABASE", "require-lock-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "DROP DATABASE", "require-statement-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "DROP SCHEMA", "require-lock-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "DROP SCHEMA", "require-statement-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "CREATE VIEW", "require-lock-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "CREATE VIEW", "require-statement-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "CONCURRENTLY", "require-lock-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "CONCURRENTLY", "require-statement-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    (
        "",
        "DROP INDEX CONCURRENTLY",
        "ban-concurrent-index-creation-in-transaction",
        Side::RetortOnly,
        "DROP INDEX CONCURRENTLY cannot run inside a transaction either: in a transactional revision it fails every time",
    ),
    (
        "ban-concurrent-index-creation-in-transaction:bad",
        "CREATE INDEX CONCURRENTLY",
        "ban-concurrent-index-creation-in-transaction",
        Side::RetortOnly,
        "a transactional revision runs in retort's transaction, where PostgreSQL refuses CONCURRENTLY (the trace test shows it); squawk 2.70 with --assume-in-transaction reports this in a file of several statements (squawk_docs.sql) but not when the file is this one statement",
    ),
    ("", "TYPE", "require-lock-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "TYPE", "require-statement-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "SCHEMA", "require-lock-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "SCHEMA", "require-statement-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "EXTENSION", "require-lock-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "EXTENSION", "require-statement-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
];

struct Case {
    name: String,
    sql: String,
    transactional: bool,
}

fn squawk() -> Option<&'static str> {
    let ok = Command::new("squawk")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some("squawk")
}

fn corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint_corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    for f in files {
        let sql = std::fs::read_to_string(&f).expect("read corpus file");
        cases.push(Case {
            name: f
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned(),
            transactional: !sql.contains("-- transactional: false"),
            sql,
        });
    }
    for rule in retort::lint::RULES {
        for (kind, sql) in [("bad", rule.bad), ("good", rule.good)] {
            cases.push(Case {
                name: format!("{}:{kind}", rule.id),
                transactional: !sql.contains("-- transactional: false"),
                sql: sql.to_string(),
            });
        }
    }
    cases.extend(builtenv());
    cases
}

/// builtenv's revisions: each up section, suppressions disabled.
fn builtenv() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../builtenv/migrations");
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("builtenv migrations")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read revision");
        let up = text.split("-- retort:up\n").nth(1).expect("up marker");
        let up = up.split("-- retort:down").next().unwrap_or(up);
        out.push(Case {
            name: f
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned(),
            transactional: !text.contains("-- transactional: false"),
            sql: up.replace("retort:allow", "retort:allow-disabled-for-the-differential"),
        });
    }
    out
}

/// (first line, last line) of each statement, 1-based.
fn statement_lines(sql: &str) -> Vec<(usize, usize, String)> {
    retort::sql::split_statements(sql)
        .expect("corpus splits")
        .iter()
        .map(|s| {
            (
                s.line,
                s.line + s.text.matches('\n').count(),
                s.text.to_string(),
            )
        })
        .collect()
}

fn statement_at(stmts: &[(usize, usize, String)], line: usize) -> usize {
    stmts
        .iter()
        .position(|(a, b, _)| *a <= line && line <= *b)
        .or_else(|| stmts.iter().rposition(|(a, _, _)| *a <= line))
        .unwrap_or(0)
}

fn run_squawk(bin: &str, case: &Case, dir: &Path) -> BTreeSet<(usize, String)> {
    let path = dir.join("case.sql");
    std::fs::write(&path, &case.sql).expect("write case");
    let mut cmd = Command::new(bin);
    cmd.args(["--reporter", "json"]);
    if case.transactional {
        cmd.arg("--assume-in-transaction");
    }
    let out = cmd.arg(&path).output().expect("run squawk");
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "squawk output for {}: {e}: {}",
            case.name,
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let stmts = statement_lines(&case.sql);
    found
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| {
            let line = v["line"].as_u64().expect("line") as usize + 1;
            (
                statement_at(&stmts, line),
                v["rule_name"].as_str().expect("rule").to_string(),
            )
        })
        .collect()
}

fn run_retort(case: &Case) -> BTreeSet<(usize, String)> {
    let section = Section {
        path: case.name.clone(),
        text: &case.sql,
        first_line: 1,
        transactional: case.transactional,
        revision: None,
    };
    let stmts = statement_lines(&case.sql);
    lint_section(&section, &Settings::default())
        .expect("lints")
        .into_iter()
        .map(|f| (statement_at(&stmts, f.line), f.rule.to_string()))
        .collect()
}

#[test]
fn retort_flags_what_squawk_flags() {
    let Some(bin) = squawk() else {
        eprintln!("SKIPPED: squawk is not installed (pip install squawk-cli); the differential did not run");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut both, mut unexplained, mut used) = (0, Vec::new(), BTreeSet::new());
    let mut counts = (0, 0);
    for case in corpus() {
        let s = run_squawk(bin, &case, dir.path());
        let r = run_retort(&case);
        both += s.intersection(&r).count();
        let stmts = statement_lines(&case.sql);
        let diffs = s
            .difference(&r)
            .map(|d| (d, Side::SquawkOnly))
            .chain(r.difference(&s).map(|d| (d, Side::RetortOnly)));
        for ((stmt, rule), side) in diffs {
            let text = &stmts[*stmt].2;
            let why = JUSTIFIED.iter().position(|j| {
                (j.0 == case.name || case.name.starts_with(j.0))
                    && text.contains(j.1)
                    && j.2 == rule
                    && j.3 == side
            });
            match why {
                Some(i) => {
                    used.insert(i);
                    if side == Side::SquawkOnly {
                        counts.0 += 1
                    } else {
                        counts.1 += 1
                    }
                }
                None => unexplained.push(format!("{}: {side:?} {rule}: {text}", case.name)),
            }
        }
    }
    eprintln!(
        "lint vs squawk: {both} (statement, rule) pairs flagged by both; {} justified silences, {} justified extras",
        counts.0, counts.1
    );
    let stale: Vec<_> = (0..JUSTIFIED.len())
        .filter(|i| !used.contains(i))
        .map(|i| JUSTIFIED[i])
        .collect();
    assert!(
        unexplained.is_empty(),
        "unexplained differences:\n{}",
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "justified differences that no longer happen: {stale:?}"
    );
    assert!(both > 50, "the corpus exercises the rules");
}
