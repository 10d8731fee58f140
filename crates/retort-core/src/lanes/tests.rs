use crate::graph::RevisionGraph;

use super::fixtures::{branched, graph_of};
use super::*;

/// Every revision in exactly one row, every edge pointing down, lanes within bounds.
fn assert_well_formed(graph: &RevisionGraph, l: &LaneLayout) {
    let mut seen = vec![0; graph.len()];
    for row in &l.rows {
        match &row.kind {
            RowKind::Revision(r) => seen[*r] += 1,
            RowKind::Collapsed(rs) => rs.iter().for_each(|r| seen[*r] += 1),
        }
    }
    assert!(seen.iter().all(|n| *n == 1), "each revision once: {seen:?}");
    for e in &l.edges {
        assert!(e.to > e.from, "edge {e:?} points down");
        assert!(e.lane < l.lanes);
    }
    assert!(l.lane.iter().all(|x| *x < l.lanes));
}

#[test]
fn branched_graph_lanes() {
    let g = branched();
    let l = layout(&g, &LaneOptions::default());
    assert_well_formed(&g, &l);
    // The run a09..a01 (9 plain revisions; a10 is a branch point) keeps its ends, collapses 7.
    let collapsed: Vec<usize> = l
        .rows
        .iter()
        .filter_map(|r| match &r.kind {
            RowKind::Collapsed(rs) => Some(rs.len()),
            RowKind::Revision(_) => None,
        })
        .collect();
    assert_eq!(collapsed, vec![7]);
    assert_eq!(l.rows.len(), g.len() - 6);
    // Two heads over one merge, the feature branch beside the main line; the audit root comes
    // after them, in a lane freed by then.
    assert_eq!(l.lanes, 2);
    assert_eq!(l.edges.iter().filter(|e| e.dashed).count(), 1);
    // Without collapsing, one row per revision.
    let full = layout(
        &g,
        &LaneOptions {
            collapse_over: None,
            ..Default::default()
        },
    );
    assert_well_formed(&g, &full);
    assert_eq!(full.rows.len(), g.len());
}

#[test]
fn branched_graph_svg() {
    let g = branched();
    let options = LaneOptions {
        current: ["b2main".to_string()].into(),
        ..Default::default()
    };
    let svg = graph_svg(&g, &options);
    assert_eq!(svg, graph_svg(&g, &options), "deterministic");
    assert!(svg.contains("step 10 &lt;of&gt; 10 &amp; more"));
    assert!(svg.contains("⋮ 7 revisions: a08lin … a02lin"));
    insta::assert_snapshot!(svg);
}

#[test]
fn html_page_holds_the_svg_and_a_search_box() {
    let g = branched();
    let html = graph_html(&g, &LaneOptions::default());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg xmlns"));
    assert!(html.contains("id=\"search\""));
    assert!(
        !html.contains("http://") || html.matches("http://").count() == 1,
        "only the SVG namespace"
    );
}

#[test]
fn a_thousand_revisions_stay_readable() {
    // A main line of 1,000 with a short branch every 100 revisions, merged back 3 later.
    let mut spec: Vec<(String, String)> = vec![("r0000".into(), String::new())];
    for i in 1..1000 {
        let prev = format!("r{:04}", i - 1);
        let down = if i % 100 == 3 && i > 100 {
            format!("{prev}, b{:04}", i - 3)
        } else {
            prev
        };
        spec.push((format!("r{i:04}"), down));
        if i % 100 == 0 {
            spec.push((format!("b{i:04}"), format!("r{i:04}")));
        }
    }
    let refs: Vec<_> = spec
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str(), "", "", "m"))
        .collect();
    let g = graph_of(&refs);
    let started = std::time::Instant::now();
    let l = layout(&g, &LaneOptions::default());
    let svg = graph_svg(&g, &LaneOptions::default());
    assert!(started.elapsed().as_secs() < 5);
    assert_well_formed(&g, &l);
    assert!(l.rows.len() < 150, "{} rows", l.rows.len());
    assert_eq!(l.lanes, 2);
    assert!(svg.len() < 200_000);
}

#[test]
fn branched_graph_text() {
    let g = branched();
    let options = LaneOptions {
        current: ["b2main".to_string()].into(),
        collapse_over: None,
        ..Default::default()
    };
    let text = graph_text(&g, &options);
    // One line per revision plus the connector lines of the branch point, the merge and the
    // two heads' fork.
    let revision_lines = text.lines().filter(|l| l.contains(['●', '◉'])).count();
    assert_eq!(revision_lines, g.len());
    assert!(text.contains("◉ ") && text.contains("b2main (current) add documents"));
    assert!(text.contains("m1merge (branchpoint) (mergepoint) merge feature"));
    assert!(text.contains("a10lin (branchpoint)"));
    assert!(text.contains("f2feat feature needs documents  [depends on b2main]"));
    assert!(text.contains("z0audit (audit) audit root"));
    assert!(
        text.contains('╮') && text.contains('╯'),
        "a merge opens, a branch point joins"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn collapsed_text_names_the_run() {
    let text = graph_text(&branched(), &LaneOptions::default());
    assert!(text.contains("… 7 revisions (a08lin .. a02lin)"), "{text}");
}
