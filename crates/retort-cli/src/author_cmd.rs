//! Commands that write files: `init`, `revision` (by hand), `merge`, `edit`.

use std::path::Path;

use retort::exit::ExitCode;
use retort::inspect;

use crate::args::{Cli, MergeArgs, RevisionArgs};
use crate::{cwd, io_error, Context, Failure, Source};

/// `init [DIR]`.
pub fn init(ctx: &Context, dir: Option<&Path>) -> Result<ExitCode, Failure> {
    if let Source::Embedded { .. } = ctx.source {
        return Err(io_error(
            "`init` makes a project on disk; this program's revisions are compiled in",
            None,
        ));
    }
    let dir = dir.map_or_else(cwd, Path::to_path_buf);
    for p in retort::project::init(&dir)? {
        outln!("Created {}", retort::script::display_path(&p));
    }
    outln!("Next: `retort revision -m \"first revision\"`");
    Ok(ExitCode::Ok)
}

/// `revision -m MESSAGE` (without `--autogenerate`).
pub fn revision(ctx: &Context, cli: &Cli, a: &RevisionArgs) -> Result<ExitCode, Failure> {
    let project = ctx.open_for_writing(cli, "revision")?;
    let options = revision_options(a, String::new(), String::new(), false);
    let written = retort::author::revision(&project, &options)?;
    outln!(
        "Generating {} ...  done",
        retort::script::display_path(&written.path)
    );
    Ok(ExitCode::Ok)
}

/// What `revision` is asked for, with the new file's SQL (empty by hand; the diff's with
/// `--autogenerate`).
pub(crate) fn revision_options(
    a: &RevisionArgs,
    up_sql: String,
    down_sql: String,
    non_transactional: bool,
) -> retort::author::RevisionOptions {
    retort::author::RevisionOptions {
        message: a.message.clone().unwrap_or_default(),
        head: a.head.clone(),
        splice: a.splice,
        branch_labels: a.branch_label.clone(),
        depends_on: a.depends_on.clone(),
        rev_id: a.rev_id.clone(),
        version_path: a.version_path.clone(),
        up_sql,
        down_sql,
        non_transactional,
    }
}

/// `merge REVS`.
pub fn merge(ctx: &Context, cli: &Cli, a: &MergeArgs) -> Result<ExitCode, Failure> {
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
    outln!(
        "Generating {} ...  done",
        retort::script::display_path(&written.path)
    );
    Ok(ExitCode::Ok)
}

/// `edit REV`: the revision files in `$VISUAL` or `$EDITOR`.
pub fn edit(ctx: &Context, cli: &Cli, rev: &str) -> Result<ExitCode, Failure> {
    let project = ctx.open_for_writing(cli, "edit")?;
    let g = &project.graph;
    let revs = inspect::show(g, rev)?;
    // As git and Alembic's users expect: $VISUAL, else $EDITOR, else vi.
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string());
    for r in revs {
        run_editor(&editor, &g.rev(r).file.path)?;
    }
    Ok(ExitCode::Ok)
}

/// Run the editor (which may carry arguments, e.g. `code --wait`) on a file.
fn run_editor(editor: &str, path: &Path) -> Result<(), Failure> {
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
                Some("set VISUAL or EDITOR to your editor, e.g. EDITOR=nano"),
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
