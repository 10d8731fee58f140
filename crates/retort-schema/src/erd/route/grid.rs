//! The free corridors of a laid-out ERD as lines a route may follow. The layout leaves free
//! space in known places: channels between the columns of a band (and the padding beside the
//! first and last), gaps between the boxes of a column, strips between the bands of a cluster,
//! strips between rows of clusters, and gaps between clusters of a row. Each becomes a line
//! through its middle, long enough to meet the lines it connects to; no line crosses a box.
//! Routes run along lines and turn where two lines cross (a node).

use std::collections::BTreeMap;

use super::super::layout::{Column, Placed, GAP_Y, LABEL_H, PAD};

/// A free line: vertical at x = `at` from y `lo` to `hi`, or horizontal at y = `at`. `half`
/// is how far either side of it is free too (where parallel routes get their tracks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Line {
    pub vertical: bool,
    pub at: i64,
    pub lo: i64,
    pub hi: i64,
    pub half: i64,
}

/// Lines, the nodes where they cross, and where each box attaches.
pub(crate) struct Grid {
    pub lines: Vec<Line>,
    /// Each node's point and its (vertical, horizontal) lines.
    pub nodes: Vec<((i64, i64), (usize, usize))>,
    /// Per line: its nodes by position along it.
    pub along: Vec<Vec<(i64, usize)>>,
    /// Per box: the vertical lines of the channels left and right of it.
    pub sides: Vec<Option<(usize, usize)>>,
}

/// A band of a cluster: its columns left to right and its y extent.
struct Band {
    cols: Vec<usize>,
    top: i64,
    bottom: i64,
}

/// What the lines are computed from.
struct Frame<'a> {
    placed: &'a Placed,
    sizes: &'a [(i64, i64)],
    /// Per cluster, its bands top to bottom.
    bands: Vec<Vec<Band>>,
    /// Per cluster: its row, and the y of the strips above (if any) and below its row.
    rows: Vec<(Option<i64>, i64)>,
}

impl Frame<'_> {
    fn bottom(&self, node: usize) -> i64 {
        self.placed.pos[node].1 + self.sizes[node].1
    }

    fn column_bottom(&self, col: &Column) -> i64 {
        col.nodes.last().map_or(0, |n| self.bottom(*n))
    }

    /// The x span of the channel left of column `index` of a band (`index` = the column
    /// count: right of the last).
    fn channel(&self, cluster: usize, band: &Band, index: usize) -> (i64, i64) {
        let rect = self.placed.clusters[cluster];
        let left = match index {
            0 => rect.0,
            i => {
                let c = &self.placed.columns[band.cols[i - 1]];
                c.x + c.width
            }
        };
        let right = band
            .cols
            .get(index)
            .map_or(rect.0 + rect.2, |c| self.placed.columns[*c].x);
        (left, right.max(left))
    }
}

fn bands_of(placed: &Placed, sizes: &[(i64, i64)]) -> Vec<Vec<Band>> {
    let mut by: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, c) in placed.columns.iter().enumerate() {
        by.entry((c.cluster, c.band)).or_default().push(i);
    }
    let mut out: Vec<Vec<Band>> = (0..placed.clusters.len()).map(|_| Vec::new()).collect();
    for ((cluster, _), cols) in by {
        let nodes = cols.iter().flat_map(|c| placed.columns[*c].nodes.iter());
        let top = nodes.clone().map(|n| placed.pos[*n].1).min().unwrap_or(0);
        let bottom = nodes
            .map(|n| placed.pos[*n].1 + sizes[*n].1)
            .max()
            .unwrap_or(0);
        out[cluster].push(Band { cols, top, bottom });
    }
    out
}

