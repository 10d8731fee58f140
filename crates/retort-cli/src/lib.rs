//! The `retort` command line: parses arguments, calls the library, prints. No logic of its own.
//! `run` dispatches each command to a function of `author_cmd`, `inspect_cmd`, `db_cmd`,
//! `autogen_cmd`, `diff_cmd`, `schema_cmd` or `shell_cmd`; `context.rs` says what the program gives it.
//!
//! A library too, so that a program carrying its migrations (builtenv) offers every `retort`
//! command on them: `retort_cli::main_with(Source::Embedded { .. }, args)`.

#[macro_use]
mod out;
pub mod args;
mod author_cmd;
mod autogen_cmd;
mod context;
mod db_cmd;
mod diff_cmd;
mod inspect_cmd;
mod json_events;
mod lint_cmd;
mod picture_cmd;
mod schema_cmd;
mod shell_cmd;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode as ProcessExit;

use clap::Parser;
use retort::exit::{ExitCode, HasExitCode};
use retort::project::Error;

pub use args::Cli;
use args::Command;
pub use context::{Context, Fit, Ignore, Models, Source};
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
            fit: None,
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
            fit: None,
        },
        args,
    )
}

/// [`main_with_models_ignoring`], the models then fitted by `fit` to the database they are
/// compared with (see [`Fit`]).
pub fn main_with_models_fitted<I, T>(
    src: Source,
    models: Models,
    ignore: Ignore,
    fit: Fit,
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
            fit: Some(fit),
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

/// Run a parsed command line in `ctx`: each command is a function of its own file
/// (`author_cmd`, `inspect_cmd`, `db_cmd`, `autogen_cmd`, `diff_cmd`, `schema_cmd`).
pub fn run(ctx: &Context, cli: &Cli) -> Result<ExitCode, Failure> {
    match &cli.command {
        Command::Init { dir } => author_cmd::init(ctx, dir.as_deref()),
        Command::Revision(a) if a.autogenerate => autogen_cmd::revision(ctx, cli, a),
        Command::Check {
            from_migrations,
            diff,
        } => autogen_cmd::check(ctx, cli, *from_migrations, diff),
        Command::Revision(a) => author_cmd::revision(ctx, cli, a),
        Command::Merge(a) => author_cmd::merge(ctx, cli, a),
        Command::Edit { rev } => author_cmd::edit(ctx, cli, rev),
        Command::History {
            rev_range,
            verbose,
            json,
            indicate_current: true,
        } => {
            db_cmd::history_with_current(cli, ctx.open(cli)?, rev_range.as_deref(), *verbose, *json)
        }
        Command::History {
            rev_range,
            verbose,
            json,
            ..
        } => inspect_cmd::history(ctx, cli, rev_range.as_deref(), *verbose, *json),
        Command::Heads {
            verbose,
            resolve_dependencies,
            json,
        } => inspect_cmd::heads(ctx, cli, *verbose, *resolve_dependencies, *json),
        Command::Branches { verbose, json } => inspect_cmd::branches(ctx, cli, *verbose, *json),
        Command::Show { rev, json } => inspect_cmd::show(ctx, cli, rev, *json),
        Command::Graph { format } => inspect_cmd::graph(ctx, cli, *format),
        Command::Upgrade(a) => db_cmd::upgrade_or_downgrade(cli, ctx.open(cli)?, a, Direction::Up),
        Command::Downgrade(a) => {
            db_cmd::upgrade_or_downgrade(cli, ctx.open(cli)?, a, Direction::Down)
        }
        Command::Stamp {
            targets,
            purge,
            json,
            lock,
        } => db_cmd::stamp(cli, ctx.open(cli)?, targets, (*purge, *json), lock),
        Command::EnsureVersion { lock } => db_cmd::ensure_version(cli, ctx.open(cli)?, lock),
        Command::Current { verbose, json } => db_cmd::current(cli, ctx.open(cli)?, *verbose, *json),
        Command::Status { json } => db_cmd::status(cli, ctx.open(cli)?, *json),
        Command::Verify { accept, json, lock } => {
            db_cmd::verify(cli, ctx.open(cli)?, accept, *json, lock)
        }
        Command::Resolve {
            rev, applied, lock, ..
        } => db_cmd::resolve(cli, ctx.open(cli)?, rev, *applied, lock),
        Command::Dev { action } => db_cmd::dev(&ctx.load_config(cli)?, *action),
        Command::Schema { action } => schema_cmd::run(ctx, cli, action),
        Command::Diff(a) => diff_cmd::diff(ctx, cli, a),
        Command::Completions { shell } => shell_cmd::completions(*shell),
        Command::Man { dir } => shell_cmd::man(dir.as_deref()),
        Command::Doc(a) => picture_cmd::doc(ctx, cli, a),
        Command::Lint(a) => lint_cmd::lint(ctx, cli, a),
    }
}

fn io_error(message: &str, help: Option<&str>) -> Failure {
    Failure::from(Error::Script(retort::script::ScriptError::Write {
        message: message.to_string(),
        help: help.map(str::to_string),
    }))
}
