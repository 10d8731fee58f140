//! The lane layout as SVG (one row per line of text, lanes on the left) and as a standalone
//! HTML page (the SVG, and a box that highlights the rows matching a search).

use std::fmt::Write as _;

use crate::graph::RevisionGraph;
use crate::svg::{escape, html_page, text_width, truncate, Svg};

use super::layout::{layout, Edge, LaneLayout};
use super::rows::RowKind;
use super::LaneOptions;

const ROW_H: i64 = 26;
const LANE_W: i64 = 16;
const MARGIN: i64 = 12;
const TITLE_H: i64 = 30;
const MESSAGE_MAX: usize = 72;
const PALETTE: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
];

const STYLE: &str = "\
.title { font-size: 14px; font-weight: bold; fill: #222; }
.id { fill: #555; }
.msg { fill: #111; }
.more { fill: #777; font-style: italic; }
.label { fill: #1a5fb4; font-weight: bold; }
.head { fill: #2a7a2a; font-weight: bold; }
.current { fill: #b5179e; font-weight: bold; }
.edge { fill: none; stroke-width: 2; }
.dep { fill: none; stroke: #888; stroke-width: 1.5; stroke-dasharray: 4 3; }
.node { stroke: #fff; stroke-width: 1.5; }
.ring { fill: none; stroke: #b5179e; stroke-width: 2; }
.gap { fill: #fff; stroke-width: 2; stroke-dasharray: 2 2; }
";

/// Geometry of one picture.
struct Geometry {
    lanes: i64,
    gutter: i64,
}

impl Geometry {
    fn x(&self, lane: usize) -> i64 {
        MARGIN + i64::try_from(lane).unwrap_or(0) * LANE_W + LANE_W / 2
    }
    fn y(row: usize) -> i64 {
        TITLE_H + MARGIN + i64::try_from(row).unwrap_or(0) * ROW_H + ROW_H / 2
    }
    fn text_x(&self) -> i64 {
        MARGIN + self.lanes * LANE_W + self.gutter + 8
    }
}

fn color(lane: usize) -> &'static str {
    PALETTE[lane % PALETTE.len()]
}

/// The path of a parent edge: out of the child's lane into the edge's, down, into the parent's.
fn edge_path(g: &Geometry, l: &LaneLayout, e: &Edge) -> String {
    let (cx, cy) = (g.x(l.lane[e.from]), Geometry::y(e.from));
    let (px, py) = (g.x(l.lane[e.to]), Geometry::y(e.to));
    let ex = g.x(e.lane);
    let half = ROW_H / 2;
    let mut d = format!("M{cx},{cy}");
    if e.to == e.from + 1 {
        if cx == px {
            let _ = write!(d, " L{px},{py}");
        } else {
            let _ = write!(d, " C{cx},{},{px},{},{px},{py}", cy + half, py - half);
        }
        return d;
    }
    if ex != cx {
        let _ = write!(
            d,
            " C{cx},{},{ex},{},{ex},{}",
            cy + half,
            cy + half,
            cy + ROW_H
        );
    }
    let _ = write!(d, " L{ex},{}", py - ROW_H);
    if ex == px {
        let _ = write!(d, " L{px},{py}");
    } else {
        let _ = write!(d, " C{ex},{},{px},{},{px},{py}", py - half, py - half);
    }
    d
}

/// A dependency edge: a dashed curve through the gutter right of the lanes.
fn dep_path(g: &Geometry, l: &LaneLayout, e: &Edge) -> String {
    let (cx, cy) = (g.x(l.lane[e.from]), Geometry::y(e.from));
    let (px, py) = (g.x(l.lane[e.to]), Geometry::y(e.to));
    let gx = MARGIN + g.lanes * LANE_W + g.gutter - 4;
    format!("M{cx},{cy} C{gx},{cy},{gx},{py},{px},{py}")
}

/// The text of a row as (class, text) pieces, and its tooltip.
fn row_text(
    graph: &RevisionGraph,
    kind: &RowKind,
    options: &LaneOptions,
) -> (Vec<(&'static str, String)>, String) {
    match kind {
        RowKind::Collapsed(revs) => {
            let (newest, oldest) = (graph.id(revs[0]), graph.id(revs[revs.len() - 1]));
            let text = format!("⋮ {} revisions: {newest} … {oldest}", revs.len());
            (vec![("more", text.clone())], text)
        }
        RowKind::Revision(idx) => {
            let r = graph.rev(*idx);
            let mut parts = vec![
                ("id", r.id().to_string()),
                ("msg", truncate(&r.file.message, MESSAGE_MAX)),
            ];
            for label in &r.file.branch_labels {
                parts.push(("label", format!("[{label}]")));
            }
            if r.is_head() {
                parts.push(("head", "head".into()));
            }
            if options.current.contains(r.id()) {
                parts.push(("current", "current".into()));
            }
            let mut tip = format!("{}\n{}", r.id(), r.file.message);
            if let Some(created) = &r.file.created {
                let _ = write!(tip, "\ncreated {created}");
            }
            if !r.file.down_revisions.is_empty() {
                let _ = write!(tip, "\nparents {}", r.file.down_revisions.join(", "));
            }
            if !r.file.depends_on.is_empty() {
                let _ = write!(tip, "\ndepends on {}", r.file.depends_on.join(", "));
            }
            (parts, tip)
        }
    }
}

fn draw_row(svg: &mut Svg, g: &Geometry, l: &LaneLayout, row: usize, parts: &[(&str, String)]) {
    let (x, y) = (g.x(l.lane[row]), Geometry::y(row));
    let c = color(l.lane[row]);
    match &l.rows[row].kind {
        RowKind::Collapsed(_) => svg.raw(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"16\" rx=\"3\" class=\"gap\" stroke=\"{c}\"/>\n",
            x - 4,
            y - 8
        )),
        RowKind::Revision(_) => {
            svg.raw(&format!(
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"5\" class=\"node\" fill=\"{c}\"/>\n"
            ));
            if parts.iter().any(|(class, _)| *class == "current") {
                svg.circle((x, y), 8, "ring");
            }
        }
    }
    let mut line = format!("<text x=\"{}\" y=\"{}\">", g.text_x(), y + 4);
    for (i, (class, text)) in parts.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        let _ = write!(line, "<tspan class=\"{class}\">{}</tspan>", escape(text));
    }
    line.push_str("</text>\n");
    svg.raw(&line);
}

/// The revision graph as an SVG picture.
pub fn graph_svg(graph: &RevisionGraph, options: &LaneOptions) -> String {
    let l = layout(graph, options);
    let g = Geometry {
        lanes: i64::try_from(l.lanes.max(1)).unwrap_or(1),
        gutter: if l.edges.iter().any(|e| e.dashed) {
            24
        } else {
            0
        },
    };
    let texts: Vec<_> = l
        .rows
        .iter()
        .map(|r| row_text(graph, &r.kind, options))
        .collect();
    let widest = texts
        .iter()
        .map(|(parts, _)| parts.iter().map(|(_, t)| text_width(t) + 7).sum::<i64>())
        .chain([text_width(&options.title)])
        .max()
        .unwrap_or(0);
    let width = g.text_x() + widest + MARGIN;
    let height = TITLE_H + 2 * MARGIN + i64::try_from(l.rows.len()).unwrap_or(0) * ROW_H;
    let mut svg = Svg::new(width, height);
    svg.text(MARGIN, MARGIN + 14, "title", &options.title);
    for e in &l.edges {
        if e.dashed {
            svg.path(&dep_path(&g, &l, e), "dep");
        } else {
            svg.raw(&format!(
                "<path d=\"{}\" class=\"edge\" stroke=\"{}\"/>\n",
                edge_path(&g, &l, e),
                color(e.lane)
            ));
        }
    }
    for (row, (parts, tip)) in texts.iter().enumerate() {
        let id = match &l.rows[row].kind {
            RowKind::Revision(idx) => format!("rev-{}", graph.id(*idx)),
            RowKind::Collapsed(revs) => format!("run-{}", graph.id(revs[0])),
        };
        svg.group(&id, "row", tip);
        draw_row(&mut svg, &g, &l, row, parts);
        svg.end_group();
    }
    svg.finish(&options.title, STYLE)
}

const PAGE_STYLE: &str = "\
body { font-family: system-ui, sans-serif; margin: 16px; color: #222; }
#search { font-size: 14px; padding: 4px 8px; width: 320px; margin-bottom: 12px; }
g.row.hit text { fill: #000; font-weight: bold; }
g.row.hit circle.node { stroke: #000; stroke-width: 3; }
g.row.miss { opacity: 0.35; }
";

const PAGE_SCRIPT: &str = "\
document.getElementById('search').addEventListener('input', function (e) {
  var q = e.target.value.trim().toLowerCase();
  document.querySelectorAll('g.row').forEach(function (g) {
    var hit = q !== '' && g.textContent.toLowerCase().indexOf(q) >= 0;
    g.classList.toggle('hit', hit);
    g.classList.toggle('miss', q !== '' && !hit);
  });
});
";

/// The revision graph as a standalone HTML page: the SVG and a search box.
pub fn graph_html(graph: &RevisionGraph, options: &LaneOptions) -> String {
    let body = format!(
        "<h1>{}</h1>\n<p>{} revisions, {} heads</p>\n<input id=\"search\" type=\"search\" placeholder=\"Search revisions (id, message, label)\">\n<div class=\"graph\">\n{}</div>\n",
        escape(&options.title),
        graph.len(),
        graph.heads().len(),
        graph_svg(graph, options)
    );
    html_page(&options.title, PAGE_STYLE, &body, PAGE_SCRIPT)
}
