//! The planner: from the database's current heads and a target, the ordered steps of an upgrade
//! or downgrade, and the version-table change each step makes.
//!
//! Pure (no connection). Which revisions run follows Alembic exactly
//! (`_collect_upgrade_revisions`, `_collect_downgrade_revisions`); the order between independent
//! branches is our own deterministic topological order; the version rows follow Alembic's
//! `HeadMaintainer`, so a database can move between Alembic and retort.

use std::collections::BTreeSet;

use crate::graph::{Edges, RevIdx, RevisionGraph};
use crate::resolve::error::Context;
use crate::resolve::{Node, RevisionError, TargetError};

/// Up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

/// A change to the version table that commits with a step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum VersionChange {
    Insert { version: String },
    Delete { version: String },
    Update { from: String, to: String },
}

/// One migration to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub rev: RevIdx,
    pub direction: Direction,
    /// Version rows to change in the same transaction, in order.
    pub version_changes: Vec<VersionChange>,
}

/// An ordered list of steps, and the version rows before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub heads_before: BTreeSet<String>,
    pub heads_after: BTreeSet<String>,
}

type R<T> = Result<T, RevisionError>;

fn overlap(graph: &RevisionGraph, o: &crate::graph::Overlap) -> RevisionError {
    RevisionError::Other(format!(
        "Requested revision {} overlaps with other requested revisions {}",
        graph.id(o.target),
        graph.ids(&o.others).join(", ")
    ))
}

/// Plan `upgrade TARGET` from `current` (the version table's rows).
pub fn upgrade(
    graph: &RevisionGraph,
    current: &[String],
    target: &str,
) -> Result<Plan, TargetError> {
    let context = Context::Upgrade {
        destination: target,
    };
    let revs = collect_upgrade(graph, current, target).map_err(|e| e.into_target_error(context))?;
    let mut order = graph.newest_first(&revs);
    order.reverse();
    build_plan(graph, current, order, Direction::Up).map_err(|e| e.into_target_error(context))
}

/// Plan `downgrade TARGET` from `current`.
pub fn downgrade(
    graph: &RevisionGraph,
    current: &[String],
    target: &str,
) -> Result<Plan, TargetError> {
    let context = Context::Downgrade {
        destination: target,
    };
    let revs =
        collect_downgrade(graph, current, target).map_err(|e| e.into_target_error(context))?;
    let order = graph.newest_first(&revs);
    build_plan(graph, current, order, Direction::Down).map_err(|e| e.into_target_error(context))
}

/// Alembic's `_collect_upgrade_revisions` with `implicit_base=True`, `inclusive=False`.
fn collect_upgrade(graph: &RevisionGraph, current: &[String], target: &str) -> R<Vec<RevIdx>> {
    let mut targets = Vec::new();
    for node in graph.parse_upgrade_target(current, target, true)? {
        match node {
            Node::Rev(r) => targets.push(r),
            // Alembic fails an assertion here (a walk past the end of the graph).
            Node::Base | Node::Nothing => {
                let what = crate::resolve::parse_relative(target)
                    .map(|m| {
                        format!(
                            "Relative revision {} didn't produce {} migrations",
                            m.relative_str,
                            m.relative.abs()
                        )
                    })
                    .unwrap_or_else(|| format!("Can't locate revision identified by '{target}'"));
                return Err(RevisionError::Other(what));
            }
        }
    }
    let mut required: BTreeSet<RevIdx> = graph
        .related(&targets, Edges::DownWithDeps, true)
        .map_err(|o| overlap(graph, &o))?
        .into_iter()
        .collect();
    required.extend(targets.iter().copied());
    let current_revs: Vec<RevIdx> = graph
        .get_revisions_many(current)?
        .into_iter()
        .filter_map(Node::rev)
        .collect();
    let current_set: BTreeSet<RevIdx> = graph
        .related(&current_revs, Edges::DownWithDeps, true)
        .map_err(|o| overlap(graph, &o))?
        .into_iter()
        .chain(current_revs.iter().copied())
        .collect();
    Ok(required.difference(&current_set).copied().collect())
}

