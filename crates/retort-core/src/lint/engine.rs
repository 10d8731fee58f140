//! Running the rules over one section of a revision: statements split and classified, each
//! checked in the state the ones before it left, findings filtered by context (tables made in
//! the same revision, empty tables), configuration and `-- retort:allow`, then located.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::parse::parse;
use super::rule::{Hit, Rule, Severity};
use super::rules::ALL;
use super::state::State;
use super::suppress::{allows, Allow};
use super::token::tokenize;
use super::LintError;

/// SQL to lint: a section of a revision file (or any SQL file).
#[derive(Debug, Clone)]
pub struct Section<'a> {
    /// Shown in findings (as given).
    pub path: String,
    pub text: &'a str,
    /// Line of the file where `text` starts.
    pub first_line: usize,
    /// Runs inside retort's transaction (`transactional: true`).
    pub transactional: bool,
    pub revision: Option<String>,
}

/// A table's size in the database, for ranking and for leaving empty tables alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableSize {
    /// Bytes of the table's heap (0: empty).
    pub bytes: i64,
    /// The planner's estimate (`reltuples`; 0 when never analysed).
    pub rows: i64,
}

/// How to lint: severities from retort.toml, the session's timeouts, table sizes.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Rule id → severity, over the rule's default (`off` turns it off).
    pub severities: BTreeMap<String, Severity>,
    /// (revision id, rule id) accepted in retort.toml (`[[lint.allow]]`).
    pub allowed: BTreeSet<(String, String)>,
    /// retort.toml sets `lock_timeout` / `statement_timeout` for the migrating session.
    pub lock_timeout: bool,
    pub statement_timeout: bool,
    /// `schema.table` → size, when a database was reachable.
    pub sizes: Option<BTreeMap<String, TableSize>>,
}

impl Settings {
    pub fn severity(&self, rule: &Rule) -> Severity {
        self.severities
            .get(rule.id)
            .copied()
            .unwrap_or(rule.severity)
    }
}

/// One finding, located.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: &'static str,
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// The line of the file the caret points into.
    #[serde(skip)]
    pub source_line: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<TableSize>,
}

/// A hit of one rule, before it is located.
pub(super) struct Candidate {
    pub rule: &'static Rule,
    pub hit: Hit,
    /// Offset in the section and index of the statement.
    pub at: usize,
    pub stmt: usize,
}

/// The rules' hits over a section, before configuration and suppressions.
pub(super) struct Run {
    pub candidates: Vec<Candidate>,
    /// Where each statement starts (its first token).
    pub starts: Vec<usize>,
    /// Every token's (start, end): what is not in one is a comment or space.
    pub spans: Vec<(usize, usize)>,
}

/// Every statement of `text` checked by the rules `wanted` picks, each in the state the ones
/// before it left (starting from `state`), hits filtered by context (new and empty tables).
pub(super) fn run(
    text: &str,
    mut state: State,
    settings: &Settings,
    wanted: impl Fn(&Rule) -> bool,
) -> Result<Run, crate::sql::SplitError> {
    let stmts = crate::sql::split_statements(text)?;
    let rules: Vec<&'static Rule> = ALL.iter().copied().filter(|r| wanted(r)).collect();
    let mut out = Run {
        candidates: Vec::new(),
        starts: Vec::new(),
        spans: Vec::new(),
    };
    for (i, s) in stmts.iter().enumerate() {
        let toks = tokenize(s.text);
        out.spans.extend(
            toks.iter()
                .map(|t| (s.offset + t.at, s.offset + t.at + t.text.len())),
        );
        let first = toks.first().map_or(0, |t| t.at);
        out.starts.push(s.offset + first);
        let stmt = parse(s.text);
        for &rule in &rules {
            let mut hits = Vec::new();
            (rule.check)(&stmt, &state, &mut hits);
            for hit in hits {
                if let Some(c) = in_context(rule, hit, &state, settings) {
                    let at = s.offset + c.at.max(first);
                    out.candidates.push(Candidate {
                        rule,
                        hit: c,
                        at,
                        stmt: i,
                    });
                }
            }
        }
        state.current = s.offset + first;
        state.apply(&stmt);
    }
    finish(&rules, &out.starts, &state, &mut out.candidates);
    Ok(out)
}

/// Lint one section.
pub fn lint_section(section: &Section, settings: &Settings) -> Result<Vec<Finding>, LintError> {
    let state = State {
        transactional_revision: section.transactional,
        lock_timeout: settings.lock_timeout,
        statement_timeout: settings.statement_timeout,
        ..State::default()
    };
    let run = run(section.text, state, settings, |_| true).map_err(|e| LintError::Syntax {
        path: section.path.clone(),
        line: section.first_line + e.line - 1,
        column: e.column,
        what: e.what,
    })?;
    let is_comment = |at: usize| !run.spans.iter().any(|&(a, b)| a <= at && at < b);
    let allows = allows(section.text, is_comment);
    Ok(report(
        section,
        settings,
        run.candidates,
        &allows,
        &run.starts,
    ))
}

/// The hit, unless its table is new in this revision or empty in the database (with its size).
fn in_context(rule: &Rule, mut hit: Hit, state: &State, settings: &Settings) -> Option<Hit> {
    let Some(table) = &hit.table else {
        return Some(hit);
    };
    let key = table.key();
    if rule.existing_table_only && state.is_new(&key) {
        return None;
    }
    let size = settings.sizes.as_ref().and_then(|s| s.get(&key));
    if rule.existing_table_only && size.is_some_and(|s| s.bytes == 0) {
        return None;
    }
    hit.table = Some(table.clone());
    Some(hit)
}

