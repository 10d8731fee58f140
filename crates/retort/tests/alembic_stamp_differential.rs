//! `stamp` against real Alembic: random graphs, sequences of `alembic stamp` (single and several
//! targets, `--purge`, labels, `heads`, `base`) recorded by `tests/alembic_diff/gen_stamps.py`;
//! retort's `plan::stamp` must leave the same version rows after every step Alembic completes,
//! and refuse where Alembic refuses. Where Alembic itself crashes (AssertionError, KeyError on
//! some multi-target stamps), retort must simply not panic.

use std::collections::BTreeSet;

use retort::config::Config;
use retort::plan;
use retort::project::Project;

#[derive(serde::Deserialize)]
struct Expected {
    steps: Vec<Step>,
}

#[derive(serde::Deserialize)]
struct Step {
    targets: Vec<String>,
    purge: bool,
    ok: bool,
    heads: Vec<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_class: Option<String>,
}

#[test]
fn stamp_matches_alembic() {
    let (_work, cases) = retort_test_support::alembic::generate_stamp_cases(60, 12, 1);
    let (mut compared, mut refused, mut alembic_crashed) = (0, 0, 0);
    let mut mismatches = Vec::new();
    for case in &cases {
        let expected: Expected = serde_json::from_str(
            &std::fs::read_to_string(case.join("expected.json")).expect("read"),
        )
        .expect("json");
        let project =
            Project::open(Config::load(&case.join("retort/retort.toml")).expect("config"))
                .expect("project");
        let mut heads: Vec<String> = Vec::new();
        for (i, step) in expected.steps.iter().enumerate() {
            let from: Vec<String> = if step.purge {
                Vec::new()
            } else {
                heads.clone()
            };
            let got = plan::stamp(&project.graph, &from, &step.targets);
            let label = format!(
                "{} step {i}: stamp {:?}{} from {heads:?}",
                case.display(),
                step.targets,
                if step.purge { " --purge" } else { "" }
            );
            match (step.ok, &got) {
                (true, Ok(rows)) => {
                    compared += 1;
                    let want: BTreeSet<&String> = step.heads.iter().collect();
                    let have: BTreeSet<&String> = rows.iter().collect();
                    if want != have {
                        mismatches.push(format!("{label}\n  alembic {want:?}\n  retort  {have:?}"));
                    }
                }
                (false, _)
                    if matches!(
                        step.error_class.as_deref(),
                        Some("AssertionError" | "KeyError")
                    ) =>
                {
                    alembic_crashed += 1
                }
                (false, Err(e)) => {
                    refused += 1;
                    if Some(e.message.as_str()) != step.error.as_deref() {
                        mismatches.push(format!(
                            "{label}\n  alembic error {:?}\n  retort  error {:?}",
                            step.error, e.message
                        ));
                    }
                }
                (ok, other) => mismatches.push(format!(
                    "{label}\n  alembic ok={ok} {:?} {:?}\n  retort {other:?}",
                    step.heads, step.error
                )),
            }
            heads = step.heads.clone();
        }
    }
    println!("stamp differential: {} graphs, {compared} stamps compared, {refused} refused by both, {alembic_crashed} where Alembic crashed, {} mismatches", cases.len(), mismatches.len());
    assert!(compared > 400, "too few compared: {compared}");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(12)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
