//! The target grammar, resolved against a small fixed graph (two bases, a branch point, a merge,
//! labels, a dependency, ids sharing prefixes): `upgrade`, `downgrade`, `stamp` and `show` of
//! any target from any set of current version rows. No panic, and:
//! - `parse_relative` returns pieces of the target, and its number is the one written;
//! - a plan's version changes, applied in order to the rows before, give the rows after, and no
//!   revision runs twice;
//! - every error is a non-empty message.
#![no_main]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use retort::graph::RevisionGraph;
use retort::plan::{apply_change, Plan};
use retort::resolve::parse_relative;

/// (id, down_revision, extra header lines)
const REVISIONS: [(&str, &str, &str); 9] = [
    ("ae1000000001", "", "-- branch_labels: core\n"),
    ("ae1000000002", "ae1000000001", ""),
    ("ae1100000003", "ae1000000002", ""),
    (
        "b20000000004",
        "ae1000000002",
        "-- branch_labels: feature\n",
    ),
    ("c30000000005", "ae1100000003, b20000000004", ""),
    ("c30000000006", "c30000000005", ""),
    ("f90000000007", "", "-- branch_labels: other\n"),
    (
        "f90000000008",
        "f90000000007",
        "-- depends_on: ae1100000003\n",
    ),
    ("f90000000009", "f90000000008", ""),
];

fn graph() -> &'static RevisionGraph {
    static GRAPH: OnceLock<RevisionGraph> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let files = REVISIONS
            .iter()
            .enumerate()
            .map(|(i, (id, down, extra))| {
                let text = format!(
                    "-- revision: {id}\n-- down_revision: {down}\n{extra}-- message: r{i}\n\n\
                     -- retort:up\nselect {i};\n-- retort:down\nselect -{i};\n"
                );
                let path = PathBuf::from(format!("migrations/{i:04}_r.sql"));
                retort::script::parse_revision_file(&path, text.as_bytes()).expect("fixed file")
            })
            .collect();
        retort::graph::build(files, &[]).expect("fixed graph")
    })
}

fn check_plan(plan: &Plan) {
    let mut heads = plan.heads_before.clone();
    let mut seen = BTreeSet::new();
    for step in &plan.steps {
        assert!(seen.insert(step.rev), "a revision runs twice");
        for change in &step.version_changes {
            apply_change(&mut heads, change);
        }
    }
    assert_eq!(
        heads, plan.heads_after,
        "version changes do not lead to heads_after"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&mask, rest)) = data.split_first() else {
        return;
    };
    let Ok(input) = std::str::from_utf8(rest) else {
        return;
    };
    let graph = graph();
    // The version rows: bit i (i < 7) of the first byte keeps the i-th id; bit 7 adds an id the
    // graph does not know. The rest is the target (and, one per line, more stamp targets).
    let mut current: Vec<String> = REVISIONS
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 7 && mask & (1 << i) != 0)
        .map(|(_, r)| r.0.to_string())
        .collect();
    if mask & 0x80 != 0 {
        current.push("dead00000000".into());
    }
    let mut lines = input.split('\n');
    let target = lines.next().unwrap_or_default();

    if let Some(rel) = parse_relative(target) {
        assert!(target.contains(rel.relative_str));
        assert_eq!(rel.relative_str.parse::<i64>().ok(), Some(rel.relative));
        if let Some(l) = rel.branch_label {
            assert!(target.starts_with(l));
        }
        if let Some(s) = rel.symbol {
            assert!(target.contains(s));
        }
    }
    let nonempty = |e: &retort::resolve::TargetError| {
        assert!(
            !e.to_string().trim().is_empty(),
            "empty error for {target:?}"
        );
    };
    match retort::plan::upgrade(graph, &current, target) {
        Ok(plan) => check_plan(&plan),
        Err(e) => nonempty(&e),
    }
    match retort::plan::downgrade(graph, &current, target) {
        Ok(plan) => check_plan(&plan),
        Err(e) => nonempty(&e),
    }
    let stamp_targets: Vec<String> = std::iter::once(target)
        .chain(lines)
        .map(str::to_string)
        .collect();
    if let Err(e) = retort::plan::stamp(graph, &current, &stamp_targets) {
        nonempty(&e);
    }
    if let Err(e) = retort::inspect::show(graph, target) {
        nonempty(&e);
    }
});
