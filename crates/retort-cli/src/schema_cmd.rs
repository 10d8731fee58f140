//! `retort schema dump`: introspect the database, print the model as SQL or JSON.

use std::io::Write;

use retort::config::Config;
use retort::exit::ExitCode;
use retort::introspect::{introspect, introspect_parallel, IntrospectOptions};
use retort::project::Error;

use crate::args::{Cli, SchemaAction, SchemaFormatArg};
use crate::{Context, Failure};

/// The config, or (with a database URL given and no retort.toml) the defaults: dumping a
/// schema needs no project.
fn config(ctx: &Context, cli: &Cli) -> Result<Config, Failure> {
    match ctx.load_config(cli) {
        Ok(c) => Ok(c),
        Err(Error::Config(retort::config::ConfigError::NotFound { .. }))
            if retort::config::database_url_given(cli.database_url.as_deref(), None).is_some() =>
        {
            Ok(Config::defaults(&crate::cwd()))
        }
        Err(e) => Err(e.into()),
    }
}

pub fn run(ctx: &Context, cli: &Cli, action: &SchemaAction) -> Result<ExitCode, Failure> {
    let (schemas, format, include_version_tables) = match action {
        SchemaAction::Dump {
            schemas,
            format,
            include_version_tables,
        } => (schemas, format, include_version_tables),
        SchemaAction::Erd(a) => return crate::picture_cmd::erd(ctx, cli, a),
    };
    let config = config(ctx, cli)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Failure::message(ExitCode::Io, format!("cannot start the async runtime: {e}"))
        })?;
    let mut schema = runtime.block_on(async {
        let url = crate::db_cmd::database_url(cli, &config).await?;
        let target = retort::db::Endpoint::parse(&url).map_err(Failure::from)?;
        let options = IntrospectOptions {
            schemas: schemas.clone(),
        };
        // Two connections in one snapshot, so the server reads on two cores; one if the server
        // will not give a second.
        let (first, second) = tokio::join!(
            target.connect("retort schema dump"),
            target.connect("retort schema dump")
        );
        let first = first.map_err(Failure::from)?;
        match second {
            Ok(second) => introspect_parallel(&first, &second, &options).await,
            Err(_) => introspect(&first, &options).await,
        }
        .map_err(Failure::from)
    })?;
    if !include_version_tables {
        retort::autogen::strip_bookkeeping(
            &mut schema,
            &retort::runner::VersionTables::from_config(&config),
        );
    }
    let notice = retort::render::unsupported_notice(&schema);
    if !notice.is_empty() {
        eprint!("{notice}");
    }
    let mut out = std::io::stdout().lock();
    let written = match format {
        SchemaFormatArg::Sql => out.write_all(retort::render::render_schema(&schema).as_bytes()),
        // `io::Error::from` keeps the kind of a write error (a closed pipe stays BrokenPipe).
        SchemaFormatArg::Json => serde_json::to_writer_pretty(&mut out, &schema)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::Ok),
        // A closed pipe (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::Ok),
        Err(e) => Err(Failure::message(
            ExitCode::Io,
            format!("cannot write the dump: {e}"),
        )),
    }
}
