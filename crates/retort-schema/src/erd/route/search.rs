//! The shortest route along the grid's lines, each turn costing as much as `BEND` of length
//! (A* over (node, direction) states; the Manhattan distance to the nearest goal is the
//! heuristic). A route starts on the channel beside its box (either side) at the y of its
//! column's row and ends the same way at its target.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::grid::Grid;

const BEND: i64 = 40;
/// Give up (the caller draws a curve) after expanding this many states: a bound on time
/// whatever the picture.
const MAX_STATES: usize = 100_000;

/// Where a route leaves or enters a box: the vertical line it joins, the y, and the x of the
/// box's side.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Port {
    pub line: usize,
    pub y: i64,
    pub side_x: i64,
}

/// One straight piece of a route: along `line` from one coordinate to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Run {
    pub line: usize,
    pub from: i64,
    pub to: i64,
}

/// A point of the search: a grid node, a start port, or a goal port (indexes into the ports).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Point {
    Node(usize),
    Start(usize),
    Goal(usize),
    End,
}

/// A state: the point and whether it was reached moving vertically.
type State = (Point, bool);

struct Search<'a> {
    grid: &'a Grid,
    starts: &'a [Port],
    goals: &'a [Port],
}

impl Search<'_> {
    fn xy(&self, p: Point) -> (i64, i64) {
        match p {
            Point::Node(n) => self.grid.nodes[n].0,
            Point::Start(i) => (self.grid.lines[self.starts[i].line].at, self.starts[i].y),
            Point::Goal(i) => (self.grid.lines[self.goals[i].line].at, self.goals[i].y),
            Point::End => (0, 0),
        }
    }

    fn heuristic(&self, p: Point) -> i64 {
        let (x, y) = self.xy(p);
        self.goals
            .iter()
            .map(|g| (self.grid.lines[g.line].at - x).abs() + (g.y - y).abs())
            .min()
            .unwrap_or(0)
    }

    /// Moves from a point: (next point, the line moved along, vertical?, extra cost).
    fn moves(&self, p: Point, out: &mut Vec<(Point, usize, bool, i64)>) {
        out.clear();
        let (x, y) = self.xy(p);
        let mut along = |line: usize, here: i64| {
            let l = &self.grid.lines[line];
            let nodes = &self.grid.along[line];
            let i = nodes.partition_point(|(c, _)| *c < here);
            // The nearest node each way (skipping this one).
            if let Some((_, n)) = nodes[..i].last() {
                out.push((Point::Node(*n), line, l.vertical, 0));
            }
            if let Some((_, n)) = nodes[i..].iter().find(|(c, _)| *c > here) {
                out.push((Point::Node(*n), line, l.vertical, 0));
            }
            for (g, port) in self.goals.iter().enumerate() {
                if port.line == line && !matches!(p, Point::Goal(k) if k == g) {
                    out.push((Point::Goal(g), line, true, 0));
                }
            }
        };
        match p {
            Point::Node(n) => {
                let (v, h) = self.grid.nodes[n].1;
                along(v, y);
                along(h, x);
            }
            Point::Start(i) => along(self.starts[i].line, y),
            Point::Goal(i) => {
                let g = self.goals[i];
                out.push((Point::End, usize::MAX, false, (g.side_x - x).abs()));
            }
            Point::End => {}
        }
    }
}

impl Search<'_> {
    /// A dense index of every state: points then direction.
    fn index(&self, (p, vertical): State) -> usize {
        let n = self.grid.nodes.len();
        let point = match p {
            Point::Node(i) => i,
            Point::Start(i) => n + i,
            Point::Goal(i) => n + self.starts.len() + i,
            Point::End => n + self.starts.len() + self.goals.len(),
        };
        point * 2 + usize::from(vertical)
    }

    fn states(&self) -> usize {
        (self.grid.nodes.len() + self.starts.len() + self.goals.len() + 1) * 2
    }
}

/// Costs and back links of the states reached so far.
struct Reached {
    best: Vec<i64>,
    came: Vec<Option<(State, usize)>>,
    count: usize,
}

/// The cheapest route from any start port to any goal port: its runs along lines, and which
/// start and goal it used. `None` when there is none (or the search grew too large).
pub(crate) fn search(
    grid: &Grid,
    starts: &[Port],
    goals: &[Port],
) -> Option<(Vec<Run>, usize, usize)> {
    let s = Search {
        grid,
        starts,
        goals,
    };
    let mut r = Reached {
        best: vec![i64::MAX; s.states()],
        came: vec![None; s.states()],
        count: 0,
    };
    let mut heap = BinaryHeap::new();
    for (i, port) in starts.iter().enumerate() {
        let state = (Point::Start(i), false);
        let g = (s.xy(state.0).0 - port.side_x).abs();
        r.best[s.index(state)] = g;
        heap.push(Reverse((g + s.heuristic(state.0), g, state)));
    }
    let mut moves = Vec::new();
    while let Some(Reverse((_, g, state))) = heap.pop() {
        if state.0 == Point::End {
            return Some(unwind(&s, &r, state));
        }
        if r.count > MAX_STATES {
            return None;
        }
        if r.best[s.index(state)] < g {
            continue;
        }
        r.count += 1;
        let (x, y) = s.xy(state.0);
        s.moves(state.0, &mut moves);
        for &(to, line, vertical, extra) in &moves {
            let (tx, ty) = s.xy(to);
            let end = to == Point::End;
            let turn = if end || vertical != state.1 { BEND } else { 0 };
            let len = if end {
                0
            } else {
                (tx - x).abs() + (ty - y).abs()
            };
            let cost = g + len + turn + extra;
            let next = (to, vertical);
            let k = s.index(next);
            if cost < r.best[k] {
                r.best[k] = cost;
                r.came[k] = Some((state, line));
                let h = if end { 0 } else { s.heuristic(to) };
                heap.push(Reverse((cost + h, cost, next)));
            }
        }
    }
    None
}

fn unwind(s: &Search, r: &Reached, end: State) -> (Vec<Run>, usize, usize) {
    let mut runs: Vec<Run> = Vec::new();
    let (mut state, mut goal, mut start) = (end, 0, 0);
    while let Some((prev, line)) = r.came[s.index(state)] {
        if let Point::Goal(g) = state.0 {
            goal = g;
        }
        if line != usize::MAX {
            let l = &s.grid.lines[line];
            let coord = |p: Point| if l.vertical { s.xy(p).1 } else { s.xy(p).0 };
            let run = Run {
                line,
                from: coord(prev.0),
                to: coord(state.0),
            };
            match runs.last_mut() {
                Some(last) if last.line == line => last.from = run.from,
                _ => runs.push(run),
            }
        }
        state = prev;
    }
    if let Point::Start(i) = state.0 {
        start = i;
    }
    runs.reverse();
    (runs, start, goal)
}
