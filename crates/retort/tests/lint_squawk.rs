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
const OWN_RULE: &str = "a rule of retort's own, for a hazard squawk has no rule for (SET LOGGED/UNLOGGED/TABLESPACE rewrites, ATTACH PARTITION's scan, Citus moving a table's rows): the diff reports these too, so the linter must";
const IMMUTABLE: &str = "lower() is immutable: PostgreSQL 11+ stores the default once, no rewrite (squawk treats any function outside a short list as volatile)";

const JUSTIFIED: &[Justified] = &[
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
    ("", "SEQUENCE", "require-lock-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "SEQUENCE", "require-statement-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "VIEW", "require-lock-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "VIEW", "require-statement-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "FUNCTION", "require-lock-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "FUNCTION", "require-statement-timeout", Side::SquawkOnly, TIMEOUT_SCOPE),
    ("", "", "rewriting-table", Side::RetortOnly, OWN_RULE),
    ("", "", "attaching-partition", Side::RetortOnly, OWN_RULE),
    ("", "", "distributing-table", Side::RetortOnly, OWN_RULE),
    (
        "require-concurrent-partition-detach:good",
        "DETACH PARTITION",
        "prefer-robust-stmts",
        Side::SquawkOnly,
        "DETACH PARTITION has no IF EXISTS form to ask for; a DETACH ... CONCURRENTLY interrupted half way is completed with DETACH ... FINALIZE, which the rule's help does not cover. retort's prefer-robust-stmts asks only where PostgreSQL has an IF [NOT] EXISTS",
    ),
];

/// How retort covers one squawk rule.
#[derive(Debug, Clone, Copy)]
enum Cover {
    /// A retort rule of the same id.
    Same,
    /// A retort rule of another id covers it (a broader or a split rule).
    By(&'static str),
    /// Not covered, and why.
    Not(&'static str),
}

const OPT_IN_CONFIG: &str = "opt-in in squawk (off unless --include); not implemented";
const OPTIONS: &str = "opt-in in squawk; the settings of functions, views, roles, the database and the server are outside what retort lint models (no schema object's shape changes)";
const ADDITIVE: &str = "opt-in in squawk: an added column, enum value or composite attribute breaks only clients that cannot handle one; no lock or rewrite beyond what other rules report";

/// Every rule of the pinned squawk-cli (2.70.0; `.ci/run` installs it): its id, whether squawk
/// runs it by default, and how retort covers it. Made from the rule list compiled into the
/// binary (its `Rule` enum); each id is checked against the binary (`squawk --exclude=ID` accepts
/// it), and a rule squawk reports on the corpus that is missing here fails the differential.
const SQUAWK_RULES: &[(&str, bool, Cover)] = &[
    ("adding-field-with-default", true, Cover::Same),
    ("adding-foreign-key-constraint", true, Cover::Same),
    ("adding-not-nullable-field", true, Cover::Same),
    ("adding-required-field", true, Cover::Same),
    ("adding-serial-primary-key-field", true, Cover::Same),
    ("ban-add-column", false, Cover::Not(ADDITIVE)),
    ("ban-add-composite-attribute", false, Cover::Not(ADDITIVE)),
    ("ban-add-enum-value", false, Cover::Not(ADDITIVE)),
    ("ban-alter-database-options", false, Cover::Not(OPTIONS)),
    ("ban-alter-domain-with-add-constraint", true, Cover::Same),
    ("ban-alter-extension", false, Cover::Same),
    ("ban-alter-function-options", false, Cover::Not(OPTIONS)),
    ("ban-alter-generated-expression", false, Cover::Not("opt-in in squawk; ALTER COLUMN ... SET EXPRESSION (PostgreSQL 17) is not modelled: retort's diff drops and adds a generated column instead (ban-drop-column, adding-field-with-default)")),
    ("ban-alter-identity", true, Cover::Same),
    ("ban-alter-policy-condition", false, Cover::By("changing-authorization")),
    ("ban-alter-policy-roles", false, Cover::By("changing-authorization")),
    ("ban-alter-role-options", false, Cover::Not(OPTIONS)),
    ("ban-alter-row-level-security", false, Cover::By("changing-authorization")),
    ("ban-alter-sequence-values", false, Cover::Not(OPT_IN_CONFIG)),
    ("ban-alter-system-options", false, Cover::Not(OPTIONS)),
    ("ban-alter-view-options", false, Cover::Not(OPTIONS)),
    ("ban-char-field", true, Cover::Same),
    ("ban-concurrent-index-creation-in-transaction", true, Cover::Same),
    ("ban-create-domain-with-constraint", true, Cover::Same),
    ("ban-create-policy", false, Cover::By("changing-authorization")),
    ("ban-detach-inheritance", false, Cover::By("changing-inheritance")),
    ("ban-disable-trigger", false, Cover::Not(OPT_IN_CONFIG)),
    ("ban-drop-column", true, Cover::Same),
    ("ban-drop-constraint", true, Cover::Same),
    ("ban-drop-database", true, Cover::Same),
    ("ban-drop-default", true, Cover::Same),
    ("ban-drop-domain", true, Cover::Same),
    ("ban-drop-extension", true, Cover::Same),
    ("ban-drop-function", true, Cover::Same),
    ("ban-drop-generated-expression", true, Cover::Same),
    ("ban-drop-index", false, Cover::By("require-concurrent-index-deletion")),
    ("ban-drop-not-null", true, Cover::Same),
    ("ban-drop-policy", false, Cover::By("changing-authorization")),
    ("ban-drop-schema", true, Cover::Same),
    ("ban-drop-sequence", true, Cover::Same),
    ("ban-drop-table", true, Cover::Same),
    ("ban-drop-trigger", false, Cover::By("untracked-dependencies")),
    ("ban-drop-type", true, Cover::Same),
    ("ban-drop-view", true, Cover::Same),
    ("ban-duplicate-column-assignments", true, Cover::Not("an UPDATE or INSERT naming a column twice, which PostgreSQL itself rejects (multiple assignments to same column): the revision fails in its transaction and changes nothing; retort lint models DDL")),
    ("ban-new-write-restriction", false, Cover::Not("opt-in in squawk (a new CHECK or NOT NULL may reject writes old code makes); the scan it takes is reported by constraint-missing-not-valid and adding-not-nullable-field")),
    ("ban-replace-view-function", false, Cover::Not("opt-in in squawk; CREATE OR REPLACE keeps the object, its grants and dependents, and PostgreSQL refuses a replacement that drops or retypes a view column")),
    ("ban-replica-identity", false, Cover::Same),
    ("ban-revoke", false, Cover::By("changing-authorization")),
    ("ban-set-default", false, Cover::Not("opt-in in squawk; a new default applies to later inserts only: a catalog change under a brief lock, nothing rewritten")),
    ("ban-set-schema", true, Cover::Same),
    ("ban-truncate-cascade", true, Cover::Same),
    ("ban-uncommitted-transaction", true, Cover::Same),
    ("changing-column-type", true, Cover::Same),
    ("constraint-missing-not-valid", true, Cover::Same),
    ("disallowed-unique-constraint", true, Cover::Same),
    ("identifier-too-long", true, Cover::Not("not implemented yet: PostgreSQL truncates a name over 63 bytes with a NOTICE (the object is made, under the cut name); left for a later change")),
    ("prefer-bigint-over-int", true, Cover::Same),
    ("prefer-bigint-over-smallint", true, Cover::Same),
    ("prefer-identity", true, Cover::Same),
    ("prefer-repack", false, Cover::Not("opt-in in squawk; VACUUM FULL and CLUSTER are maintenance, not schema changes, and retort lint does not model them")),
    ("prefer-robust-stmts", true, Cover::Same),
    ("prefer-text-field", true, Cover::Same),
    ("prefer-timestamp-tz", true, Cover::Same),
    ("renaming-column", true, Cover::Same),
    ("renaming-object", true, Cover::Same),
    ("renaming-table", true, Cover::Same),
    ("require-concurrent-index-creation", true, Cover::Same),
    ("require-concurrent-index-deletion", true, Cover::Same),
    ("require-concurrent-partition-detach", true, Cover::Same),
    ("require-concurrent-reindex", true, Cover::Same),
    ("require-enum-value-ordering", true, Cover::Same),
    ("require-lock-timeout", true, Cover::Same),
    ("require-statement-timeout", true, Cover::Same),
    ("require-table-schema", false, Cover::Not("opt-in in squawk; retort reads an unqualified name as public's (as the default search_path does) and does not ask for qualification")),
    ("require-timeout-settings", false, Cover::By("require-lock-timeout")),
    ("transaction-nesting", true, Cover::Same),
];

#[test]
fn every_squawk_rule_is_covered_or_its_silence_justified() {
    for (id, _, cover) in SQUAWK_RULES {
        match cover {
            Cover::Same => assert!(
                retort::lint::find_rule(id).is_some(),
                "{id}: no retort rule of that id"
            ),
            Cover::By(other) => assert!(
                retort::lint::find_rule(other).is_some(),
                "{id}: covered by {other}, which is no retort rule"
            ),
            Cover::Not(why) => assert!(
                !why.is_empty() && retort::lint::find_rule(id).is_none(),
                "{id}: listed as not covered"
            ),
        }
    }
    let Some(bin) = squawk() else {
        eprintln!("SKIPPED: squawk is not installed (pip install squawk-cli); the rule list was not checked against it");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.sql");
    std::fs::write(&empty, "SELECT 1;\n").expect("write");
    for (id, _, _) in SQUAWK_RULES {
        let ok = Command::new(bin)
            .arg(format!("--exclude={id}"))
            .arg(&empty)
            .output()
            .expect("run squawk")
            .status
            .success();
        assert!(ok, "squawk does not know the rule {id}");
    }
    let same = SQUAWK_RULES
        .iter()
        .filter(|r| matches!(r.2, Cover::Same))
        .count();
    let by = SQUAWK_RULES
        .iter()
        .filter(|r| matches!(r.2, Cover::By(_)))
        .count();
    eprintln!(
        "squawk rules: {} ({} by default); {same} under the same id, {by} by another retort rule, {} not covered (each with its reason)",
        SQUAWK_RULES.len(),
        SQUAWK_RULES.iter().filter(|r| r.1).count(),
        SQUAWK_RULES.len() - same - by
    );
}

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
        for (_, rule) in &s {
            assert!(
                SQUAWK_RULES.iter().any(|r| r.0 == rule),
                "squawk reports {rule}, which SQUAWK_RULES does not list"
            );
        }
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
