//! Pictures: `graph --format svg|html` (the revision graph as lanes).

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

use retort::exit::ExitCode;
use retort::lanes::{graph_html, graph_svg, LaneOptions};
use retort::project::Project;
use retort::runner::{Migrator, RunOptions};

use retort::autogen::Side;
use retort::erd::{erd_dot, erd_html, erd_mermaid, erd_model, erd_svg, ErdOptions};
use retort::introspect::IntrospectOptions;
use retort::schema::Schema;

use crate::args::{Cli, DocArgs, ErdArgs, ErdFormatArg, GraphFormatArg};
use crate::{Context, Failure};

/// The database's current revisions, when a database URL is given (flag, `DATABASE_URL`,
/// retort.toml) and it answers within 5 s; otherwise none, with a note on stderr. The local
/// dev database is never started for a picture.
pub(crate) fn current_if_reachable(cli: &Cli, project: &Project) -> BTreeSet<String> {
    let given = retort::config::database_url_given(
        cli.database_url.as_deref(),
        project.config.database_url.as_deref(),
    );
    let Some((url, _)) = given else {
        return BTreeSet::new();
    };
    let Ok(runtime) = crate::diff_cmd::runtime() else {
        return BTreeSet::new();
    };
    let migrator = Migrator::new(project.clone(), RunOptions::default());
    let read = runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(5), migrator.current(&url)).await
    });
    match read {
        Ok(Ok(heads)) => heads.into_iter().collect(),
        Ok(Err(e)) => {
            eprintln!("retort: current revisions not marked: {e}");
            BTreeSet::new()
        }
        Err(_) => {
            eprintln!("retort: current revisions not marked: the database did not answer in 5 s");
            BTreeSet::new()
        }
    }
}

/// `graph --format svg|html`.
pub fn graph_picture(
    cli: &Cli,
    project: &Project,
    format: GraphFormatArg,
) -> Result<ExitCode, Failure> {
    let options = LaneOptions {
        current: current_if_reachable(cli, project),
        ..LaneOptions::default()
    };
    let text = match format {
        GraphFormatArg::Html => graph_html(&project.graph, &options),
        _ => graph_svg(&project.graph, &options),
    };
    write_stdout(&text)
}

/// Print `text`; a closed pipe is not an error.
pub(crate) fn write_stdout(text: &str) -> Result<ExitCode, Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::Ok),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::Ok),
        Err(e) => Err(Failure::message(
            ExitCode::Io,
            format!("cannot write the output: {e}"),
        )),
    }
}

/// Read the schema a picture is of: `side` as `retort diff` reads it, else the database.
/// Returns it and a name for the title (a URL without its password).
pub(crate) fn read_schema(
    ctx: &Context,
    cli: &Cli,
    side: Option<&str>,
    schemas: &[String],
) -> Result<(Schema, String), Failure> {
    let config = crate::diff_cmd::config_or_defaults(ctx, cli)?;
    let options = IntrospectOptions {
        schemas: if schemas.is_empty() {
            config.autogenerate.schemas.clone()
        } else {
            schemas.to_vec()
        },
    };
    crate::diff_cmd::runtime()?.block_on(async {
        let (side, name) = match side {
            Some(text) => (Side::parse(text)?, text.to_string()),
            None => {
                let url = crate::db_cmd::database_url(cli, &config).await?;
                (Side::Database(url), String::new())
            }
        };
        let name = match &side {
            Side::Database(url) => retort::db::mask_url(url),
            _ => name,
        };
        let schema =
            crate::diff_cmd::read_side(&config, cli.database_url.as_deref(), &side, &options)
                .await?;
        Ok((schema, name))
    })
}

/// `schema erd [SIDE] [--format svg|mermaid|dot|html] [--schema S]... [--table PATTERN]...`.
pub fn erd(ctx: &Context, cli: &Cli, a: &ErdArgs) -> Result<ExitCode, Failure> {
    let (schema, name) = read_schema(ctx, cli, a.side.as_deref(), &a.schemas)?;
    let options = ErdOptions {
        schemas: a.schemas.clone(),
        tables: a.tables.clone(),
        title: format!("Schema of {name}"),
    };
    let erd = erd_model(&schema, &options);
    if erd.entities.is_empty() {
        eprintln!("retort: nothing to draw: no table, view or enum matches");
    }
    let text = match a.format {
        ErdFormatArg::Svg => erd_svg(&erd),
        ErdFormatArg::Mermaid => erd_mermaid(&erd),
        ErdFormatArg::Dot => erd_dot(&erd),
        ErdFormatArg::Html => erd_html(&erd),
    };
    write_stdout(&text)
}

/// The project's revisions for the history page: none when there is no retort.toml.
fn project_if_any(ctx: &Context, cli: &Cli) -> Result<Option<Project>, Failure> {
    match ctx.open(cli) {
        Ok(p) => Ok(Some(p)),
        Err(retort::project::Error::Config(retort::config::ConfigError::NotFound { .. }))
            if cli.config.is_none() =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// `doc [SIDE] -o DIR`.
pub fn doc(ctx: &Context, cli: &Cli, a: &DocArgs) -> Result<ExitCode, Failure> {
    let project = project_if_any(ctx, cli)?;
    let (schema, name) = read_schema(ctx, cli, a.side.as_deref(), &a.schemas)?;
    let site = retort::doc::site(&retort::doc::DocInput {
        title: format!("Schema of {name}"),
        schema: &schema,
        graph: project.as_ref().map(|p| &p.graph),
    });
    for (path, text) in &site {
        let file = a.output.join(path);
        let written = file
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&file, text));
        if let Err(e) = written {
            return Err(Failure::message(
                ExitCode::Io,
                format!(
                    "cannot write {}: {e}; choose a folder you may write to with -o",
                    retort::util::display_path(&file)
                ),
            ));
        }
    }
    eprintln!(
        "Wrote {} files to {}; open {}",
        site.len(),
        retort::util::display_path(&a.output),
        retort::util::display_path(&a.output.join("index.html"))
    );
    Ok(ExitCode::Ok)
}
