//! Properties of the planner on random revision graphs (branches, merges, depends_on):
//! plans are topologically ordered, applied sets stay closed under ancestry, `upgrade heads`
//! applies everything, `downgrade base` reverts everything, and upgrade-then-downgrade to the
//! same revision returns the same version rows.

use std::collections::BTreeSet;
use std::path::PathBuf;

use proptest::prelude::*;
use retort::graph::RevisionGraph;
use retort::plan::{self, Plan};
use retort::script::RevisionFile;

/// A random DAG: revision i's parents and dependencies are earlier revisions.
fn graph_strategy() -> impl Strategy<Value = Vec<(Vec<usize>, Vec<usize>)>> {
    (2usize..25).prop_flat_map(|n| {
        proptest::collection::vec(
            (
                proptest::collection::vec(any::<prop::sample::Index>(), 0..3),
                proptest::collection::vec(any::<prop::sample::Index>(), 0..2),
                any::<bool>(),
            ),
            n,
        )
        .prop_map(|specs| {
            specs
                .into_iter()
                .enumerate()
                .map(|(i, (parents, deps, root))| {
                    if i == 0 || (root && i % 7 == 0) {
                        return (Vec::new(), Vec::new());
                    }
                    let mut p: Vec<usize> = parents.iter().map(|x| x.index(i)).collect();
                    if p.is_empty() {
                        p.push(i - 1);
                    }
                    p.sort_unstable();
                    p.dedup();
                    let mut d: Vec<usize> = deps
                        .iter()
                        .map(|x| x.index(i))
                        .filter(|x| !p.contains(x))
                        .collect();
                    d.sort_unstable();
                    d.dedup();
                    (p, d)
                })
                .collect()
        })
    })
}

fn build(spec: &[(Vec<usize>, Vec<usize>)]) -> RevisionGraph {
    let files: Vec<RevisionFile> = spec
        .iter()
        .enumerate()
        .map(|(i, (p, d))| {
            let text = format!(
                "-- revision: r{i:02}\n-- down_revision: {}\n-- depends_on: {}\n\n-- retort:up\n-- retort:down\n",
                p.iter().map(|x| format!("r{x:02}")).collect::<Vec<_>>().join(", "),
                d.iter().map(|x| format!("r{x:02}")).collect::<Vec<_>>().join(", ")
            );
            retort::script::parse_revision_file(&PathBuf::from(format!("r{i:02}.sql")), text.as_bytes()).expect("valid file")
        })
        .collect();
    retort::graph::build(files, &[]).expect("valid graph")
}

fn applied(g: &RevisionGraph, heads: &BTreeSet<String>) -> BTreeSet<String> {
    let idx: Vec<usize> = heads.iter().filter_map(|h| g.index_of(h)).collect();
    g.ancestors(&idx, true)
        .into_iter()
        .map(|i| g.id(i).to_string())
        .collect()
}

/// Every step's parents and dependencies are applied before it (upgrade), or its children and
/// dependents reverted before it (downgrade).
fn assert_ordered(g: &RevisionGraph, before: &BTreeSet<String>, p: &Plan) {
    let mut state = applied(g, before);
    for s in &p.steps {
        let r = g.rev(s.rev);
        match s.direction {
            plan::Direction::Up => {
                for d in r.down.iter().chain(r.deps.iter()) {
                    assert!(
                        state.contains(g.id(*d)),
                        "{} applied before its parent {}",
                        r.id(),
                        g.id(*d)
                    );
                }
                state.insert(r.id().to_string());
            }
            plan::Direction::Down => {
                for c in &r.all_next {
                    assert!(
                        !state.contains(g.id(*c)),
                        "{} reverted before its child {}",
                        r.id(),
                        g.id(*c)
                    );
                }
                state.remove(r.id());
            }
        }
    }
    assert_eq!(
        state,
        applied(g, &p.heads_after),
        "the steps and the version rows agree"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn planner_invariants(spec in graph_strategy(), picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..8)) {
        let g = build(&spec);
        let mut heads: BTreeSet<String> = BTreeSet::new();
        for pick in picks {
            let target = g.id(pick.index(g.len())).to_string();
            let current: Vec<String> = heads.iter().cloned().collect();
            let up = plan::upgrade(&g, &current, &target).expect("upgrade to a revision");
            assert_ordered(&g, &heads, &up);
            let after = applied(&g, &up.heads_after);
            prop_assert!(after.contains(&target));
            prop_assert!(applied(&g, &heads).is_subset(&after), "upgrade never reverts");
            heads = up.heads_after.clone();
        }
        let current: Vec<String> = heads.iter().cloned().collect();
        let all = plan::upgrade(&g, &current, "heads").expect("upgrade heads");
        assert_ordered(&g, &heads, &all);
        prop_assert_eq!(applied(&g, &all.heads_after).len(), g.len());
        let top: Vec<String> = all.heads_after.iter().cloned().collect();
        let none = plan::downgrade(&g, &top, "base").expect("downgrade base");
        assert_ordered(&g, &all.heads_after, &none);
        prop_assert!(none.heads_after.is_empty());
        prop_assert_eq!(none.steps.len(), g.len());
    }
}