/// Clusters of the same y form a row; the strip below a row is the gap before the next one.
fn rows_of(placed: &Placed) -> Vec<(Option<i64>, i64)> {
    let mut bottoms: BTreeMap<i64, i64> = BTreeMap::new();
    for r in &placed.clusters {
        let b = bottoms.entry(r.1).or_insert(0);
        *b = (*b).max(r.1 + r.3);
    }
    let tops: Vec<i64> = bottoms.keys().copied().collect();
    let strip_below = |top: i64| {
        let bottom = bottoms[&top];
        match tops.iter().find(|t| **t > top) {
            Some(next) => (bottom + next) / 2,
            None => bottom + PAD / 2,
        }
    };
    placed
        .clusters
        .iter()
        .map(|r| {
            let above = tops
                .iter()
                .rev()
                .find(|t| **t < r.1)
                .map(|t| strip_below(*t));
            (above, strip_below(r.1))
        })
        .collect()
}

impl Frame<'_> {
    /// The y of the strip above band `b` and below it.
    fn strips(&self, cluster: usize, b: usize) -> (i64, i64) {
        let rect = self.placed.clusters[cluster];
        let bands = &self.bands[cluster];
        let above = match b {
            0 => (rect.1 + LABEL_H + bands[0].top) / 2,
            _ => (bands[b - 1].bottom + bands[b].top) / 2,
        };
        let below = match bands.get(b + 1) {
            Some(next) => (bands[b].bottom + next.top) / 2,
            None => (bands[b].bottom + rect.1 + rect.3) / 2,
        };
        (above, below)
    }

    /// Channel lines of every band (the first band's reach up to the row strip above, the last
    /// band's down to the row strip below, so routes can leave the cluster), gap lines of every
    /// column, and a strip line under every band. Also each box's side lines.
    fn cluster_lines(
        &self,
        cluster: usize,
        lines: &mut Vec<Line>,
        sides: &mut [Option<(usize, usize)>],
    ) {
        let (row_above, row_below) = self.rows[cluster];
        let last = self.bands[cluster].len().saturating_sub(1);
        let rect = self.placed.clusters[cluster];
        for (b, band) in self.bands[cluster].iter().enumerate() {
            let (above, below) = self.strips(cluster, b);
            let mut channel_line = Vec::new();
            for index in 0..=band.cols.len() {
                let (l, r) = self.channel(cluster, band, index);
                let lo = match row_above {
                    Some(y) if b == 0 && index > 0 => y,
                    _ => above,
                };
                let hi = if b == last { row_below } else { below };
                channel_line.push(lines.len());
                lines.push(Line {
                    vertical: true,
                    at: (l + r) / 2,
                    lo,
                    hi,
                    half: (r - l) / 2,
                });
            }
            for (slot, c) in band.cols.iter().enumerate() {
                let col = &self.placed.columns[*c];
                for n in &col.nodes {
                    sides[*n] = Some((channel_line[slot], channel_line[slot + 1]));
                }
                let (lo, hi) = (
                    lines[channel_line[slot]].at,
                    lines[channel_line[slot + 1]].at,
                );
                for (top, bottom) in self.column_gaps(col, band) {
                    lines.push(Line {
                        vertical: false,
                        at: (top + bottom) / 2,
                        lo,
                        hi,
                        half: (bottom - top) / 2,
                    });
                }
            }
            let bottom = if b == last {
                rect.1 + rect.3
            } else {
                self.bands[cluster][b + 1].top
            };
            lines.push(Line {
                vertical: false,
                at: below,
                lo: rect.0 + 2,
                hi: rect.0 + rect.2 - 2,
                half: (bottom - band.bottom) / 2,
            });
            if b == 0 {
                lines.push(Line {
                    vertical: false,
                    at: above,
                    lo: rect.0 + 2,
                    hi: rect.0 + rect.2 - 2,
                    half: (band.top - rect.1 - LABEL_H) / 2,
                });
            }
        }
    }

    /// Free y intervals of a column: between its boxes, and below the last when the column is
    /// shorter than its band.
    fn column_gaps(&self, col: &Column, band: &Band) -> Vec<(i64, i64)> {
        let mut out: Vec<(i64, i64)> = col
            .nodes
            .windows(2)
            .map(|w| (self.bottom(w[0]), self.placed.pos[w[1]].1))
            .collect();
        let end = self.column_bottom(col);
        if end + GAP_Y <= band.bottom {
            out.push((end, end + GAP_Y));
        }
        out
    }

    /// Row strips across the picture, and lines in the gaps beside and between the clusters
    /// of each row, from the strip above the row to the one below.
    fn outer_lines(&self, lines: &mut Vec<Line>) {
        let mut rows: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for (i, r) in self.placed.clusters.iter().enumerate() {
            rows.entry(r.1).or_default().push(i);
        }
        for (top, members) in rows {
            let (above, below) = self.rows[members[0]];
            let lo = above.unwrap_or(top);
            lines.push(Line {
                vertical: false,
                at: below,
                lo: 0,
                hi: self.placed.width,
                half: GAP_Y / 2 - 2,
            });
            let mut x = 0;
            for c in members {
                let r = self.placed.clusters[c];
                lines.push(Line {
                    vertical: true,
                    at: (x + r.0) / 2,
                    lo,
                    hi: below,
                    half: (r.0 - x) / 2,
                });
                x = r.0 + r.2;
            }
            lines.push(Line {
                vertical: true,
                at: x + GAP_Y / 2,
                lo,
                hi: below,
                half: GAP_Y / 2 - 2,
            });
        }
    }
}