/// Alembic's `_collect_downgrade_revisions` with `implicit_base=False`, `inclusive=False`.
fn collect_downgrade(graph: &RevisionGraph, current: &[String], target: &str) -> R<Vec<RevIdx>> {
    let (branch_label, target_node) = graph.parse_downgrade_target(current, target, true)?;
    let target_rev = target_node.rev();
    let mut roots: Vec<RevIdx> = match target_rev {
        None => graph.bases().to_vec(),
        Some(t) => {
            let mut next = graph.rev(t).next.clone();
            next.sort_unstable();
            next
        }
    };
    if let Some(label) = branch_label.as_deref().filter(|l| !l.is_empty()) {
        // Alembic resolves the label only when it has to choose between roots; an unknown
        // label is an error here whatever the graph looks like.
        let branch = graph.resolve_branch(label)?;
        if roots.len() > 1 {
            let ancestors: BTreeSet<RevIdx> = match branch {
                Some(b) => graph.ancestors(&[b], false).into_iter().collect(),
                None => BTreeSet::new(),
            };
            roots.retain(|r| ancestors.contains(r));
            if roots.is_empty() {
                return Err(RevisionError::Other(
                    "Not a valid downgrade target from current heads".into(),
                ));
            }
        }
    }
    let heads: Vec<RevIdx> = graph
        .get_revisions_many(current)?
        .into_iter()
        .filter_map(Node::rev)
        .collect();
    let active: BTreeSet<RevIdx> = graph.ancestors(&heads, true).into_iter().collect();
    let drop: Vec<RevIdx> = graph
        .descendants(&roots, true)
        .into_iter()
        .filter(|r| active.contains(r))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if let Some(t) = target_rev {
        if drop.is_empty() && !heads.contains(&t) {
            return Err(RevisionError::RangeNotAncestor {
                lower: "Nothing to drop".into(),
                upper: current.join(","),
            });
        }
    }
    Ok(drop)
}

fn build_plan(
    graph: &RevisionGraph,
    current: &[String],
    order: Vec<RevIdx>,
    direction: Direction,
) -> R<Plan> {
    let heads_before: BTreeSet<String> = current.iter().cloned().collect();
    let mut heads = heads_before.clone();
    let mut steps = Vec::with_capacity(order.len());
    for rev in order {
        let version_changes = version_changes(graph, &heads, rev, direction)?;
        for change in &version_changes {
            apply_change(&mut heads, change);
        }
        steps.push(Step {
            rev,
            direction,
            version_changes,
        });
    }
    Ok(Plan {
        steps,
        heads_before,
        heads_after: heads,
    })
}

/// Apply one version-row change to a set of heads.
pub fn apply_change(heads: &mut BTreeSet<String>, change: &VersionChange) {
    match change {
        VersionChange::Insert { version } => {
            heads.insert(version.clone());
        }
        VersionChange::Delete { version } => {
            heads.remove(version);
        }
        VersionChange::Update { from, to } => {
            heads.remove(from);
            heads.insert(to.clone());
        }
    }
}

