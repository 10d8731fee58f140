//! The `retort` command line: parses arguments, calls the library, prints. No logic of its own.
//!
//! A library too, so that a program carrying its migrations (builtenv) offers every `retort`
//! command on them: `retort_cli::main_with(Source::Embedded { .. }, args)`.

pub mod args;
mod autogen_cmd;
mod context;
mod db_cmd;
mod diff_cmd;
mod schema_cmd;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode as ProcessExit;

use clap::Parser;
use retort::exit::{ExitCode, HasExitCode};
use retort::inspect;
use retort::project::Error;

pub use args::Cli;
use args::{Command, GraphFormatArg};
pub use context::{Context, Ignore, Models, Source};
use retort::plan::Direction;

/// [`main_with`], with the desired schema of `check` and `revision --autogenerate` given by
/// `models` (as SQLAlchemy models are Alembic's autogenerate source).
pub fn main_with_models<I, T>(src: Source, models: Models, args: I) -> ProcessExit
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    run_main(
        Context {
            source: src,
            models: Some(models),
            ignore: None,
        },
        args,
    )
}

/// [`main_with_models`], the database's schema passed through `ignore` before it is compared
/// with the models (see [`Ignore`]).
pub fn main_with_models_ignoring<I, T>(
    src: Source,
    models: Models,
    ignore: Ignore,
    args: I,
) -> ProcessExit
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    run_main(
        Context {
            source: src,
            models: Some(models),
            ignore: Some(ignore),
        },
        args,
    )
}

/// `retort`'s main: arguments from the process.
pub fn main() -> ProcessExit {
    main_with(Source::Disk, std::env::args_os())
}

/// Run a retort command line (`args[0]` is the program name shown in usage) on `source`.
pub fn main_with<I, T>(src: Source, args: I) -> ProcessExit
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    run_main(
        Context {
            source: src,
            ..Context::disk()
        },
        args,
    )
}

fn run_main<I, T>(ctx: Context, args: I) -> ProcessExit
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ProcessExit::from(if e.use_stderr() {
                ExitCode::Usage.code()
            } else {
                0
            });
        }
    };
    install_report_handler();
    install_log_subscriber();
    match run(&ctx, &cli) {
        Ok(code) => ProcessExit::from(code.code()),
        Err(failure) => {
            let code = failure.code;
            report(failure.report);
            ProcessExit::from(code.code())
        }
    }
}

/// Why a command failed: the error (printed as a diagnostic) and its exit code. Any stage's
/// error converts into it with its own code ([`HasExitCode`]); builtenv uses it too.
pub struct Failure {
    pub report: miette::Report,
    pub code: ExitCode,
}

impl Failure {
    /// A failure that is no library error: a message and the code it ends with.
    pub fn message(code: ExitCode, message: impl std::fmt::Display) -> Self {
        Failure {
            report: miette::miette!("{message}"),
            code,
        }
    }
}

impl<E> From<E> for Failure
where
    E: HasExitCode + miette::Diagnostic + Send + Sync + 'static,
{
    fn from(e: E) -> Self {
        Failure {
            code: e.exit_code(),
            report: miette::Report::new(e),
        }
    }
}

/// Print an error to stderr. Script-directory problems are printed one by one (each a line
/// with file:line:column, the source line and a caret), then one summary line.
fn report(report: miette::Report) {
    match report.downcast::<Error>() {
        Ok(Error::Script(retort::script::ScriptError::Problems { problems })) => {
            let n = problems.len();
            for p in problems {
                eprintln!("{:?}", miette::Report::new(p));
            }
            eprintln!(
                "error: {n} problem{} in the script directory; fix {} and run the command again",
                if n == 1 { "" } else { "s" },
                if n == 1 { "it" } else { "them" }
            );
        }
        Ok(other) => eprintln!("{:?}", miette::Report::new(other)),
        Err(report) => eprintln!("{report:?}"),
    }
}

