//! `retort diff`: read two schemas (databases, SQL files, the migrations), print the SQL between.

use std::io::Write;

use retort::autogen::{Scratch, Side};
use retort::config::Config;
use retort::diff::{DiffOptions, Rename};
use retort::exit::ExitCode;
use retort::introspect::IntrospectOptions;
use retort::project::{Error, Project};
use retort::runner::VersionTables;
use retort::schema::filter::ObjectFilter;
use retort::schema::Schema;

use crate::args::{Cli, DiffArgs, DiffOptionArgs};
use crate::{Context, Failure};

/// The project's config, or the defaults when there is no retort.toml (diffing two databases
/// needs no project).
pub(crate) fn config_or_defaults(ctx: &Context, cli: &Cli) -> Result<Config, Failure> {
    match ctx.load_config(cli) {
        Ok(c) => Ok(c),
        Err(Error::Config(retort::config::ConfigError::NotFound { .. }))
            if cli.config.is_none() =>
        {
            Ok(Config::defaults(&crate::cwd()))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::message(ExitCode::Io, format!("cannot start the async runtime: {e}")))
}

pub(crate) fn diff_options(a: &DiffOptionArgs) -> Result<DiffOptions, Failure> {
    let renames = a
        .rename
        .iter()
        .map(|r| Rename::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DiffOptions {
        renames,
        online: a.online,
    })
}

/// `[autogenerate] include` / `exclude` (a bad pattern is a configuration error, exit 3).
pub(crate) fn object_filter(config: &Config) -> Result<ObjectFilter, Failure> {
    ObjectFilter::new(&config.autogenerate.include, &config.autogenerate.exclude)
        .map_err(|e| Failure::message(ExitCode::Config, e))
}

pub(crate) fn introspect_options(config: &Config, a: &DiffOptionArgs) -> IntrospectOptions {
    IntrospectOptions {
        schemas: if a.schemas.is_empty() {
            config.autogenerate.schemas.clone()
        } else {
            a.schemas.clone()
        },
    }
}

/// The server for scratch databases: `[autogenerate] dev_url`, else the server of the database
/// URL given (`flag`, `DATABASE_URL`, retort.toml) when its user may create databases there
/// (said on stderr), else the project's scratch cluster (`.retort/scratch`, no fsync). Models
/// loaded from SQL files are cached unless `[autogenerate] cache = false`.
pub(crate) async fn scratch(config: &Config, flag: Option<&str>) -> Result<Scratch, Failure> {
    let cache = retort::autogen::ModelCache::of(config);
    if let Some(url) = &config.autogenerate.dev_url {
        return Ok(Scratch::new(url.clone()).with_cache(cache));
    }
    if let Some((url, _)) = retort::config::database_url_given(flag, config.database_url.as_deref())
    {
        if Scratch::may_create_databases(&url).await {
            eprintln!(
                "retort: scratch databases on the server of the database URL (its user may CREATE DATABASE; [autogenerate] dev_url chooses another server)"
            );
            return Ok(Scratch::new(url).with_cache(cache));
        }
    }
    let mut notes = Vec::new();
    let cluster =
        retort::local::ensure_scratch_cluster(config, &mut notes).map_err(Failure::from)?;
    for n in notes {
        eprintln!("retort: {n}");
    }
    Ok(Scratch::new(cluster.url("postgres")).with_cache(cache))
}

/// Read one side of a diff.
pub(crate) async fn read_side(
    config: &Config,
    flag: Option<&str>,
    side: &Side,
    options: &IntrospectOptions,
) -> Result<Schema, Failure> {
    let tables = VersionTables::from_config(config);
    match side {
        Side::Database(url) => Ok(retort::autogen::read_database(url, options, &tables).await?),
        Side::SqlFiles(files) => Ok(scratch(config, flag)
            .await?
            .load_sql(files, options, &tables)
            .await?),
        Side::Model(path) => Ok(retort::autogen::read_model(path, &tables)?),
        Side::Migrations(target) => {
            let project = Project::open(config.clone())?;
            Ok(scratch(config, flag)
                .await?
                .replay(project, target.as_deref(), options)
                .await?)
        }
    }
}

pub fn diff(ctx: &Context, cli: &Cli, a: &DiffArgs) -> Result<ExitCode, Failure> {
    let config = config_or_defaults(ctx, cli)?;
    let options = diff_options(&a.diff)?;
    let introspect = introspect_options(&config, &a.diff);
    let from = Side::parse(&a.from)?;
    let to = Side::parse(&a.to)?;
    let filter = object_filter(&config)?;
    let (mut old, mut new) = runtime()?.block_on(async {
        let flag = cli.database_url.as_deref();
        let old = read_side(&config, flag, &from, &introspect).await?;
        let new = read_side(&config, flag, &to, &introspect).await?;
        Ok::<_, Failure>((old, new))
    })?;
    filter.apply(&mut old);
    filter.apply(&mut new);
    let diff = retort::diff::diff(&old, &new, &options)?;
    for side in [&old, &new] {
        let notice = retort::render::unsupported_notice(side);
        if !notice.is_empty() {
            eprint!("{notice}");
        }
    }
    let mut out = std::io::stdout().lock();
    let text = if a.json {
        serde_json::to_string_pretty(&diff.operations).unwrap_or_default() + "\n"
    } else if a.summary {
        diff.operations
            .iter()
            .map(|o| {
                let hazards: Vec<&str> = o.hazards.iter().map(|h| h.name()).collect();
                if hazards.is_empty() {
                    format!("{}\n", o.summary)
                } else {
                    format!("{} [{}]\n", o.summary, hazards.join(", "))
                }
            })
            .collect()
    } else {
        diff.sql()
    };
    if diff.is_empty() {
        eprintln!("No changes detected");
    }
    // `--exit-code`, as `git diff --exit-code`: 1 when there are differences.
    let done = if a.exit_code && !diff.is_empty() {
        ExitCode::CheckFailed
    } else {
        ExitCode::Ok
    };
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(done),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(done),
        Err(e) => Err(Failure::message(
            ExitCode::Io,
            format!("cannot write the output: {e}"),
        )),
    }
}
