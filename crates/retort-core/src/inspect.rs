//! Read-only views of the graph: `history`, `heads`, `branches`, `show`, `graph`, in Alembic's
//! text formats and as JSON.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::graph::{Edges, RevIdx, RevisionGraph};
use crate::resolve::error::Context;
use crate::resolve::{Node, RevisionError, TargetError};

/// A revision as shown by `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionInfo {
    pub revision: String,
    pub down_revisions: Vec<String>,
    pub depends_on: Vec<String>,
    pub branch_labels: Vec<String>,
    pub message: String,
    pub created: Option<String>,
    pub transactional: bool,
    pub path: String,
    pub checksum: String,
    pub is_head: bool,
    pub is_branch_point: bool,
    pub is_merge_point: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_current: Option<bool>,
}

pub fn info(
    graph: &RevisionGraph,
    idx: RevIdx,
    current: Option<&BTreeSet<String>>,
) -> RevisionInfo {
    let r = graph.rev(idx);
    RevisionInfo {
        revision: r.id().to_string(),
        down_revisions: r.file.down_revisions.clone(),
        depends_on: r.file.depends_on.clone(),
        branch_labels: r.branch_labels.iter().cloned().collect(),
        message: r.file.message.clone(),
        created: r.file.created.clone(),
        transactional: r.file.transactional,
        path: crate::util::display_path(&r.file.path),
        checksum: r.file.checksum.clone(),
        is_head: r.is_head(),
        is_branch_point: r.is_branch_point(),
        is_merge_point: r.is_merge_point(),
        is_current: current.map(|c| c.contains(r.id())),
    }
}

/// Which parts of a one-line entry to show (Alembic's `cmd_format` flags).
#[derive(Debug, Clone, Copy, Default)]
pub struct LineFormat {
    pub branches: bool,
    pub doc: bool,
    pub parents: bool,
    pub tree_indicators: bool,
    pub head_indicators: bool,
}

fn format_down(graph: &RevisionGraph, idx: RevIdx) -> String {
    let r = graph.rev(idx);
    if r.down.is_empty() {
        "<base>".into()
    } else {
        graph.ids(&r.down).join(", ")
    }
}

/// Alembic's `Script.cmd_format`: one line, or the verbose entry.
pub fn cmd_format(
    graph: &RevisionGraph,
    idx: RevIdx,
    verbose: bool,
    f: LineFormat,
    current: Option<&BTreeSet<String>>,
) -> String {
    if verbose {
        return log_entry(graph, idx, current);
    }
    let r = graph.rev(idx);
    // One buffer per line: `history` formats 10,000 of them.
    let mut text = String::with_capacity(80 + r.file.message.len());
    let join = |text: &mut String, items: &mut dyn Iterator<Item = &str>| {
        for (i, item) in items.enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(item);
        }
    };
    if f.parents {
        if r.down.is_empty() {
            text.push_str("<base>");
        } else {
            join(&mut text, &mut r.down.iter().map(|d| graph.id(*d)));
        }
        if !r.file.depends_on.is_empty() {
            text.push_str(" (");
            join(&mut text, &mut r.file.depends_on.iter().map(String::as_str));
            text.push(')');
        }
        text.push_str(" -> ");
    }
    text.push_str(r.id());
    if f.branches && !r.branch_labels.is_empty() {
        text.push_str(" (");
        join(&mut text, &mut r.branch_labels.iter().map(String::as_str));
        text.push(')');
    }
    if f.head_indicators || f.tree_indicators {
        if graph.is_real_head(idx) {
            text.push_str(" (head)");
        }
        if r.is_head() && !graph.is_real_head(idx) {
            text.push_str(" (effective head)");
        }
        if current.is_some_and(|c| c.contains(r.id())) {
            text.push_str(" (current)");
        }
    }
    if f.tree_indicators {
        if r.is_branch_point() {
            text.push_str(" (branchpoint)");
        }
        if r.is_merge_point() {
            text.push_str(" (mergepoint)");
        }
    }
    if f.doc {
        let _ = write!(text, ", {}", r.file.message);
    }
    text
}

