//! Parallel routes on one line get their own track: the runs on a line are coloured so that
//! runs of one colour do not overlap (greedy interval colouring, runs by start), and the
//! colours are spread across the free width either side of the line.

use std::collections::BTreeMap;

use super::grid::Grid;
use super::search::Run;

/// How far apart neighbouring tracks are at most.
const STEP: i64 = 6;

/// For every run of every route, the coordinate across its line (x of a vertical run, y of a
/// horizontal one).
pub(crate) fn offsets(grid: &Grid, routes: &[Option<Vec<Run>>]) -> Vec<Vec<i64>> {
    let mut on_line: BTreeMap<usize, Vec<(i64, i64, usize, usize)>> = BTreeMap::new();
    for (r, runs) in routes.iter().enumerate() {
        for (k, run) in runs.iter().flatten().enumerate() {
            let (lo, hi) = (run.from.min(run.to), run.from.max(run.to));
            on_line.entry(run.line).or_default().push((lo, hi, r, k));
        }
    }
    let mut out: Vec<Vec<i64>> = routes
        .iter()
        .map(|r| vec![0; r.as_ref().map_or(0, Vec::len)])
        .collect();
    for (line, mut runs) in on_line {
        runs.sort();
        let (track, n) = colour(&runs);
        let l = &grid.lines[line];
        for ((_, _, r, k), t) in runs.iter().zip(track) {
            out[*r][*k] = across(l.at, l.half, t as i64, n as i64);
        }
    }
    out
}

/// Where track `t` of `n` lies across a line at `at` free `half` either side: `STEP` apart
/// around the line when they fit, else spread evenly over the free width (never outside it).
fn across(at: i64, half: i64, t: i64, n: i64) -> i64 {
    if STEP * (n + 1) <= 2 * half {
        at + (2 * t - (n - 1)) * STEP / 2
    } else {
        at - half + 2 * half * (t + 1) / (n + 1)
    }
}

/// A track per run (sorted by start) such that runs of one track neither overlap nor touch.
fn colour(runs: &[(i64, i64, usize, usize)]) -> (Vec<usize>, usize) {
    let mut ends: Vec<i64> = Vec::new();
    let mut out = Vec::with_capacity(runs.len());
    for (lo, hi, _, _) in runs {
        match ends.iter().position(|end| end + STEP < *lo) {
            Some(t) => {
                ends[t] = *hi;
                out.push(t);
            }
            None => {
                out.push(ends.len());
                ends.push(*hi);
            }
        }
    }
    let n = ends.len();
    (out, n)
}
