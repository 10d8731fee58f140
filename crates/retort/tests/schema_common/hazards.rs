//! The diff's hazards are `retort lint`'s findings: every operation's hazards equal the ids of the
//! hazard rules that `retort lint` reports on the statements of that operation when the whole
//! script is linted as a revision (opt-in rules on).

use retort::diff::Diff;
use retort::lint::{lint_section, Kind, Section, Settings, Severity, RULES};

/// Panics, naming the operation, where an operation's hazards and lint's findings differ.
pub fn assert_hazards_are_lint_findings(d: &Diff, what: &str) {
    let mut script = String::new();
    // The line range of each operation's SQL in `script` (1-based, inclusive).
    let mut ranges = Vec::new();
    for op in &d.operations {
        for note in &op.notes {
            script.push_str(&format!("-- {note}\n"));
        }
        let first = script.matches('\n').count() + 1;
        script.push_str(&op.sql);
        ranges.push((first, script.matches('\n').count()));
    }
    let settings = Settings {
        severities: RULES
            .iter()
            .filter(|r| r.severity == Severity::Off)
            .map(|r| (r.id.to_string(), Severity::Warning))
            .collect(),
        ..Settings::default()
    };
    let section = Section {
        path: "diff.sql".into(),
        text: &script,
        first_line: 1,
        transactional: d.transactional(),
        revision: None,
    };
    let findings = lint_section(&section, &settings).expect("the diff's SQL lints");
    let mut found: Vec<Vec<&str>> = vec![Vec::new(); d.operations.len()];
    for f in findings {
        let hazard = RULES
            .iter()
            .any(|r| r.id == f.rule && r.kind == Kind::Hazard);
        if !hazard {
            continue;
        }
        let op = ranges
            .iter()
            .position(|&(a, b)| a <= f.line && f.line <= b)
            .unwrap_or_else(|| panic!("{what}: finding outside every operation: {f:?}"));
        found[op].push(f.rule);
    }
    for (op, mut ids) in d.operations.iter().zip(found) {
        ids.sort_unstable();
        ids.dedup();
        let said: Vec<&str> = op.hazards.iter().map(|h| h.name()).collect();
        assert_eq!(
            said, ids,
            "{what}: `{}`: the diff's hazards (left) are not what retort lint finds (right) in:\n{}",
            op.summary, op.sql
        );
    }
}