/// Alembic's `Script.log_entry` (the `-v` form).
pub fn log_entry(graph: &RevisionGraph, idx: RevIdx, current: Option<&BTreeSet<String>>) -> String {
    let r = graph.rev(idx);
    let mut e = format!(
        "Rev: {}{}{}{}{}\n",
        r.id(),
        if r.is_head() { " (head)" } else { "" },
        if r.is_branch_point() {
            " (branchpoint)"
        } else {
            ""
        },
        if r.is_merge_point() {
            " (mergepoint)"
        } else {
            ""
        },
        if current.is_some_and(|c| c.contains(r.id())) {
            " (current)"
        } else {
            ""
        },
    );
    if r.is_merge_point() {
        let _ = writeln!(e, "Merges: {}", format_down(graph, idx));
    } else {
        let _ = writeln!(e, "Parent: {}", format_down(graph, idx));
    }
    if !r.file.depends_on.is_empty() {
        let _ = writeln!(e, "Also depends on: {}", r.file.depends_on.join(", "));
    }
    if r.is_branch_point() {
        let mut next = r.next.clone();
        next.sort_unstable();
        let _ = writeln!(e, "Branches into: {}", graph.ids(&next).join(", "));
    }
    if !r.branch_labels.is_empty() {
        let labels: Vec<&str> = r.branch_labels.iter().map(String::as_str).collect();
        let _ = writeln!(e, "Branch names: {}", labels.join(", "));
    }
    let _ = writeln!(e, "Path: {}", crate::util::display_path(&r.file.path));
    let _ = writeln!(e);
    let _ = writeln!(e, "    {}", r.file.message);
    let _ = writeln!(e);
    let _ = writeln!(e, "    Revision ID: {}", r.id());
    let _ = writeln!(e, "    Revises: {}", r.file.down_revisions.join(", "));
    let _ = writeln!(
        e,
        "    Create Date: {}",
        r.file.created.as_deref().unwrap_or("")
    );
    e
}

/// Revisions from `base` to `head` inclusive, newest first (Alembic's `walk_revisions`).
pub fn walk_revisions(
    graph: &RevisionGraph,
    base: &str,
    head: &str,
) -> Result<Vec<RevIdx>, TargetError> {
    if base == "base" && head == "heads" {
        let all: Vec<RevIdx> = (0..graph.len()).collect();
        return Ok(graph.newest_first(&all));
    }
    let context = Context::Other;
    let err = |e: RevisionError| {
        match e {
        RevisionError::RangeNotAncestor { .. } => TargetError {
            message: format!("Requested range {base}:{head} does not refer to ancestor/descendant revisions along the same branch"),
            help: Some("the start must be below the end on the same branch".into()),
        },
        other => other.into_target_error(context),
    }
    };
    // _collect_upgrade_revisions(upper=head, lower=base, inclusive=True, implicit_base=False)
    let targets: Vec<RevIdx> = graph
        .parse_upgrade_target(&[], head, false)
        .map_err(err)?
        .into_iter()
        .filter_map(Node::rev)
        .collect();
    let required: BTreeSet<RevIdx> = graph
        .related(&targets, Edges::DownWithDeps, true)
        .map_err(|o| {
            err(RevisionError::Other(format!(
                "Requested revision {} overlaps with other requested revisions {}",
                graph.id(o.target),
                graph.ids(&o.others).join(", ")
            )))
        })?
        .into_iter()
        .collect();
    let lower: Vec<RevIdx> = graph
        .get_revisions(Some(base))
        .map_err(err)?
        .into_iter()
        .filter_map(Node::rev)
        .collect();
    if lower.iter().any(|l| !required.contains(l)) {
        return Err(err(RevisionError::RangeNotAncestor {
            lower: base.into(),
            upper: head.into(),
        }));
    }
    let mut needs = required;
    if !lower.is_empty() {
        let above: BTreeSet<RevIdx> = graph.descendants(&lower, false).into_iter().collect();
        needs.retain(|n| above.contains(n));
    }
    let members: Vec<RevIdx> = needs.into_iter().collect();
    Ok(graph.newest_first(&members))
}