/// Alembic's `HeadMaintainer.update_to_step` for one revision step.
// Long: Alembic's `update_to_step`, branch by branch, as the differential test compares it.
fn version_changes(
    graph: &RevisionGraph,
    heads: &BTreeSet<String>,
    rev: RevIdx,
    direction: Direction,
) -> R<Vec<VersionChange>> {
    let r = graph.rev(rev);
    let id = r.id().to_string();
    let downrevs: Vec<String> = r.norm_down().map(|d| graph.id(d).to_string()).collect();
    let ancestors_of = |ids: &BTreeSet<String>| -> BTreeSet<String> {
        let idxs: Vec<RevIdx> = ids.iter().filter_map(|i| graph.index_of(i)).collect();
        graph
            .ancestors(&idxs, true)
            .into_iter()
            .map(|i| graph.id(i).to_string())
            .collect()
    };
    // Alembic's `_unmerge_to_revisions`.
    let unmerge_to = || -> Vec<String> {
        let others: BTreeSet<String> = heads.iter().filter(|h| **h != id).cloned().collect();
        if others.is_empty() && downrevs.len() <= 1 {
            // A lone down revision is never a proper ancestor of itself: nothing to filter, and
            // no walk over its ancestors (which made `downgrade base` quadratic in the chain).
            return downrevs.clone();
        }
        let ancestors = if others.is_empty() {
            let mut a = BTreeSet::new();
            for to in &downrevs {
                let one: BTreeSet<String> = [to.clone()].into_iter().collect();
                a.extend(ancestors_of(&one).into_iter().filter(|x| x != to));
            }
            a
        } else {
            ancestors_of(&others)
        };
        downrevs
            .iter()
            .filter(|d| !ancestors.contains(*d))
            .cloned()
            .collect()
    };
    match direction {
        Direction::Down => {
            if heads.contains(&id) && (downrevs.is_empty() || unmerge_to().is_empty()) {
                return Ok(vec![VersionChange::Delete { version: id }]);
            }
            if heads.contains(&id) && downrevs.len() > 1 {
                let to = unmerge_to();
                let mut changes: Vec<VersionChange> = to[..to.len() - 1]
                    .iter()
                    .map(|v| VersionChange::Insert { version: v.clone() })
                    .collect();
                changes.push(VersionChange::Update {
                    from: id,
                    to: to[to.len() - 1].clone(),
                });
                return Ok(changes);
            }
            if downrevs.len() != 1 {
                return Err(ambiguous_update(graph, rev, heads));
            }
            Ok(vec![VersionChange::Update {
                from: id,
                to: downrevs[0].clone(),
            }])
        }
        Direction::Up => {
            let present: Vec<&String> = downrevs.iter().filter(|d| heads.contains(*d)).collect();
            if downrevs.is_empty() || present.is_empty() {
                return Ok(vec![VersionChange::Insert { version: id }]);
            }
            if downrevs.len() > 1 && present.len() > 1 {
                // merge: delete all but one of the parents still in the table, update the last
                let from_revisions: BTreeSet<String> = downrevs.iter().cloned().collect();
                let others: BTreeSet<String> = heads.difference(&from_revisions).cloned().collect();
                let from: Vec<String> = if others.is_empty() {
                    from_revisions.into_iter().collect()
                } else {
                    let anc = ancestors_of(&others);
                    from_revisions
                        .into_iter()
                        .filter(|f| !anc.contains(f))
                        .collect()
                };
                let Some((last, rest)) = from.split_last() else {
                    return Err(ambiguous_update(graph, rev, heads));
                };
                let mut changes: Vec<VersionChange> = rest
                    .iter()
                    .map(|v| VersionChange::Delete { version: v.clone() })
                    .collect();
                changes.push(VersionChange::Update {
                    from: last.clone(),
                    to: id,
                });
                return Ok(changes);
            }
            let from = if downrevs.len() == 1 {
                downrevs[0].clone()
            } else if present.len() == 1 {
                present[0].clone()
            } else {
                return Err(ambiguous_update(graph, rev, heads));
            };
            Ok(vec![VersionChange::Update { from, to: id }])
        }
    }
}

fn ambiguous_update(graph: &RevisionGraph, rev: RevIdx, heads: &BTreeSet<String>) -> RevisionError {
    RevisionError::Other(format!(
        "Can't update the version table for revision {}: its parents are ambiguous given the current heads ({})",
        graph.id(rev),
        heads.iter().cloned().collect::<Vec<_>>().join(", ")
    ))
}

/// The version-row changes of applying (or reverting) one revision from `heads`.
pub fn step_changes(
    graph: &RevisionGraph,
    heads: &BTreeSet<String>,
    rev: RevIdx,
    direction: Direction,
) -> Result<Vec<VersionChange>, TargetError> {
    version_changes(graph, heads, rev, direction).map_err(|e| e.into_target_error(Context::Other))
}