fn finish(rules: &[&'static Rule], starts: &[usize], state: &State, out: &mut Vec<Candidate>) {
    for &rule in rules {
        if let Some(f) = rule.finish {
            let mut hits = Vec::new();
            f(state, &mut hits);
            for hit in hits {
                let at = hit.at;
                let stmt = starts.iter().rposition(|&s| s <= at).unwrap_or(0);
                out.push(Candidate {
                    rule,
                    hit,
                    at,
                    stmt,
                });
            }
        }
    }
}

/// Severities, `once` rules, suppressions applied; findings located; problems of the
/// suppressions themselves reported.
fn report(
    section: &Section,
    settings: &Settings,
    candidates: Vec<Candidate>,
    allows: &[Allow],
    starts: &[usize],
) -> Vec<Finding> {
    let allowed: BTreeSet<(usize, &str)> = allows
        .iter()
        .filter(|a| a.problem.is_none())
        .filter_map(|a| target(a, starts).map(|s| (s, a)))
        .flat_map(|(s, a)| a.rules.iter().map(move |r| (s, r.as_str())))
        .collect();
    let mut seen_once = BTreeSet::new();
    let mut out = Vec::new();
    for c in candidates {
        let severity = settings.severity(c.rule);
        let accepted = section.revision.as_ref().is_some_and(|r| {
            settings
                .allowed
                .contains(&(r.clone(), c.rule.id.to_string()))
        });
        if severity == Severity::Off
            || accepted
            || allowed.contains(&(c.stmt, c.rule.id))
            || (c.rule.once && !seen_once.insert(c.rule.id))
        {
            continue;
        }
        let size = c.hit.table.as_ref().and_then(|t| {
            settings
                .sizes
                .as_ref()
                .and_then(|s| s.get(&t.key()).copied())
        });
        let mut f = locate(section, c.at, c.rule.id, severity, c.hit.message);
        f.help = c.rule.help;
        f.table = c.hit.table.map(|t| t.to_string());
        f.size = size;
        out.push(f);
    }
    for a in allows {
        if let Some(problem) = &a.problem {
            out.push(locate(
                section,
                a.at,
                "invalid-allow",
                Severity::Error,
                problem.clone(),
            ));
        }
    }
    out
}

/// The statement a suppression applies to: the one it trails, else the next one.
fn target(a: &Allow, starts: &[usize]) -> Option<usize> {
    if a.trailing {
        starts.iter().rposition(|&s| s < a.at)
    } else {
        starts.iter().position(|&s| s > a.at)
    }
}

fn locate(
    section: &Section,
    at: usize,
    rule: &'static str,
    severity: Severity,
    message: String,
) -> Finding {
    let at = at.min(section.text.len());
    let before = &section.text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = section.text[at..]
        .find('\n')
        .map_or(section.text.len(), |i| at + i);
    Finding {
        rule,
        severity,
        message,
        help: "",
        path: section.path.clone(),
        line: section.first_line + before.matches('\n').count(),
        column: section.text[line_start..at].chars().count() + 1,
        source_line: section.text[line_start..line_end]
            .trim_end_matches('\r')
            .to_string(),
        revision: section.revision.clone(),
        table: None,
        size: None,
    }
}

#[cfg(test)]
mod tests {
    use super::{lint_section, Section, Settings, TableSize};

    fn lint(sql: &str, settings: &Settings) -> Vec<super::Finding> {
        let s = Section {
            path: "m.sql".into(),
            text: sql,
            first_line: 10,
            transactional: true,
            revision: Some("abc".into()),
        };
        lint_section(&s, settings).expect("present")
    }

    #[test]
    fn located_at_the_token_after_leading_comments() {
        let f = lint(
            "SELECT 1;\n-- why\n  CREATE INDEX i ON t (a);",
            &Settings::default(),
        );
        let f = f
            .iter()
            .find(|f| f.rule == "require-concurrent-index-creation")
            .expect("present");
        assert_eq!((f.line, f.column), (12, 3));
        assert_eq!(f.source_line, "  CREATE INDEX i ON t (a);");
    }

    #[test]
    fn suppressed_by_the_comment_above_or_trailing() {
        let sql = "-- retort:allow ban-drop-table replaced by v2\nDROP TABLE a;\nDROP TABLE b; -- retort:allow ban-drop-table empty since 2024\nDROP TABLE c;";
        let f = lint(sql, &Settings::default());
        let dropped: Vec<_> = f
            .iter()
            .filter(|f| f.rule == "ban-drop-table")
            .map(|f| f.line)
            .collect();
        assert_eq!(dropped, vec![13]);
    }

    #[test]
    fn empty_tables_are_left_alone_and_severity_configurable() {
        let mut settings = Settings {
            sizes: Some([("public.t".to_string(), TableSize { bytes: 0, rows: 0 })].into()),
            ..Settings::default()
        };
        let f = lint("CREATE INDEX i ON t (a)", &settings);
        assert!(!f
            .iter()
            .any(|f| f.rule == "require-concurrent-index-creation"));
        settings
            .severities
            .insert("require-statement-timeout".into(), super::Severity::Off);
        settings.sizes = None;
        let f = lint("CREATE INDEX i ON t (a)", &settings);
        assert!(f
            .iter()
            .any(|f| f.rule == "require-concurrent-index-creation"));
        assert!(!f.iter().any(|f| f.rule == "require-statement-timeout"));
    }

    #[test]
    fn a_string_holding_the_marker_is_not_a_suppression() {
        let f = lint("SELECT '-- retort:allow nothing'", &Settings::default());
        assert!(f.is_empty(), "{f:?}");
    }
}
