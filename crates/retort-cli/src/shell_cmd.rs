//! `completions SHELL` and `man [--dir DIR]`: what the shell and `man` need, made from the same
//! clap definition as the parser (clap_complete, clap_mangen), so they never drift from it.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use retort::exit::ExitCode;

use crate::args::Cli;
use crate::Failure;

/// A write to stdout: a closed pipe is a normal end, anything else an I/O error.
fn written(result: std::io::Result<()>, what: &str) -> Result<ExitCode, Failure> {
    match result {
        Ok(()) => Ok(ExitCode::Ok),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::Ok),
        Err(e) => Err(Failure::message(
            ExitCode::Io,
            format!("cannot write the {what}: {e}"),
        )),
    }
}

/// `retort completions SHELL`: the completion script on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode, Failure> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "retort", &mut script);
    let mut out = std::io::stdout().lock();
    written(
        out.write_all(&script).and_then(|()| out.flush()),
        "completion script",
    )
}

/// `retort man`: retort.1 on stdout; with `dir`, retort.1 and a page per command there.
pub fn man(dir: Option<&Path>) -> Result<ExitCode, Failure> {
    let cmd = Cli::command();
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(cmd, dir))
            .map_err(|e| {
                Failure::message(
                    ExitCode::Io,
                    format!(
                        "cannot write the man pages into {}: {e}",
                        retort::util::display_path(dir)
                    ),
                )
            })?;
        eprintln!(
            "Wrote the man pages into {} (man -l {}/retort.1)",
            retort::util::display_path(dir),
            retort::util::display_path(dir)
        );
        return Ok(ExitCode::Ok);
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut page)
        .map_err(|e| Failure::message(ExitCode::Io, format!("cannot render the man page: {e}")))?;
    let mut out = std::io::stdout().lock();
    written(out.write_all(&page).and_then(|()| out.flush()), "man page")
}
