//! Placing the boxes of an ERD, in Rust (no Graphviz): each schema is a cluster laid out in
//! layers by foreign key (a referenced table left of the tables that reference it; cycles
//! broken in name order; what has no link, such as enums, in the last columns), each layer
//! ordered by the barycentre of its neighbours (a few sweeps each way) and cut into columns no
//! taller than the cluster's square-ish height, the columns wrapped into bands when too wide
//! (long chains); clusters are then packed in rows. Integer coordinates, ties broken by index:
//! deterministic.

/// A rectangle: x, y, width, height.
pub(super) type Rect = (i64, i64, i64, i64);

pub(super) const GAP_X: i64 = 70;
pub(super) const GAP_Y: i64 = 24;
pub(super) const PAD: i64 = 16;
pub(super) const LABEL_H: i64 = 22;
const ROW_WIDTH: i64 = 2400;
const SWEEPS: usize = 4;

/// Where everything went.
pub(super) struct Placed {
    /// Top-left corner of each node.
    pub pos: Vec<(i64, i64)>,
    /// Each cluster's rectangle, in the given order.
    pub clusters: Vec<Rect>,
    /// The columns of every cluster, left to right within each band (what edges are routed
    /// between).
    pub columns: Vec<Column>,
    pub width: i64,
    pub height: i64,
}

/// A column of boxes: its nodes top to bottom, all starting at `x`, none wider than `width`.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub cluster: usize,
    /// Which band of its cluster (long chains wrap into bands below each other).
    pub band: usize,
    pub x: i64,
    pub width: i64,
    pub nodes: Vec<usize>,
}

/// Longest path to a node nothing in the cluster references; back edges of cycles ignored.
fn layers(members: &[usize], parents: &[Vec<usize>]) -> Vec<usize> {
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; parents.len()];
    let mut layer = vec![0usize; parents.len()];
    for &start in members {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some((node, next)) = stack.pop() {
            if let Some(&p) = parents[node].get(next) {
                stack.push((node, next + 1));
                if state[p] == 0 {
                    state[p] = 1;
                    stack.push((p, 0));
                }
                continue;
            }
            layer[node] = parents[node]
                .iter()
                .filter(|p| state[**p] == 2)
                .map(|p| layer[*p] + 1)
                .max()
                .unwrap_or(0);
            state[node] = 2;
        }
    }
    layer
}