fn install_report_handler() {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .terminal_links(false)
                .width(100)
                .build(),
        )
    }));
}

/// Logs (retort's `tracing` events and the `log` records of tokio-postgres and rustls) go to
/// stderr when `RUST_LOG` is set, e.g. `RUST_LOG=trace`; otherwise nothing is logged.
fn install_log_subscriber() {
    let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

pub fn print_json<T: serde::Serialize>(value: &T) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, value);
    let _ = writeln!(out);
}

pub fn print_lines(lines: &[String]) {
    // One buffered write instead of one per line (stdout is line-buffered).
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    let _ = out.flush();
}

/// Run a parsed command line in `ctx`.
pub fn run(ctx: &Context, cli: &Cli) -> Result<ExitCode, Failure> {
    match &cli.command {
        Command::Init { dir } => {
            if let Source::Embedded { .. } = ctx.source {
                return Err(io_error(
                    "`init` makes a project on disk; this program's revisions are compiled in",
                    None,
                ));
            }
            let dir = dir.clone().unwrap_or_else(cwd);
            for p in retort::project::init(&dir)? {
                println!("Created {}", retort::script::display_path(&p));
            }
            println!("Next: `retort revision -m \"first revision\"`");
        }
        Command::Revision(a) if a.autogenerate => return autogen_cmd::revision(ctx, cli, a),
        Command::Check {
            from_migrations,
            diff,
        } => return autogen_cmd::check(ctx, cli, *from_migrations, diff),
        Command::Revision(a) => {
            let project = ctx.open_for_writing(cli, "revision")?;
            let written = retort::author::revision(
                &project,
                &retort::author::RevisionOptions {
                    message: a.message.clone().unwrap_or_default(),
                    head: a.head.clone(),
                    splice: a.splice,
                    branch_labels: a.branch_label.clone(),
                    depends_on: a.depends_on.clone(),
                    rev_id: a.rev_id.clone(),
                    version_path: a.version_path.clone(),
                    up_sql: String::new(),
                    down_sql: String::new(),
                    non_transactional: false,
                },
            )?;
            println!(
                "Generating {} ...  done",
                retort::script::display_path(&written.path)
            );
        }
        Command::Merge(a) => {
            let project = ctx.open_for_writing(cli, "merge")?;
            let written = retort::author::merge(
                &project,
                &retort::author::MergeOptions {
                    message: a.message.clone().unwrap_or_default(),
                    revisions: a.revisions.clone(),
                    branch_labels: a.branch_label.clone(),
                    rev_id: a.rev_id.clone(),
                },
            )?;
            println!(
                "Generating {} ...  done",
                retort::script::display_path(&written.path)
            );
        }
        Command::History {
            rev_range,
            verbose,
            json: false,
            indicate_current: true,
        } => {
            return db_cmd::history_with_current(
                cli,
                ctx.open(cli)?,
                rev_range.as_deref(),
                *verbose,
            );
        }
        Command::History {
            rev_range,
            verbose,
            json,
            ..
        } => {
            let project = ctx.open_graph(cli)?;
            let g = &project.graph;
            if *json {
                let revs = inspect::history_revisions(g, rev_range.as_deref())?;
                let infos: Vec<_> = revs
                    .into_iter()
                    .map(|r| inspect::info(g, r, None))
                    .collect();
                print_json(&infos);
            } else {
                print_lines(&inspect::history(g, rev_range.as_deref(), *verbose, None)?);
            }
        }
        Command::Heads {
            verbose,
            resolve_dependencies,
            json,
        } => {
            let project = ctx.open_graph(cli)?;
            let g = &project.graph;
            if *json {
                let infos: Vec<_> = inspect::heads(g, *resolve_dependencies)
                    .into_iter()
                    .map(|r| inspect::info(g, r, None))
                    .collect();
                print_json(&infos);
            } else {
                print_lines(&inspect::heads_lines(g, *resolve_dependencies, *verbose));
            }
        }
        Command::Branches { verbose, json } => {
            let project = ctx.open_graph(cli)?;
            let g = &project.graph;
            if *json {
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
                            branches: next
                                .into_iter()
                                .map(|n| inspect::info(g, n, None))
                                .collect(),
                        }
                    })
                    .collect();
                print_json(&out);
            } else {
                print!("{}", inspect::branches_text(g, *verbose));
            }
        }
        Command::Show { rev, json } => {
            let project = ctx.open(cli)?;
            let g = &project.graph;
            let revs = inspect::show(g, rev)?;
            if *json {
                let infos: Vec<_> = revs
                    .into_iter()
                    .map(|r| inspect::info(g, r, None))
                    .collect();
                print_json(&infos);
            } else {
                for r in revs {
                    print!("{}", inspect::log_entry(g, r, None));
                }
            }
        }
        Command::Edit { rev } => {
            let project = ctx.open_for_writing(cli, "edit")?;
            let g = &project.graph;
            let revs = inspect::show(g, rev)?;
            let editor = std::env::var("VISUAL")
                .or_else(|_| std::env::var("EDITOR"))
                .map_err(|_| {
                    io_error(
                        "neither $VISUAL nor $EDITOR is set",
                        Some("set EDITOR, e.g. EDITOR=vim"),
                    )
                })?;
            for r in revs {
                edit(&editor, &g.rev(r).file.path)?;
            }
        }
        Command::Upgrade(a) => {
            return db_cmd::upgrade_or_downgrade(cli, ctx.open(cli)?, a, Direction::Up)
        }
        Command::Downgrade(a) => {
            return db_cmd::upgrade_or_downgrade(cli, ctx.open(cli)?, a, Direction::Down)
        }
        Command::Stamp {
            targets,
            purge,
            lock,
        } => return db_cmd::stamp(cli, ctx.open(cli)?, targets, *purge, lock),
        Command::Current { verbose, json } => {
            return db_cmd::current(cli, ctx.open(cli)?, *verbose, *json)
        }
        Command::Status { json } => return db_cmd::status(cli, ctx.open(cli)?, *json),
        Command::Verify { accept, json, lock } => {
            return db_cmd::verify(cli, ctx.open(cli)?, accept, *json, lock)
        }
        Command::Resolve {
            rev, applied, lock, ..
        } => return db_cmd::resolve(cli, ctx.open(cli)?, rev, *applied, lock),
        Command::Dev { action } => return db_cmd::dev(&ctx.load_config(cli)?, *action),
        Command::Schema { action } => return schema_cmd::run(ctx, cli, action),
        Command::Diff(a) => return diff_cmd::diff(ctx, cli, a),
        Command::Graph { format } => {
            let project = ctx.open_graph(cli)?;
            let format = match format {
                GraphFormatArg::Ascii => inspect::GraphFormat::Ascii,
                GraphFormatArg::Mermaid => inspect::GraphFormat::Mermaid,
                GraphFormatArg::Dot => inspect::GraphFormat::Dot,
            };
            print!("{}", inspect::render_graph(&project.graph, format));
        }
    }
    Ok(ExitCode::Ok)
}

fn io_error(message: &str, help: Option<&str>) -> Failure {
    Failure::from(Error::Script(retort::script::ScriptError::Write {
        message: message.to_string(),
        help: help.map(str::to_string),
    }))
}

/// Run the editor (which may carry arguments, e.g. `code --wait`) on a file.
fn edit(editor: &str, path: &Path) -> Result<(), Failure> {
    let mut parts = editor.split_whitespace();
    let program = parts
        .next()
        .ok_or_else(|| io_error("$EDITOR is empty", None))?;
    let status = std::process::Command::new(program)
        .args(parts)
        .arg(path)
        .status()
        .map_err(|e| {
            io_error(
                &format!("could not start editor `{program}`: {e}"),
                Some("check $EDITOR"),
            )
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(io_error(
            &format!("editor `{program}` exited with {status}"),
            None,
        ))
    }
}
