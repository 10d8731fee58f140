//! Routing the ERD's edges around the boxes: `grid.rs` turns the free space the layout left
//! (channels, gaps, strips) into lines, `search.rs` finds each edge's shortest route along
//! them with few turns, `tracks.rs` gives routes sharing a line their own track. An edge
//! leaves its box sideways at its column's row and enters its target the same way; no route
//! crosses a box. What finds no route (a link of a box to itself) is left to the caller.
//! Integer coordinates, ties broken by index: deterministic.

mod grid;
mod search;
mod tracks;

use super::layout::Placed;
use search::Port;

/// What an edge connects: node indexes and the y of each end.
#[derive(Clone, Copy, Debug)]
pub(super) struct EdgeEnds {
    pub from: usize,
    pub from_y: i64,
    pub to: usize,
    pub to_y: i64,
}

/// A route's corner points, from its start to its end.
pub(super) type Polyline = Vec<(i64, i64)>;

/// Each edge's polyline, or `None` where it has no route.
pub(super) fn route(
    placed: &Placed,
    sizes: &[(i64, i64)],
    edges: &[EdgeEnds],
) -> Vec<Option<Polyline>> {
    let grid = grid::grid(placed, sizes);
    let ports = |node: usize, y: i64| -> Vec<Port> {
        let Some((left, right)) = grid.sides.get(node).copied().flatten() else {
            return Vec::new();
        };
        let x = placed.pos[node].0;
        vec![
            Port {
                line: left,
                y,
                side_x: x,
            },
            Port {
                line: right,
                y,
                side_x: x + sizes[node].0,
            },
        ]
    };
    let found: Vec<Option<(Vec<search::Run>, Port, Port)>> = edges
        .iter()
        .map(|e| {
            if e.from == e.to {
                return None;
            }
            let (starts, goals) = (ports(e.from, e.from_y), ports(e.to, e.to_y));
            let (runs, s, g) = search::search(&grid, &starts, &goals)?;
            Some((runs, starts[s], goals[g]))
        })
        .collect();
    let runs: Vec<Option<Vec<search::Run>>> = found
        .iter()
        .map(|f| f.as_ref().map(|(r, _, _)| r.clone()))
        .collect();
    let offsets = tracks::offsets(&grid, &runs);
    found
        .iter()
        .zip(offsets)
        .map(|(f, across)| {
            let (runs, start, goal) = f.as_ref()?;
            let mut cur = (start.side_x, start.y);
            let mut points = vec![cur];
            for (run, c) in runs.iter().zip(across) {
                cur = if grid.lines[run.line].vertical {
                    (c, cur.1)
                } else {
                    (cur.0, c)
                };
                points.push(cur);
            }
            points.push((cur.0, goal.y));
            points.push((goal.side_x, goal.y));
            points.dedup();
            Some(points)
        })
        .collect()
}

/// An SVG path through the points with its corners rounded.
pub(super) fn path(points: &[(i64, i64)]) -> String {
    use std::fmt::Write as _;
    let mut d = String::new();
    let Some(first) = points.first() else {
        return d;
    };
    let _ = write!(d, "M{},{}", first.0, first.1);
    for w in points.windows(3) {
        let (a, b, c) = (w[0], w[1], w[2]);
        let r = 5.min(dist(a, b) / 2).min(dist(b, c) / 2);
        let (p, q) = (toward(b, a, r), toward(b, c, r));
        let _ = write!(d, " L{},{} Q{},{},{},{}", p.0, p.1, b.0, b.1, q.0, q.1);
    }
    if let Some(last) = points.last().filter(|_| points.len() > 1) {
        let _ = write!(d, " L{},{}", last.0, last.1);
    }
    d
}

fn dist(a: (i64, i64), b: (i64, i64)) -> i64 {
    (a.0 - b.0).abs() + (a.1 - b.1).abs()
}

/// The point `r` from `from` toward `to` (the segments are axis-parallel).
fn toward(from: (i64, i64), to: (i64, i64), r: i64) -> (i64, i64) {
    (
        from.0 + (to.0 - from.0).signum() * r,
        from.1 + (to.1 - from.1).signum() * r,
    )
}