/// `retort history [-r RANGE]` lines.
pub fn history(
    graph: &RevisionGraph,
    range: Option<&str>,
    verbose: bool,
    current: Option<&BTreeSet<String>>,
) -> Result<Vec<String>, TargetError> {
    let revs = history_revisions(graph, range)?;
    let f = LineFormat {
        branches: true,
        doc: true,
        parents: true,
        tree_indicators: true,
        head_indicators: true,
    };
    Ok(revs
        .into_iter()
        .map(|r| cmd_format(graph, r, verbose, f, current))
        .collect())
}

/// The revisions `history -r RANGE` lists.
pub fn history_revisions(
    graph: &RevisionGraph,
    range: Option<&str>,
) -> Result<Vec<RevIdx>, TargetError> {
    let (base, head) = match range {
        None => ("base", "heads"),
        Some(r) => {
            let Some((b, h)) = r.trim().split_once(':') else {
                return Err(TargetError {
                    message: "History range requires [start]:[end], [start]:, or :[end]".into(),
                    help: None,
                });
            };
            (
                if b.is_empty() { "base" } else { b },
                if h.is_empty() { "heads" } else { h },
            )
        }
    };
    walk_revisions(graph, base, head)
}

/// `retort heads`: heads through down_revision, or with `resolve_dependencies` only the real ones.
pub fn heads(graph: &RevisionGraph, resolve_dependencies: bool) -> Vec<RevIdx> {
    if resolve_dependencies {
        graph.real_heads().to_vec()
    } else {
        graph.heads().to_vec()
    }
}

pub fn heads_lines(
    graph: &RevisionGraph,
    resolve_dependencies: bool,
    verbose: bool,
) -> Vec<String> {
    let f = LineFormat {
        branches: true,
        head_indicators: true,
        ..LineFormat::default()
    };
    heads(graph, resolve_dependencies)
        .into_iter()
        .map(|h| cmd_format(graph, h, verbose, f, None))
        .collect()
}

/// Branch points, newest first (`retort branches`).
pub fn branch_points(graph: &RevisionGraph) -> Vec<RevIdx> {
    let all: Vec<RevIdx> = (0..graph.len()).collect();
    graph
        .newest_first(&all)
        .into_iter()
        .filter(|r| graph.rev(*r).is_branch_point())
        .collect()
}

pub fn branches_text(graph: &RevisionGraph, verbose: bool) -> String {
    let mut out = String::new();
    let f = LineFormat {
        branches: true,
        head_indicators: true,
        tree_indicators: true,
        ..LineFormat::default()
    };
    for bp in branch_points(graph) {
        let _ = writeln!(out, "{}", cmd_format(graph, bp, verbose, f, None));
        let pad = " ".repeat(graph.id(bp).len());
        let mut next = graph.rev(bp).next.clone();
        next.sort_unstable();
        for n in next {
            let child = cmd_format(
                graph,
                n,
                false,
                LineFormat {
                    branches: true,
                    doc: verbose,
                    head_indicators: true,
                    tree_indicators: true,
                    ..LineFormat::default()
                },
                None,
            );
            let _ = writeln!(out, "{pad} -> {child}");
        }
        out.push('\n');
    }
    out
}

/// `retort show REV`: every revision the argument names.
pub fn show(graph: &RevisionGraph, rev: &str) -> Result<Vec<RevIdx>, TargetError> {
    let nodes = graph
        .get_revisions(Some(rev))
        .map_err(|e| e.into_target_error(Context::Other))?;
    Ok(nodes.into_iter().filter_map(Node::rev).collect())
}

/// Output formats of `retort graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Ascii,
    Mermaid,
    Dot,
}