/// Reorder each layer by the mean position of its neighbours in the layer before (forward
/// sweeps use parents, backward sweeps children).
fn order(by_layer: &mut [Vec<usize>], parents: &[Vec<usize>], children: &[Vec<usize>]) {
    let n = parents.len();
    let mut position = vec![0usize; n];
    let set = |by_layer: &[Vec<usize>], position: &mut Vec<usize>| {
        for layer in by_layer {
            for (i, node) in layer.iter().enumerate() {
                position[*node] = i;
            }
        }
    };
    set(by_layer, &mut position);
    for sweep in 0..SWEEPS * 2 {
        let forward = sweep % 2 == 0;
        let indexes: Vec<usize> = if forward {
            (1..by_layer.len()).collect()
        } else {
            (0..by_layer.len().saturating_sub(1)).rev().collect()
        };
        for l in indexes {
            let neighbours = if forward { parents } else { children };
            let mut keyed: Vec<(f64, usize, usize)> = by_layer[l]
                .iter()
                .enumerate()
                .map(|(i, node)| {
                    let ns = &neighbours[*node];
                    let bary = if ns.is_empty() {
                        i as f64
                    } else {
                        ns.iter().map(|x| position[*x] as f64).sum::<f64>() / ns.len() as f64
                    };
                    (bary, *node, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            by_layer[l] = keyed.into_iter().map(|(_, node, _)| node).collect();
            set(by_layer, &mut position);
        }
    }
}

/// Lay one cluster out from (0, 0): node positions relative to it, its columns (relative,
/// `cluster` left 0) and its size.
fn cluster(
    members: &[usize],
    sizes: &[(i64, i64)],
    parents: &[Vec<usize>],
    children: &[Vec<usize>],
    pos: &mut [(i64, i64)],
) -> (i64, i64, Vec<Column>) {
    let layer = layers(members, parents);
    let depth = members.iter().map(|m| layer[*m]).max().unwrap_or(0) + 1;
    let mut by_layer: Vec<Vec<usize>> = vec![Vec::new(); depth];
    // Nodes with no link in the cluster (enums, lone tables) go after the layers, so that no
    // edge has to cross them.
    let mut lone = Vec::new();
    for &m in members {
        if parents[m].is_empty() && children[m].is_empty() {
            lone.push(m);
        } else {
            by_layer[layer[m]].push(m);
        }
    }
    by_layer.retain(|l| !l.is_empty());
    order(&mut by_layer, parents, children);
    by_layer.push(lone);
    let area: i64 = members.iter().map(|m| sizes[*m].0 * sizes[*m].1).sum();
    let tallest = members.iter().map(|m| sizes[*m].1).max().unwrap_or(0);
    let max_h = tallest.max(((area as f64).sqrt() * 1.1) as i64);
    let max_w = ROW_WIDTH.max(((area as f64).sqrt() * 1.5) as i64);
    let units = columns(by_layer, sizes, max_h);
    // Columns left to right, wrapped into bands below each other when wider than `max_w`
    // (a long chain of references would otherwise make one very wide row).
    let (mut x, mut top, mut width, mut height) = (PAD, PAD + LABEL_H, 0, 0);
    let (mut cols, mut band) = (Vec::new(), 0);
    for unit in units {
        let col_w = unit.iter().map(|n| sizes[*n].0).max().unwrap_or(0);
        if x > PAD && x + col_w > max_w {
            (x, top, band) = (PAD, height - PAD + 2 * GAP_Y, band + 1);
        }
        let mut y = top;
        for &node in &unit {
            pos[node] = (x, y);
            y += sizes[node].1 + GAP_Y;
            height = height.max(y - GAP_Y + PAD);
        }
        width = width.max(x + col_w + PAD);
        cols.push(Column {
            cluster: 0,
            band,
            x,
            width: col_w,
            nodes: unit,
        });
        x += col_w + GAP_X;
    }
    (width, height, cols)
}

/// The layers cut into columns no taller than `max_h` (a node taller than that alone).
fn columns(by_layer: Vec<Vec<usize>>, sizes: &[(i64, i64)], max_h: i64) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for layer in by_layer.into_iter().filter(|c| !c.is_empty()) {
        let (mut unit, mut h) = (Vec::new(), 0);
        for node in layer {
            if !unit.is_empty() && h + sizes[node].1 > max_h {
                out.push(std::mem::take(&mut unit));
                h = 0;
            }
            h += sizes[node].1 + GAP_Y;
            unit.push(node);
        }
        out.push(unit);
    }
    out
}

/// Place every node: `sizes` (width, height) per node, `clusters` (members), `edges` (from a
/// referencing node to the node it references).
pub(super) fn place(
    sizes: &[(i64, i64)],
    clusters: &[Vec<usize>],
    edges: &[(usize, usize)],
    top: i64,
) -> Placed {
    let n = sizes.len();
    let mut cluster_of = vec![0usize; n];
    for (c, members) in clusters.iter().enumerate() {
        for m in members {
            cluster_of[*m] = c;
        }
    }
    let (mut parents, mut children) = (vec![Vec::new(); n], vec![Vec::new(); n]);
    for &(from, to) in edges {
        if from != to && cluster_of[from] == cluster_of[to] && !parents[from].contains(&to) {
            parents[from].push(to);
            children[to].push(from);
        }
    }
    let mut pos = vec![(0, 0); n];
    let mut rects = Vec::with_capacity(clusters.len());
    let mut columns = Vec::new();
    // Rows of clusters about as wide as the whole picture would be square.
    let area: i64 = sizes.iter().map(|(w, h)| w * h).sum();
    let row_width = ROW_WIDTH.max(((area as f64).sqrt() * 2.0) as i64);
    let (mut x, mut y, mut row_h, mut width) = (0, top, 0, 0);
    for (c, members) in clusters.iter().enumerate() {
        let (w, h, cols) = cluster(members, sizes, &parents, &children, &mut pos);
        if x > 0 && x + w > row_width {
            (x, y, row_h) = (0, y + row_h + GAP_Y, 0);
        }
        for m in members {
            pos[*m] = (pos[*m].0 + x + PAD, pos[*m].1 + y);
        }
        columns.extend(cols.into_iter().map(|col| Column {
            cluster: c,
            x: col.x + x + PAD,
            ..col
        }));
        rects.push((x + PAD, y, w, h));
        x += w + GAP_Y;
        row_h = row_h.max(h);
        width = width.max(x + PAD);
    }
    Placed {
        pos,
        clusters: rects,
        columns,
        width,
        height: y + row_h + PAD,
    }
}
