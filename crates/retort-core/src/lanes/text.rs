//! The lanes drawn with box-drawing characters for a terminal, as `git log --graph` draws
//! them: one line per revision (its lane's `●`, `◉` when current, the id, its marks and
//! message), `│` for edges passing by, and a connector line where a merge opens lanes (`├─╮`)
//! or lanes join a branch point (`├─╯`). `depends_on` edges are named in the text, not drawn.

use std::fmt::Write;

use crate::graph::RevisionGraph;

use super::layout::{layout, Edge, LaneLayout};
use super::rows::RowKind;
use super::LaneOptions;

/// One cell of a line: what a lane shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cell {
    Empty,
    Vertical,
    Node {
        current: bool,
    },
    /// On a connector line: the lane of the row it belongs to.
    Tee,
    /// On a connector line: a lane that bends into the connector.
    Corner,
    /// On a connector line: a vertical crossed by it.
    Cross,
    Horizontal,
}

/// The graph as text lines (see the module documentation). Nothing is collapsed unless
/// `options.collapse_over` says so.
pub fn graph_text(graph: &RevisionGraph, options: &LaneOptions) -> String {
    let lay = layout(graph, options);
    let mut out = String::new();
    for row in 0..lay.rows.len() {
        let joining = joins_into(&lay, row);
        if !joining.is_empty() {
            connector(&mut out, &lay, row, &joining, Bend::Up);
        }
        let mut cells = verticals(&lay, |e| e.from < row && e.to > row);
        cells[lay.lane[row]] = Cell::Node {
            current: row_is_current(graph, &lay.rows[row].kind, options),
        };
        out.push_str(&draw(&cells, Bend::Up, 0, 0));
        out.push(' ');
        row_text(&mut out, graph, &lay, row, options);
        out.push('\n');
        let leaving = leaves_from(&lay, row);
        if !leaving.is_empty() {
            connector(&mut out, &lay, row, &leaving, Bend::Down);
        }
    }
    out
}

/// Lanes of parent edges that reach `row` in another lane than its own (a branch point).
fn joins_into(lay: &LaneLayout, row: usize) -> Vec<usize> {
    drawn(lay)
        .filter(|e| e.to == row && e.lane != lay.lane[row])
        .map(|e| e.lane)
        .collect()
}

/// Lanes of parent edges that leave `row` in another lane than its own (a merge).
fn leaves_from(lay: &LaneLayout, row: usize) -> Vec<usize> {
    drawn(lay)
        .filter(|e| e.from == row && e.lane != lay.lane[row])
        .map(|e| e.lane)
        .collect()
}

fn drawn(lay: &LaneLayout) -> impl Iterator<Item = &Edge> {
    lay.edges.iter().filter(|e| !e.dashed)
}

/// Lanes with a parent edge running down past the line: `on` says which edges do.
fn verticals(lay: &LaneLayout, on: impl Fn(&Edge) -> bool) -> Vec<Cell> {
    let mut cells = vec![Cell::Empty; lay.lanes.max(1)];
    for e in drawn(lay).filter(|e| on(e)) {
        cells[e.lane] = Cell::Vertical;
    }
    cells
}

/// Which way the bending lanes of a connector line go from it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bend {
    /// They come from above and end here (lanes joining a branch point).
    Up,
    /// They start here and go down (a merge's further parents).
    Down,
}

/// A connector line between `row` and the line above it (`Bend::Up`) or below it.
fn connector(out: &mut String, lay: &LaneLayout, row: usize, bending: &[usize], bend: Bend) {
    let own = lay.lane[row];
    // The gap between rows `gap` and `gap + 1` that the line is drawn in.
    let gap = match bend {
        Bend::Up => row.saturating_sub(1),
        Bend::Down => row,
    };
    let mut cells = verticals(lay, |e| e.from <= gap && e.to > gap);
    let lo = bending.iter().copied().chain([own]).min().unwrap_or(own);
    let hi = bending.iter().copied().chain([own]).max().unwrap_or(own);
    for (lane, cell) in cells.iter_mut().enumerate().take(hi + 1).skip(lo) {
        *cell = if lane == own {
            Cell::Tee
        } else if bending.contains(&lane) {
            Cell::Corner
        } else if *cell == Cell::Vertical {
            Cell::Cross
        } else {
            Cell::Horizontal
        };
    }
    out.push_str(draw(&cells, bend, lo, hi).trim_end());
    out.push('\n');
}

/// The characters of a line of cells; `lo..=hi` is the span of a connector (joined by `─`).
fn draw(cells: &[Cell], bend: Bend, lo: usize, hi: usize) -> String {
    let mut s = String::new();
    for (lane, cell) in cells.iter().enumerate() {
        let (left, right) = (lane == lo, lane == hi);
        s.push(match cell {
            Cell::Empty => ' ',
            Cell::Vertical => '│',
            Cell::Node { current: false } => '●',
            Cell::Node { current: true } => '◉',
            Cell::Tee if left => '├',
            Cell::Tee if right => '┤',
            Cell::Tee => '┼',
            Cell::Corner => corner(bend, left, right),
            Cell::Cross => '┼',
            Cell::Horizontal => '─',
        });
        s.push(if lane >= lo && lane < hi { '─' } else { ' ' });
    }
    s
}

fn corner(bend: Bend, left: bool, right: bool) -> char {
    match (bend, left, right) {
        (Bend::Up, true, _) => '╰',
        (Bend::Up, _, true) => '╯',
        (Bend::Up, _, _) => '┴',
        (Bend::Down, true, _) => '╭',
        (Bend::Down, _, true) => '╮',
        (Bend::Down, _, _) => '┬',
    }
}

fn row_is_current(graph: &RevisionGraph, kind: &RowKind, options: &LaneOptions) -> bool {
    match kind {
        RowKind::Revision(r) => options.current.contains(graph.id(*r)),
        RowKind::Collapsed(_) => false,
    }
}

/// `id (labels) (head) (current) (branchpoint|mergepoint) message  [depends on x]`, or a
/// collapsed run's `… N revisions (newest .. oldest)`.
fn row_text(
    out: &mut String,
    graph: &RevisionGraph,
    lay: &LaneLayout,
    row: usize,
    options: &LaneOptions,
) {
    let r = match &lay.rows[row].kind {
        RowKind::Revision(r) => *r,
        RowKind::Collapsed(rs) => {
            let (newest, oldest) = (rs[0], rs[rs.len() - 1]);
            let _ = write!(
                out,
                "… {} revisions ({} .. {})",
                rs.len(),
                graph.id(newest),
                graph.id(oldest)
            );
            return;
        }
    };
    out.push_str(graph.id(r));
    for mark in graph.marks(r, &options.current) {
        let _ = write!(out, " ({mark})");
    }
    let rev = graph.rev(r);
    if !rev.file.message.is_empty() {
        let _ = write!(out, " {}", rev.file.message);
    }
    let deps: Vec<&str> = rev
        .deps
        .iter()
        .filter(|d| !rev.down.contains(d))
        .map(|d| graph.id(*d))
        .collect();
    if !deps.is_empty() {
        let _ = write!(out, "  [depends on {}]", deps.join(", "));
    }
}