/// The whole graph, newest first, as text; `current` (the database's revisions) are marked in
/// mermaid and dot.
pub fn render_graph(
    graph: &RevisionGraph,
    format: GraphFormat,
    current: &BTreeSet<String>,
) -> String {
    let all: Vec<RevIdx> = (0..graph.len()).collect();
    let order = graph.newest_first(&all);
    let mut out = String::new();
    let label = |i: RevIdx| {
        let r = graph.rev(i);
        let mut s = r.id().to_string();
        if !r.file.branch_labels.is_empty() {
            let _ = write!(s, " ({})", r.file.branch_labels.join(", "));
        }
        s
    };
    match format {
        GraphFormat::Ascii => {
            for i in order {
                let r = graph.rev(i);
                let marker = if r.is_merge_point() {
                    "M"
                } else if r.is_branch_point() {
                    "B"
                } else if graph.is_real_head(i) {
                    "H"
                } else {
                    "o"
                };
                let _ = write!(out, "{marker} {}", label(i));
                if !r.file.message.is_empty() {
                    let _ = write!(out, "  {}", r.file.message);
                }
                out.push('\n');
                let parents: Vec<String> = r
                    .down
                    .iter()
                    .map(|d| graph.id(*d).to_string())
                    .chain(r.deps.iter().map(|d| format!("{} (depends)", graph.id(*d))))
                    .collect();
                if parents.is_empty() {
                    out.push_str("|   <base>\n");
                } else {
                    let _ = writeln!(out, "|   <- {}", parents.join(", "));
                }
            }
        }
        GraphFormat::Mermaid => mermaid(graph, &order, current, &mut out),
        GraphFormat::Dot => dot(graph, &order, current, &mut out),
    }
    out
}

/// A node's text: `id (marks)` and its message on a second line.
fn node_label(graph: &RevisionGraph, i: RevIdx, current: &BTreeSet<String>) -> (String, String) {
    let mut first = graph.id(i).to_string();
    for mark in graph.marks(i, current) {
        let _ = write!(first, " ({mark})");
    }
    (first, graph.rev(i).file.message.clone())
}

/// `graph BT` with each node's marks and message; heads drawn bold, current filled.
fn mermaid(graph: &RevisionGraph, order: &[RevIdx], current: &BTreeSet<String>, out: &mut String) {
    let esc = |s: &str| {
        s.replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
    };
    out.push_str("graph BT\n");
    for &i in order {
        let r = graph.rev(i);
        let (first, message) = node_label(graph, i, current);
        let text = if message.is_empty() {
            esc(&first)
        } else {
            format!("{}<br/>{}", esc(&first), esc(&message))
        };
        let _ = writeln!(out, "    {}[\"{text}\"]", r.id());
        for d in &r.down {
            let _ = writeln!(out, "    {} --> {}", graph.id(*d), r.id());
        }
        for d in &r.deps {
            let _ = writeln!(out, "    {} -.-> {}", graph.id(*d), r.id());
        }
    }
    let heads: Vec<&str> = order
        .iter()
        .filter(|i| graph.is_real_head(**i))
        .map(|i| graph.id(*i))
        .collect();
    let current: Vec<&str> = order
        .iter()
        .map(|i| graph.id(*i))
        .filter(|id| current.contains(*id))
        .collect();
    for (class, style, ids) in [
        ("head", "stroke-width:3px", heads),
        ("current", "fill:#cfe8ff,stroke:#1f6feb", current),
    ] {
        if !ids.is_empty() {
            let _ = writeln!(out, "    classDef {class} {style}");
            let _ = writeln!(out, "    class {} {class}", ids.join(","));
        }
    }
}

/// `digraph` with each node's marks and message; heads bold, current filled.
fn dot(graph: &RevisionGraph, order: &[RevIdx], current: &BTreeSet<String>, out: &mut String) {
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    out.push_str("digraph revisions {\n    rankdir=BT;\n");
    for &i in order {
        let r = graph.rev(i);
        let (first, message) = node_label(graph, i, current);
        let mut attrs = format!("label=\"{}", esc(&first));
        if !message.is_empty() {
            let _ = write!(attrs, "\\n{}", esc(&message));
        }
        attrs.push('"');
        if graph.is_real_head(i) {
            attrs.push_str(", penwidth=3");
        }
        if current.contains(r.id()) {
            attrs.push_str(", style=filled, fillcolor=\"#cfe8ff\"");
        }
        let _ = writeln!(out, "    \"{}\" [{attrs}];", r.id());
        for d in &r.down {
            let _ = writeln!(out, "    \"{}\" -> \"{}\";", graph.id(*d), r.id());
        }
        for d in &r.deps {
            let _ = writeln!(
                out,
                "    \"{}\" -> \"{}\" [style=dashed];",
                graph.id(*d),
                r.id()
            );
        }
    }
    out.push_str("}\n");
}
