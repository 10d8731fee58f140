//! Revision graphs for tests, shared with `retort-schema`'s (feature `fixtures`, enabled only
//! by its dev-dependency).

use std::path::PathBuf;

use crate::graph::RevisionGraph;

/// Revisions as (id, parents, depends_on, labels, message), in file order.
pub fn graph_of(spec: &[(&str, &str, &str, &str, &str)]) -> RevisionGraph {
    let files = spec
        .iter()
        .enumerate()
        .map(|(i, (id, down, deps, labels, msg))| {
            let text = format!(
                "-- revision: {id}\n-- down_revision: {down}\n-- depends_on: {deps}\n-- branch_labels: {labels}\n-- message: {msg}\n-- created: 2026-12-01 10:{i:02}:00+00:00\n\n-- retort:up\n-- retort:down\n"
            );
            crate::script::parse_revision_file(
                &PathBuf::from(format!("{i:03}_{id}.sql")),
                text.as_bytes(),
            )
            .expect("valid file")
        })
        .collect();
    crate::graph::build(files, &[]).expect("valid graph")
}

/// A base, a linear run of 10, a branch point, a `feature` branch with a dependency on the
/// main line, a merge, a second head, and an unrelated `audit` root.
pub fn branched() -> RevisionGraph {
    let mut spec: Vec<(String, String, String, String, String)> = vec![(
        "a0base".into(),
        String::new(),
        String::new(),
        String::new(),
        "create tenants".into(),
    )];
    for i in 1..=10 {
        spec.push((
            format!("a{i:02}lin"),
            spec.last().expect("a previous").0.clone(),
            String::new(),
            String::new(),
            format!("step {i} <of> 10 & more"),
        ));
    }
    let more: &[(&str, &str, &str, &str, &str)] = &[
        ("b1main", "a10lin", "", "", "add users"),
        ("f1feat", "a10lin", "", "feature", "start feature"),
        ("b2main", "b1main", "", "", "add documents"),
        ("f2feat", "f1feat", "b2main", "", "feature needs documents"),
        ("m1merge", "b2main, f2feat", "", "", "merge feature"),
        ("h2side", "m1merge", "", "", "side head"),
        ("h1main", "m1merge", "", "", "main head"),
        ("z0audit", "", "", "audit", "audit root"),
        ("z1audit", "z0audit", "", "", "audit events"),
    ];
    spec.extend(more.iter().map(|(a, b, c, d, e)| {
        (
            (*a).into(),
            (*b).into(),
            (*c).into(),
            (*d).into(),
            (*e).into(),
        )
    }));
    let refs: Vec<(&str, &str, &str, &str, &str)> = spec
        .iter()
        .map(|(a, b, c, d, e)| (a.as_str(), b.as_str(), c.as_str(), d.as_str(), e.as_str()))
        .collect();
    graph_of(&refs)
}
