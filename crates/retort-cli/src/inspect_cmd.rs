//! Commands that only read the revision graph: `history`, `heads`, `branches`, `show`,
//! `graph` (text as Alembic prints it, or JSON).

use retort::exit::ExitCode;
use retort::graph::{RevIdx, RevisionGraph};
use retort::inspect;

use crate::args::{Cli, GraphFormatArg};
use crate::{print_json, print_lines, Context, Failure};

/// The JSON of `revs`.
fn infos(g: &RevisionGraph, revs: Vec<RevIdx>) -> Vec<inspect::RevisionInfo> {
    revs.into_iter()
        .map(|r| inspect::info(g, r, None))
        .collect()
}

/// The project for a read-only command: through the header cache for text, from the files for
/// `--json` (whose revision objects carry the checksum, which needs the whole file).
fn with_project<T>(
    ctx: &Context,
    cli: &Cli,
    json: bool,
    f: impl FnOnce(&retort::project::Project) -> Result<T, Failure>,
) -> Result<T, Failure> {
    if json {
        f(&ctx.open(cli)?)
    } else {
        f(ctx.open_graph(cli)?)
    }
}

/// `history [-r RANGE] [-v] [--json]` (without `--indicate-current`).
pub fn history(
    ctx: &Context,
    cli: &Cli,
    rev_range: Option<&str>,
    verbose: bool,
    json: bool,
) -> Result<ExitCode, Failure> {
    with_project(ctx, cli, json, |project| {
        let g = &project.graph;
        if json {
            print_json(&infos(g, inspect::history_revisions(g, rev_range)?));
        } else {
            print_lines(&inspect::history(g, rev_range, verbose, None)?);
        }
        Ok(ExitCode::Ok)
    })
}

/// `heads [-v] [--resolve-dependencies] [--json]`.
pub fn heads(
    ctx: &Context,
    cli: &Cli,
    verbose: bool,
    resolve_dependencies: bool,
    json: bool,
) -> Result<ExitCode, Failure> {
    with_project(ctx, cli, json, |project| {
        let g = &project.graph;
        if json {
            print_json(&infos(g, inspect::heads(g, resolve_dependencies)));
        } else {
            print_lines(&inspect::heads_lines(g, resolve_dependencies, verbose));
        }
        Ok(ExitCode::Ok)
    })
}

/// `branches [-v] [--json]`.
pub fn branches(ctx: &Context, cli: &Cli, verbose: bool, json: bool) -> Result<ExitCode, Failure> {
    with_project(ctx, cli, json, |project| {
        branches_of(project, verbose, json);
        Ok(ExitCode::Ok)
    })
}

fn branches_of(project: &retort::project::Project, verbose: bool, json: bool) {
    let g = &project.graph;
    if json {
        #[derive(serde::Serialize)]
        struct Branch {
            branchpoint: inspect::RevisionInfo,
            branches: Vec<inspect::RevisionInfo>,
        }
        let out: Vec<Branch> = inspect::branch_points(g)
            .into_iter()
            .map(|bp| {
                let mut next = g.rev(bp).next.clone();
                next.sort_unstable();
                Branch {
                    branchpoint: inspect::info(g, bp, None),
                    branches: infos(g, next),
                }
            })
            .collect();
        print_json(&out);
    } else {
        out!("{}", inspect::branches_text(g, verbose));
    }
}

/// `show REV [--json]`.
pub fn show(ctx: &Context, cli: &Cli, rev: &str, json: bool) -> Result<ExitCode, Failure> {
    let project = ctx.open(cli)?;
    let g = &project.graph;
    let revs = inspect::show(g, rev)?;
    if json {
        print_json(&infos(g, revs));
    } else {
        for r in revs {
            out!("{}", inspect::log_entry(g, r, None));
        }
    }
    Ok(ExitCode::Ok)
}

/// `graph [--format text|ascii|mermaid|dot|svg|html]`.
pub fn graph(ctx: &Context, cli: &Cli, format: GraphFormatArg) -> Result<ExitCode, Failure> {
    let project = ctx.open_graph(cli)?;
    let format = match format {
        GraphFormatArg::Ascii => inspect::GraphFormat::Ascii,
        GraphFormatArg::Mermaid => inspect::GraphFormat::Mermaid,
        GraphFormatArg::Dot => inspect::GraphFormat::Dot,
        GraphFormatArg::Text => {
            let options = retort::lanes::LaneOptions {
                current: crate::picture_cmd::current_if_reachable(cli, project),
                collapse_over: None,
                ..Default::default()
            };
            let text = retort::lanes::graph_text(&project.graph, &options);
            return crate::picture_cmd::write_stdout(&text);
        }
        GraphFormatArg::Svg | GraphFormatArg::Html => {
            return crate::picture_cmd::graph_picture(cli, project, format)
        }
    };
    let current = crate::picture_cmd::current_if_reachable(cli, project);
    crate::picture_cmd::write_stdout(&inspect::render_graph(&project.graph, format, &current))
}
