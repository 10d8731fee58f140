//! The rows of the picture: revisions newest first (each before its parents and dependencies,
//! one branch followed down as far as it goes), long linear runs collapsed into one row.

use crate::graph::{RevIdx, RevisionGraph};

use super::LaneOptions;

/// What one row shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    Revision(RevIdx),
    /// Consecutive plain revisions of one linear run, newest first.
    Collapsed(Vec<RevIdx>),
}

/// One row and the rows it points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub kind: RowKind,
    /// Rows of its parents (`down_revision`), in their order; always below this row.
    pub parents: Vec<usize>,
    /// Rows of its dependencies (`depends_on`) that are not also parents; always below.
    pub deps: Vec<usize>,
}

/// One parent, one child, nothing depending on it, no own label or dependency, not current:
/// a revision that may disappear into a collapsed row.
fn is_plain(graph: &RevisionGraph, idx: RevIdx, options: &LaneOptions) -> bool {
    let r = graph.rev(idx);
    r.down.len() == 1
        && r.next.len() == 1
        && r.all_next.len() == 1
        && r.deps.is_empty()
        && r.file.branch_labels.is_empty()
        && !options.current.contains(r.id())
}

/// Revisions in display order, runs of plain revisions grouped (a group of one is a row).
fn grouped(graph: &RevisionGraph, options: &LaneOptions) -> Vec<RowKind> {
    let all: Vec<RevIdx> = (0..graph.len()).collect();
    let mut out = Vec::with_capacity(graph.len());
    let mut run: Vec<RevIdx> = Vec::new();
    let flush = |run: &mut Vec<RevIdx>, out: &mut Vec<RowKind>| {
        match options.collapse_over {
            Some(max) if run.len() > max && run.len() >= 3 => {
                let last = run.len() - 1;
                out.push(RowKind::Revision(run[0]));
                out.push(RowKind::Collapsed(run[1..last].to_vec()));
                out.push(RowKind::Revision(run[last]));
            }
            _ => out.extend(run.iter().map(|r| RowKind::Revision(*r))),
        }
        run.clear();
    };
    for idx in graph.newest_first(&all) {
        let continues = run
            .last()
            .is_some_and(|last| graph.rev(*last).down.first() == Some(&idx));
        if !continues {
            flush(&mut run, &mut out);
        }
        if is_plain(graph, idx, options) {
            run.push(idx);
        } else {
            flush(&mut run, &mut out);
            out.push(RowKind::Revision(idx));
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The rows, newest first, with the rows their edges lead to.
pub(super) fn rows(graph: &RevisionGraph, options: &LaneOptions) -> Vec<Row> {
    let kinds = grouped(graph, options);
    let mut row_of = vec![0usize; graph.len()];
    for (row, kind) in kinds.iter().enumerate() {
        match kind {
            RowKind::Revision(r) => row_of[*r] = row,
            RowKind::Collapsed(rs) => rs.iter().for_each(|r| row_of[*r] = row),
        }
    }
    kinds
        .into_iter()
        .map(|kind| {
            // A collapsed run's edge leaves from its oldest member.
            let oldest = match &kind {
                RowKind::Revision(r) => *r,
                RowKind::Collapsed(rs) => rs[rs.len() - 1],
            };
            let rev = graph.rev(oldest);
            let parents = rev.down.iter().map(|p| row_of[*p]).collect();
            let deps = rev
                .deps
                .iter()
                .filter(|d| !rev.down.contains(d))
                .map(|d| row_of[*d])
                .collect();
            Row {
                kind,
                parents,
                deps,
            }
        })
        .collect()
}
