//! The `builtenv` command: `serve [--migrate]`, and `migrate <retort command>`.

use std::io::IsTerminal;
use std::process::ExitCode as ProcessExit;

use clap::{Parser, Subcommand};
use retort::exit::ExitCode;

use builtenv::migrate::Failure;
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
    /// Any `retort` command on the embedded migrations: `migrate upgrade head`,
    /// `migrate current`, `migrate history -v`, `migrate downgrade -1`, `migrate status`...
    Migrate {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<std::ffi::OsString>,
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
        // The retort CLI itself, on the revisions compiled into this binary.
        let config = match builtenv::config() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{:?}", miette::Report::new(e));
                return ProcessExit::from(ExitCode::Config.code());
            }
        };
        let mut argv: Vec<std::ffi::OsString> = vec!["builtenv migrate".into()];
        argv.extend(args.iter().cloned());
        if let Some(url) = &cli.database_url {
            argv.push("--database-url".into());
            argv.push(url.into());
        }
        let source = retort_cli::Source::Embedded {
            config: Box::new(config),
            files: builtenv::MIGRATIONS,
        };
        return retort_cli::main_with(source, argv);
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
