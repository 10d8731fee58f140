//! `revision --autogenerate` and `check`: the database (or the replayed revisions) against the
//! desired schema of `[autogenerate] schema`.

use retort::autogen::{AutogenError, Sections};
use retort::diff::{DiffOptions, Rename};
use retort::exit::ExitCode;
use retort::introspect::IntrospectOptions;
use retort::project::Project;
use retort::runner::{Migrator, RunOptions, VersionTables};
use retort::schema::Schema;

use crate::args::{Cli, DiffOptionArgs, RevisionArgs};
use crate::diff_cmd::{diff_options, introspect_options, runtime, scratch};
use crate::{Context, Failure};

/// The schema now (the database at head, or the replayed revisions) and the desired one.
async fn both_sides(
    ctx: &Context,
    cli: &Cli,
    project: &Project,
    from_migrations: bool,
    options: &IntrospectOptions,
) -> Result<(Schema, Schema), Failure> {
    let config = &project.config;
    let filter = crate::diff_cmd::object_filter(config)?;
    let models = ctx.models;
    if config.autogenerate.schema.is_empty() && models.is_none() {
        return Err(AutogenError::NoDesiredSchema.into());
    }
    let files = if models.is_some() {
        Vec::new()
    } else {
        retort::autogen::expand_globs(&config.autogenerate.schema, &config.root)?
    };
    // A JSON model file (`retort schema dump --format json`) is read as it is.
    let model_file = match files.as_slice() {
        [one] if one.extension().is_some_and(|e| e == "json") => Some(one.clone()),
        _ => None,
    };
    // A scratch server only when something is loaded into one.
    let scratch = if from_migrations || (models.is_none() && model_file.is_none()) {
        Some(scratch(config, cli.database_url.as_deref()).await?)
    } else {
        None
    };
    // The two sides are read at the same time: the target's catalog queries overlap the
    // scratch load. Both run to the end (a scratch database is always dropped), then the first
    // error is reported.
    let current = async {
        let current = if let (true, Some(scratch)) = (from_migrations, &scratch) {
            scratch.replay(project.clone(), None, options).await?
        } else {
            let url = crate::db_cmd::database_url(cli, config).await?;
            let migrator = Migrator::new(project.clone(), RunOptions::default());
            if !migrator.is_at_head(&url).await? {
                return Err(AutogenError::NotUpToDate.into());
            }
            // The target's model is reused while its catalogs are unchanged (same cache, same
            // setting, as the desired schema's).
            let cache = retort::autogen::ModelCache::of(config);
            retort::autogen::read_database_cached(
                &url,
                options,
                &VersionTables::from_config(config),
                cache.as_ref(),
            )
            .await?
        };
        // What the program's models leave out on purpose is left out of the database's side too.
        Ok::<_, Failure>(match (models, ctx.ignore) {
            (Some(_), Some(ignore)) => ignore(current),
            _ => current,
        })
    };
    let desired = async {
        match models {
            Some(models) => models().map_err(|e| {
                Failure::message(ExitCode::Config, format!("the models do not build: {e}"))
            }),
            None => match (&model_file, &scratch) {
                (Some(path), _) => Ok(retort::autogen::read_model(
                    path,
                    &VersionTables::from_config(config),
                )?),
                (None, Some(scratch)) => Ok(scratch
                    .load_sql(&files, options, &VersionTables::from_config(config))
                    .await?),
                (None, None) => Err(AutogenError::NoDesiredSchema.into()),
            },
        }
    };
    let (current, desired) = tokio::join!(current, desired);
    let (current, desired) = (current?, desired?);
    let desired = match (models, ctx.fit) {
        (Some(_), Some(fit)) => fit(&current, desired),
        _ => desired,
    };
    let (mut current, mut desired) = (current, desired);
    filter.apply(&mut current);
    filter.apply(&mut desired);
    Ok((current, desired))
}

/// The options for the diff the other way (the down section): renames reversed.
fn reversed(options: &DiffOptions) -> DiffOptions {
    DiffOptions {
        renames: options
            .renames
            .iter()
            .map(|r| match r {
                Rename::Table { from, to } => Rename::Table {
                    from: to.clone(),
                    to: from.clone(),
                },
                Rename::Column { table, from, to } => Rename::Column {
                    table: table.clone(),
                    from: to.clone(),
                    to: from.clone(),
                },
            })
            .collect(),
        online: options.online,
    }
}

pub fn revision(ctx: &Context, cli: &Cli, a: &RevisionArgs) -> Result<ExitCode, Failure> {
    let project = ctx.open_for_writing(cli, "revision --autogenerate")?;
    let options = diff_options(&a.diff)?;
    let introspect = introspect_options(&project.config, &a.diff);
    let (current, desired) = runtime()?.block_on(both_sides(
        ctx,
        cli,
        &project,
        a.from_migrations,
        &introspect,
    ))?;
    let up = retort::diff::diff(&current, &desired, &options)?;
    if up.is_empty() && !a.empty {
        outln!("No changes detected");
        return Ok(ExitCode::Ok);
    }
    let down = retort::diff::diff(&desired, &current, &reversed(&options))?;
    for op in &up.operations {
        let hazards: Vec<&str> = op.hazards.iter().map(|h| h.name()).collect();
        if hazards.is_empty() {
            outln!("Detected {}", op.summary);
        } else {
            outln!("Detected {} [{}]", op.summary, hazards.join(", "));
        }
    }
    let Sections {
        up_sql,
        down_sql,
        transactional,
    } = retort::autogen::sections(&up, &down);
    let options = crate::author_cmd::revision_options(a, up_sql, down_sql, !transactional);
    let written = retort::author::revision(&project, &options)?;
    outln!(
        "Generating {} ...  done",
        retort::script::display_path(&written.path)
    );
    Ok(ExitCode::Ok)
}

pub fn check(
    ctx: &Context,
    cli: &Cli,
    from_migrations: bool,
    a: &DiffOptionArgs,
) -> Result<ExitCode, Failure> {
    let project = ctx.open(cli)?;
    let options = diff_options(a)?;
    let introspect = introspect_options(&project.config, a);
    let (current, desired) =
        runtime()?.block_on(both_sides(ctx, cli, &project, from_migrations, &introspect))?;
    let diff = retort::diff::diff(&current, &desired, &options)?;
    if diff.is_empty() {
        outln!("No new upgrade operations detected.");
        return Ok(ExitCode::Ok);
    }
    outln!("New upgrade operations detected:");
    for op in &diff.operations {
        outln!("  - {}", op.summary);
    }
    Ok(ExitCode::CheckFailed)
}
