//! The ERD as SVG: a box per entity (name, then a row per column: key markers, name, type,
//! NOT NULL), a frame per schema, foreign keys as arrows from the referencing column to the
//! referenced one (a tooltip names the constraint), what views read as dashed arrows.

use std::fmt::Write as _;

use crate::svg::{escape, text_width, truncate, Svg, CHAR_WIDTH};

use super::layout::{place, Placed, Rect, LABEL_H};
use super::model::{Entity, EntityKind, Erd, Link, LinkKind};
use super::route::{path, route, EdgeEnds};

const HEADER_H: i64 = 22;
const ROW_H: i64 = 18;
const TEXT_PAD: i64 = 6;
const TYPE_MAX: usize = 32;
const TITLE_H: i64 = 34;

const STYLE: &str = "\
.title { font-size: 15px; font-weight: bold; fill: #222; }
.cluster { fill: #f6f8fa; stroke: #c8ced6; stroke-width: 1; }
.cluster-label { font-size: 13px; font-weight: bold; fill: #57606a; }
.box { fill: #ffffff; stroke: #57606a; stroke-width: 1; }
.head { fill: #dfe8f6; stroke: #57606a; stroke-width: 1; }
.head-view { fill: #e6f4ea; stroke: #57606a; stroke-width: 1; }
.head-enum { fill: #fbefd5; stroke: #57606a; stroke-width: 1; }
.name { font-weight: bold; fill: #111; }
.kind { fill: #57606a; font-style: italic; }
.keys { fill: #9a6700; font-weight: bold; }
.col { fill: #111; }
.type { fill: #57606a; }
.nn { fill: #cf222e; font-size: 10px; }
.fk { fill: none; stroke: #0969da; stroke-width: 1.3; }
.reads { fill: none; stroke: #1a7f37; stroke-width: 1.2; stroke-dasharray: 5 3; }
";

const DEFS: &str = "<defs>\
<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#0969da\"/></marker>\
<marker id=\"arrow-reads\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#1a7f37\"/></marker>\
</defs>\n";

/// Widths of the four text columns of an entity's rows.
struct Columns {
    keys: i64,
    name: i64,
    data_type: i64,
    nn: i64,
}

fn columns(e: &Entity) -> Columns {
    let max = |f: &dyn Fn(&super::EntityRow) -> i64| e.rows.iter().map(f).max().unwrap_or(0);
    Columns {
        keys: max(&|r| text_width(&r.keys.join(" "))),
        name: max(&|r| text_width(&r.name)),
        data_type: max(&|r| text_width(&truncate(&r.data_type, TYPE_MAX))),
        nn: if e.rows.iter().any(|r| r.not_null) {
            text_width("NOT NULL") * 10 / 12
        } else {
            0
        },
    }
}

fn kind_word(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Table => "",
        EntityKind::View => "view",
        EntityKind::MaterializedView => "materialized view",
        EntityKind::Enum => "enum",
    }
}

fn size(e: &Entity) -> (i64, i64) {
    let c = columns(e);
    let gaps = [c.keys, c.name, c.data_type, c.nn]
        .iter()
        .filter(|w| **w > 0)
        .count() as i64;
    let rows = c.keys + c.name + c.data_type + c.nn + (gaps - 1).max(0) * CHAR_WIDTH;
    let head = text_width(&e.name.name) + text_width(kind_word(e.kind)) + CHAR_WIDTH;
    let height = HEADER_H + ROW_H * e.rows.len() as i64 + 4;
    (rows.max(head) + 2 * TEXT_PAD, height)
}

fn draw_entity(svg: &mut Svg, e: &Entity, (x, y): (i64, i64), (w, h): (i64, i64)) {
    let id = format!("{}.{}", e.name.schema, e.name.name);
    svg.group(&format!("entity-{id}"), "entity", &id);
    svg.rect(x, y, w, h, "box");
    let head = match e.kind {
        EntityKind::Table => "head",
        EntityKind::View | EntityKind::MaterializedView => "head-view",
        EntityKind::Enum => "head-enum",
    };
    svg.rect(x, y, w, HEADER_H, head);
    svg.raw(&format!(
        "<text x=\"{}\" y=\"{}\"><tspan class=\"name\">{}</tspan> <tspan class=\"kind\">{}</tspan></text>\n",
        x + TEXT_PAD,
        y + 15,
        escape(&e.name.name),
        kind_word(e.kind)
    ));
    let c = columns(e);
    let mut cx = [x + TEXT_PAD; 4];
    let widths = [c.keys, c.name, c.data_type];
    for i in 1..4 {
        let gap = if widths[i - 1] > 0 { CHAR_WIDTH } else { 0 };
        cx[i] = cx[i - 1] + widths[i - 1] + gap;
    }
    for (i, r) in e.rows.iter().enumerate() {
        let ty = y + HEADER_H + ROW_H * i as i64 + 14;
        let mut line = String::new();
        for (col, class, text) in [
            (0, "keys", r.keys.join(" ")),
            (1, "col", r.name.clone()),
            (2, "type", truncate(&r.data_type, TYPE_MAX)),
            (
                3,
                "nn",
                if r.not_null {
                    "NOT NULL".into()
                } else {
                    String::new()
                },
            ),
        ] {
            if !text.is_empty() {
                let _ = write!(
                    line,
                    "<text x=\"{}\" y=\"{ty}\" class=\"{class}\">{}</text>",
                    cx[col],
                    escape(&text)
                );
            }
        }
        line.push('\n');
        svg.raw(&line);
    }
    svg.end_group();
}

/// The y of a link's end on an entity: the named column's row, else the header.
fn anchor_y(e: &Entity, top: i64, column: Option<&String>) -> i64 {
    match column.and_then(|c| e.rows.iter().position(|r| &r.name == c)) {
        Some(i) => top + HEADER_H + ROW_H * i as i64 + ROW_H / 2,
        None => top + HEADER_H / 2,
    }
}

fn link_path(from: Rect, fy: i64, to: Rect, ty: i64) -> String {
    let (fx0, fx1, tx0, tx1) = (from.0, from.0 + from.2, to.0, to.0 + to.2);
    if from == to {
        return format!(
            "M{fx1},{fy} C{},{fy},{},{ty},{fx1},{ty}",
            fx1 + 40,
            fx1 + 40
        );
    }
    if tx1 <= fx0 {
        let mid = (tx1 + fx0) / 2;
        format!("M{fx0},{fy} C{mid},{fy},{mid},{ty},{tx1},{ty}")
    } else if fx1 <= tx0 {
        let mid = (fx1 + tx0) / 2;
        format!("M{fx1},{fy} C{mid},{fy},{mid},{ty},{tx0},{ty}")
    } else {
        // One above the other: out of the left sides and back.
        let out = fx0.min(tx0) - 36;
        format!("M{fx0},{fy} C{out},{fy},{out},{ty},{tx0},{ty}")
    }
}

/// The entity indexes a link joins (enums are never an end).
fn ends(erd: &Erd, l: &Link) -> Option<(usize, usize)> {
    let find = |n| {
        erd.entities
            .iter()
            .position(|e: &Entity| &e.name == n && e.kind != EntityKind::Enum)
    };
    Some((find(&l.from)?, find(&l.to)?))
}

fn edge_ends(erd: &Erd, placed: &Placed, l: &Link) -> Option<EdgeEnds> {
    let (f, t) = ends(erd, l)?;
    Some(EdgeEnds {
        from: f,
        from_y: anchor_y(&erd.entities[f], placed.pos[f].1, l.from_columns.first()),
        to: t,
        to_y: anchor_y(&erd.entities[t], placed.pos[t].1, l.to_columns.first()),
    })
}

/// A link's class, arrow marker and tooltip.
fn link_style(l: &Link) -> (&'static str, &'static str, String) {
    match l.kind {
        LinkKind::ForeignKey { optional, .. } => (
            "fk",
            "arrow",
            format!(
                "{}: {}.{}({}) → {}.{}({}){}",
                l.name,
                l.from.schema,
                l.from.name,
                l.from_columns.join(", "),
                l.to.schema,
                l.to.name,
                l.to_columns.join(", "),
                if optional { ", optional" } else { "" }
            ),
        ),
        LinkKind::Reads => (
            "reads",
            "arrow-reads",
            format!(
                "{}.{} reads {}.{}",
                l.from.schema, l.from.name, l.to.schema, l.to.name
            ),
        ),
    }
}

/// Every link's path: routed around the boxes where a corridor exists, else a curve.
fn link_paths(erd: &Erd, placed: &Placed, sizes: &[(i64, i64)]) -> Vec<Option<String>> {
    let ends: Vec<Option<EdgeEnds>> = erd
        .links
        .iter()
        .map(|l| edge_ends(erd, placed, l))
        .collect();
    let routable: Vec<EdgeEnds> = ends.iter().flatten().copied().collect();
    let mut routed = route(placed, sizes, &routable).into_iter();
    let rect = |i: usize| (placed.pos[i].0, placed.pos[i].1, sizes[i].0, sizes[i].1);
    ends.iter()
        .map(|e| {
            let e = e.as_ref()?;
            Some(match routed.next().flatten() {
                Some(points) => path(&points),
                None => link_path(rect(e.from), e.from_y, rect(e.to), e.to_y),
            })
        })
        .collect()
}

/// Each box's size and where everything went.
fn placement(erd: &Erd) -> (Vec<(i64, i64)>, Placed) {
    let sizes: Vec<(i64, i64)> = erd.entities.iter().map(size).collect();
    let members: Vec<Vec<usize>> = erd.clusters().into_iter().map(|(_, m)| m).collect();
    let edges: Vec<(usize, usize)> = erd.links.iter().filter_map(|l| ends(erd, l)).collect();
    let placed = place(&sizes, &members, &edges, TITLE_H);
    (sizes, placed)
}

/// The boxes of a diagram and the route of each link between two boxes (`None`: drawn as a
/// curve), for tests of the routing.
#[cfg(test)]
pub(super) fn routes(erd: &Erd) -> (Vec<Rect>, Vec<Option<super::route::Polyline>>) {
    let (sizes, placed) = placement(erd);
    let rects = (0..sizes.len())
        .map(|i| (placed.pos[i].0, placed.pos[i].1, sizes[i].0, sizes[i].1))
        .collect();
    let ends: Vec<Option<EdgeEnds>> = erd
        .links
        .iter()
        .map(|l| edge_ends(erd, &placed, l))
        .collect();
    let routable: Vec<EdgeEnds> = ends.iter().flatten().copied().collect();
    let mut routed = route(&placed, &sizes, &routable).into_iter();
    let per_link = ends
        .iter()
        .map(|e| e.as_ref().and_then(|_| routed.next().flatten()))
        .collect();
    (rects, per_link)
}

/// The diagram as SVG.
pub fn erd_svg(erd: &Erd) -> String {
    let clusters = erd.clusters();
    let (sizes, placed) = placement(erd);
    let width = placed.width.max(text_width(&erd.title) + 24);
    let mut svg = Svg::new(width, placed.height);
    svg.raw(DEFS);
    svg.text(12, 22, "title", &erd.title);
    for ((schema, _), (x, y, w, h)) in clusters.iter().zip(&placed.clusters) {
        svg.rect(*x, *y, *w, *h, "cluster");
        svg.text(x + 10, y + LABEL_H - 4, "cluster-label", schema);
    }
    for (l, d) in erd.links.iter().zip(link_paths(erd, &placed, &sizes)) {
        let Some(d) = d else { continue };
        let (class, marker, tip) = link_style(l);
        svg.raw(&format!(
            "<path d=\"{d}\" class=\"{class}\" marker-end=\"url(#{marker})\"><title>{}</title></path>\n",
            escape(&tip)
        ));
    }
    for (i, e) in erd.entities.iter().enumerate() {
        draw_entity(&mut svg, e, placed.pos[i], sizes[i]);
    }
    svg.finish(&erd.title, STYLE)
}
