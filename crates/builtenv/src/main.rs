//! The `builtenv` command: `serve [--migrate]`, and `migrate <retort command>`.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode as ProcessExit;

use clap::{Parser, Subcommand};
use retort::exit::ExitCode;

use builtenv::serve::ServeOptions;
use retort_cli::Failure;

/// The BuiltEnvironment.ai backend.
#[derive(Debug, Parser)]
#[command(name = "builtenv", version, about)]
struct Cli {
    /// Database URL; overrides DATABASE_URL. With neither, the local PostgreSQL in
    /// ./.retort/pg is used (created and started on first use).
    #[arg(long, global = true, value_name = "URL", hide_env_values = true)]
    database_url: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API on BIND (default 127.0.0.1:8000).
    Serve {
        /// Migrate the database to head first, under retort's lock (implied with the local
        /// dev database).
        #[arg(long)]
        migrate: bool,
    },
    /// Any `retort` command on the embedded migrations: `migrate upgrade head`,
    /// `migrate current`, `migrate history -v`, `migrate downgrade -1`, `migrate status`...;
    /// `migrate check` and `migrate revision --autogenerate -m ...` compare with the models
    /// (revision files are written in the source tree only).
    Migrate {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<OsString>,
    },
}

fn main() -> ProcessExit {
    let cli = match Cli::try_parse() {
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
    if let Command::Migrate { args } = &cli.command {
        return migrate(cli.database_url.as_deref(), args);
    }
    install_report_handler();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("builtenv: cannot start the async runtime: {e}");
            return ProcessExit::from(ExitCode::Io.code());
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Serve { migrate } => {
                builtenv::serve::serve(ServeOptions {
                    migrate: *migrate,
                    database_url: cli.database_url.clone(),
                })
                .await
            }
            Command::Migrate { .. } => Ok(ExitCode::Ok),
        }
    });
    match result {
        Ok(code) => ProcessExit::from(code.code()),
        Err(failure) => exit_with(failure),
    }
}

/// Prints the failure's report; its exit code (retort's mapping, [`retort::exit::HasExitCode`]).
fn exit_with(Failure { report, code }: Failure) -> ProcessExit {
    eprintln!("{report:?}");
    ProcessExit::from(code.code())
}

/// The desired schema of `migrate check` and `migrate revision --autogenerate`: the models.
#[allow(clippy::unnecessary_wraps)] // the signature retort_cli::Models asks for
fn models() -> Result<retort::schema::Schema, String> {
    Ok(builtenv::models::schema())
}

/// Commands that write revision files.
const WRITING: &[&str] = &["revision", "merge", "edit"];

/// This crate's retort.toml on disk, when the binary runs where it was built from.
fn source_tree_config() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("retort.toml");
    path.is_file().then_some(path)
}

/// The retort command in `args`: the first argument that is not an option or an option's value.
fn command_name(args: &[OsString]) -> Option<&str> {
    let mut args = args.iter().filter_map(|a| a.to_str());
    while let Some(a) = args.next() {
        match a {
            "-c" | "--config" | "--database-url" => {
                args.next();
            }
            _ if a.starts_with('-') => {}
            _ => return Some(a),
        }
    }
    None
}

/// `builtenv migrate ARGS`: the `retort` CLI itself, with the models as the desired schema of
/// `check` and `revision --autogenerate` (TimescaleDB's own objects and audit_events' monthly
/// partitions on Citus left out of the database's side, `models::not_modelled`; the models laid out for Citus where the
/// database's tables are distributed, `citus::fit`), on the revisions compiled into this binary. The
/// commands that write revision files (`revision`, `merge`, `edit`) work on the files on disk
/// instead: those of `-c PATH` when given, else this crate's when the binary runs where it was
/// built from (`CARGO_MANIFEST_DIR/retort.toml` exists); elsewhere retort refuses them and says
/// why.
fn migrate(database_url: Option<&str>, args: &[OsString]) -> ProcessExit {
    let config = match builtenv::config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{:?}", miette::Report::new(e));
            return ProcessExit::from(ExitCode::Config.code());
        }
    };
    let mut argv: Vec<OsString> = vec!["builtenv migrate".into()];
    argv.extend(args.iter().cloned());
    if let Some(url) = database_url {
        argv.push("--database-url".into());
        argv.push(url.into());
    }
    let writing = command_name(args).is_some_and(|c| WRITING.contains(&c));
    // `-c PATH` given: the writing command works on that project (another script directory).
    let own_config = args
        .iter()
        .filter_map(|a| a.to_str())
        .any(|a| a == "-c" || a == "--config" || a.starts_with("--config=") || a.starts_with("-c"));
    let disk = if own_config {
        Some(None)
    } else {
        source_tree_config().map(Some)
    };
    let source = match disk {
        Some(toml) if writing => {
            if let Some(toml) = toml {
                argv.push("-c".into());
                argv.push(toml.into());
            }
            // retort.toml on disk is rooted in this crate's folder, so its local dev database
            // would be crates/builtenv/.retort/pg; compare with the one `builtenv migrate
            // upgrade` uses instead (./.retort/pg) when no URL is given.
            let autogenerate = args.iter().any(|a| a == "--autogenerate");
            let url_given = args.iter().any(|a| a == "--database-url")
                || retort::config::database_url_given(database_url, None).is_some();
            if autogenerate && !url_given {
                match local_database_url(&config) {
                    Ok(url) => {
                        argv.push("--database-url".into());
                        argv.push(url.into());
                    }
                    Err(failure) => return exit_with(failure),
                }
            }
            retort_cli::Source::Disk
        }
        _ => retort_cli::Source::Embedded {
            config: Box::new(config),
            files: builtenv::MIGRATIONS,
        },
    };
    retort_cli::main_with_models_fitted(
        source,
        models,
        builtenv::models::not_modelled,
        builtenv::citus::fit,
        argv,
    )
}

/// The local dev database of `builtenv migrate` and `builtenv serve` (created and started on
/// first use, and said so).
fn local_database_url(config: &retort::config::Config) -> Result<String, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Failure::message(
                ExitCode::Io,
                format!("builtenv: cannot start the async runtime: {e}"),
            )
        })?;
    let mut notes = Vec::new();
    let url = runtime.block_on(retort::local::local_database_url(config, &mut notes))?;
    for n in notes {
        eprintln!("builtenv: {n}");
    }
    Ok(url)
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
