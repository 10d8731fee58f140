//! Lanes: each row gets a column, each parent edge the column it runs down in. Rows are
//! walked newest first; a lane waits for the row its edge leads to. A row takes the leftmost
//! lane waiting for it (the others join it there: a branch point), or the first free lane (a
//! head); its first parent continues in its lane, further parents (a merge) join a lane
//! already waiting for them or open the first free one. Lanes never shift sideways, so every
//! edge is a vertical line with a bend at each end.

use crate::graph::RevisionGraph;

use super::rows::{rows, Row};
use super::LaneOptions;

/// An edge from a row to a row below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// The lane it runs down in (for a `depends_on` edge: the lane of `from`).
    pub lane: usize,
    /// A `depends_on` edge (drawn dashed, beside the lanes).
    pub dashed: bool,
}

/// Rows with their lanes, and the edges between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneLayout {
    pub rows: Vec<Row>,
    /// The lane of each row.
    pub lane: Vec<usize>,
    /// Parent edges in row order (each row's in its parents' order), then dependency edges.
    pub edges: Vec<Edge>,
    /// How many lanes are used (the widest point).
    pub lanes: usize,
}

fn free_lane(active: &mut Vec<Option<usize>>) -> usize {
    if let Some(l) = active.iter().position(Option::is_none) {
        l
    } else {
        active.push(None);
        active.len() - 1
    }
}

/// Lay the graph out (see the module documentation).
pub fn layout(graph: &RevisionGraph, options: &LaneOptions) -> LaneLayout {
    let rows = rows(graph, options);
    let mut active: Vec<Option<usize>> = Vec::new();
    let mut lane = Vec::with_capacity(rows.len());
    let mut edges = Vec::new();
    let mut lanes = 0;
    for (row, r) in rows.iter().enumerate() {
        let mut col = None;
        for (l, waiting) in active.iter_mut().enumerate() {
            if *waiting == Some(row) {
                col.get_or_insert(l);
                *waiting = None;
            }
        }
        let col = col.unwrap_or_else(|| free_lane(&mut active));
        lane.push(col);
        for (i, &parent) in r.parents.iter().enumerate() {
            let l = if i == 0 {
                col
            } else if let Some(l) = active.iter().position(|w| *w == Some(parent)) {
                l
            } else {
                free_lane(&mut active)
            };
            active[l] = Some(parent);
            edges.push(Edge {
                from: row,
                to: parent,
                lane: l,
                dashed: false,
            });
        }
        lanes = lanes.max(active.len()).max(col + 1);
    }
    for (row, r) in rows.iter().enumerate() {
        for &dep in &r.deps {
            edges.push(Edge {
                from: row,
                to: dep,
                lane: lane[row],
                dashed: true,
            });
        }
    }
    LaneLayout {
        rows,
        lane,
        edges,
        lanes,
    }
}