/// Collinear lines that touch become one (their `half` the narrower).
fn merge(mut lines: Vec<Line>) -> Vec<Line> {
    lines.sort();
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for l in lines {
        match out.last_mut() {
            Some(p) if p.vertical == l.vertical && p.at == l.at && l.lo <= p.hi => {
                p.hi = p.hi.max(l.hi);
                p.half = p.half.min(l.half);
            }
            _ => out.push(l),
        }
    }
    out
}

/// Every crossing of a vertical and a horizontal line.
fn crossings(lines: &[Line]) -> Grid {
    let (vs, hs): (Vec<usize>, Vec<usize>) = (0..lines.len()).partition(|i| lines[*i].vertical);
    let mut nodes = Vec::new();
    let mut along = vec![Vec::new(); lines.len()];
    for &v in &vs {
        let lv = lines[v];
        for &h in &hs {
            let lh = lines[h];
            if (lh.lo..=lh.hi).contains(&lv.at) && (lv.lo..=lv.hi).contains(&lh.at) {
                along[v].push((lh.at, nodes.len()));
                along[h].push((lv.at, nodes.len()));
                nodes.push(((lv.at, lh.at), (v, h)));
            }
        }
    }
    for a in &mut along {
        a.sort();
    }
    Grid {
        lines: lines.to_vec(),
        nodes,
        along,
        sides: Vec::new(),
    }
}

/// The grid of a placed ERD (`sizes`: each box's width and height).
pub(crate) fn grid(placed: &Placed, sizes: &[(i64, i64)]) -> Grid {
    let frame = Frame {
        placed,
        sizes,
        bands: bands_of(placed, sizes),
        rows: rows_of(placed),
    };
    let mut lines = Vec::new();
    let mut sides = vec![None; sizes.len()];
    for cluster in 0..placed.clusters.len() {
        frame.cluster_lines(cluster, &mut lines, &mut sides);
    }
    frame.outer_lines(&mut lines);
    // Merging renumbers lines: carry each box's side lines over by value.
    let side_lines: Vec<Option<(Line, Line)>> = sides
        .iter()
        .map(|s| s.map(|(l, r)| (lines[l], lines[r])))
        .collect();
    let mut g = crossings(&merge(lines));
    let find = |l: Line| {
        g.lines
            .iter()
            .position(|m| m.vertical && m.at == l.at && m.lo <= l.lo && l.hi <= m.hi)
    };
    let sides: Vec<Option<(usize, usize)>> = side_lines
        .into_iter()
        .map(|s| s.and_then(|(l, r)| Some((find(l)?, find(r)?))))
        .collect();
    g.sides = sides;
    g
}