/// `stamp TARGET...`: the version rows after stamping, without running anything. A port of
/// Alembic's `_stamp_revs` and `StampStep` head maintenance: version rows on the lineage of a
/// target are replaced by it (moved up or down); a target on a branch without a row gets one;
/// `base` (or `LABEL@base`) deletes the rows of its lineage. Where Alembic would crash (targets
/// that overlap each other), this is an error saying so.
// Long: Alembic's `stamp`, step by step, as the stamp differential test compares it.
pub fn stamp(
    graph: &RevisionGraph,
    heads: &[String],
    targets: &[String],
) -> Result<Vec<String>, TargetError> {
    // Alembic's wording for `stamp head` with several heads.
    let err = |e: RevisionError| match e {
        RevisionError::MultipleHeads { heads, .. } => TargetError {
            message: "Multiple heads are present; please specify a single target revision".into(),
            help: Some(format!("the heads are {}", heads.join(", "))),
        },
        other => other.into_target_error(Context::Other),
    };
    let base = ["base".to_string()];
    let targets: &[String] = if targets.is_empty() { &base } else { targets };
    let heads_revs: Vec<RevIdx> = graph
        .get_revisions_many(heads)
        .map_err(err)?
        .into_iter()
        .filter_map(Node::rev)
        .collect();
    let mut filtered: Vec<RevIdx> = Vec::new();
    for t in targets {
        for r in graph
            .filter_for_lineage(&heads_revs, t, true)
            .map_err(err)?
        {
            if !filtered.contains(&r) {
                filtered.push(r);
            }
        }
    }
    let mut dests: Vec<Option<RevIdx>> = Vec::new();
    for t in targets {
        for n in graph.get_revisions(Some(t)).map_err(err)? {
            dests.push(n.rev());
        }
    }
    if dests.is_empty() {
        dests.push(None);
    }
    let id = |i: &RevIdx| graph.id(*i).to_string();
    let filtered_ids: Vec<String> = filtered.iter().map(id).collect();
    let mut rows: BTreeSet<String> = heads.iter().cloned().collect();
    let overlap = |what: &str| TargetError {
        message: format!("Cannot stamp {}: {what}", targets.join(" ")),
        help: Some(
            "stamp one revision per branch, or use --purge and list the revisions to record".into(),
        ),
    };
    for dest in dests {
        let Some(d) = dest else {
            for h in &filtered_ids {
                if !rows.remove(h) {
                    return Err(overlap(&format!(
                        "version {h} was already removed by another target"
                    )));
                }
            }
            continue;
        };
        if filtered.contains(&d) {
            continue;
        }
        let below: BTreeSet<RevIdx> = graph.descendants(&[d], true).into_iter().collect();
        let above: BTreeSet<RevIdx> = graph.ancestors(&[d], true).into_iter().collect();
        let (from, upgrade, branch_move) = if filtered.iter().any(|f| below.contains(f)) {
            (filtered_ids.clone(), false, false)
        } else if filtered.iter().any(|f| above.contains(f)) {
            (filtered_ids.clone(), true, false)
        } else {
            (Vec::new(), true, true)
        };
        let to = graph.id(d).to_string();
        // StampStep through HeadMaintainer.update_to_step (a revision destination never makes
        // a "delete branch" step: that is the `base` case above).
        if upgrade && (branch_move || from.iter().any(|f| !rows.contains(f))) && !rows.contains(&to)
        {
            rows.insert(to);
        } else if from.len() > 1 {
            let (last, rest) = from
                .split_last()
                .ok_or_else(|| overlap("no version to move"))?;
            for r in rest {
                if !rows.remove(r) {
                    return Err(overlap(&format!(
                        "version {r} is not in the table any more"
                    )));
                }
            }
            if rows.contains(&to) || !rows.remove(last) {
                return Err(overlap(&format!("cannot move {last} to {to}")));
            }
            rows.insert(to);
        } else {
            let Some(f) = from.first().filter(|_| from.len() == 1) else {
                return Err(overlap(&format!("{to} is already recorded")));
            };
            if rows.contains(&to) || !rows.remove(f) {
                return Err(overlap(&format!("cannot move {f} to {to}")));
            }
            rows.insert(to);
        }
    }
    Ok(rows.into_iter().collect())
}
