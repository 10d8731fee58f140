//! The `builtenv` command: `serve [--migrate]`, and `migrate <retort command>`.

use std::io::IsTerminal;
use std::process::ExitCode as ProcessExit;

use clap::{Parser, Subcommand};
use retort::exit::ExitCode;

use builtenv::migrate::{Failure, MigrateCommand};
use builtenv::serve::ServeOptions;

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
    /// Run a migration command on the embedded migrations (as the `retort` CLI).
    Migrate {
        #[command(subcommand)]
        command: MigrateCommand,
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
            Command::Migrate { command } => {
                builtenv::migrate::run(command, cli.database_url.as_deref()).await
            }
        }
    });
    match result {
        Ok(code) => ProcessExit::from(code.code()),
        Err(Failure { report, code }) => {
            eprintln!("{report:?}");
            ProcessExit::from(code.code())
        }
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
