//! `retort lint [REV|RANGE]... [--format text|json|github] [--rules] [--all]`, and the check
//! `upgrade --lint` runs first.

use retort::exit::ExitCode;
use retort::graph::RevIdx;
use retort::lint::{self, Finding, Settings, Severity};
use retort::project::Project;
use retort::runner::{Migrator, RunOptions};

use crate::args::{Cli, LintArgs, LintFormat};
use crate::context::Context;
use crate::Failure;

/// `retort lint`.
pub fn lint(ctx: &Context, cli: &Cli, a: &LintArgs) -> Result<ExitCode, Failure> {
    if a.rules {
        print_rules(&ctx.load_config(cli)?);
        return Ok(ExitCode::Ok);
    }
    let project = ctx.open(cli)?;
    let mut settings = lint::settings(&project.config)?;
    let mut revs = lint::select(&project.graph, &a.revs).map_err(retort::project::Error::from)?;
    if let Some((pending, sizes)) = database_context(cli, &project) {
        settings.sizes = Some(sizes);
        if a.revs.is_empty() && !a.all {
            revs = pending;
        }
    }
    let format = if a.json { LintFormat::Json } else { a.format };
    if a.trace {
        return trace(cli, &project, &revs, format);
    }
    let mut findings = lint::lint_revisions(&project.graph, &revs, &settings)?;
    if a.down {
        findings.extend(lint::lint_down_sections(&project.graph, &revs, &settings)?);
        lint::rank(&mut findings);
    }
    print(&findings, revs.len(), format);
    Ok(verdict(&findings))
}

/// `--trace`: each revision observed on a scratch database.
fn trace(
    cli: &Cli,
    project: &Project,
    revs: &[RevIdx],
    format: LintFormat,
) -> Result<ExitCode, Failure> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Failure::message(ExitCode::Io, format!("cannot start the async runtime: {e}"))
        })?;
    let traces = rt.block_on(async {
        let scratch =
            crate::diff_cmd::scratch(&project.config, cli.database_url.as_deref()).await?;
        let mut out = Vec::new();
        for &rev in revs {
            out.push(
                retort::trace::trace_revision(&scratch, project.clone(), rev)
                    .await
                    .map_err(Failure::from)?,
            );
        }
        Ok::<_, Failure>(out)
    })?;
    if format == LintFormat::Json {
        crate::print_json(&traces);
        return Ok(ExitCode::Ok);
    }
    let mut lines = Vec::new();
    for t in &traces {
        lines.push(format!("revision {}", t.revision));
        for s in &t.statements {
            lines.push(format!("  line {}: {} ({:.1} ms)", s.line, s.sql, s.ms));
            if let Some(why) = &s.not_run {
                lines.push(format!("    not run: {why}"));
            }
            for l in &s.locks {
                lines.push(format!(
                    "    lock {} on {}, held {:.1} ms",
                    l.mode, l.object, l.held_ms
                ));
            }
            for r in &s.rewrites {
                lines.push(format!("    rewrite of {r}"));
            }
        }
    }
    crate::print_lines(&lines);
    Ok(ExitCode::Ok)
}

/// 1 when a finding is an error, else 0.
fn verdict(findings: &[Finding]) -> ExitCode {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        ExitCode::CheckFailed
    } else {
        ExitCode::Ok
    }
}

/// With a database URL given (flag, DATABASE_URL, retort.toml; never the local dev database,
/// which lint does not start): the pending revisions and table sizes. Unreachable: a note on
/// stderr, and lint goes on without them.
fn database_context(
    cli: &Cli,
    project: &Project,
) -> Option<(
    Vec<RevIdx>,
    std::collections::BTreeMap<String, lint::TableSize>,
)> {
    let (url, _) = retort::config::database_url_given(
        cli.database_url.as_deref(),
        project.config.database_url.as_deref(),
    )?;
    let migrator = Migrator::new(project.clone(), RunOptions::default());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    match rt.block_on(migrator.lint_context(&url)) {
        Ok(found) => Some(found),
        Err(e) => {
            eprintln!("retort: lint without the database ({e}): every revision, no table sizes");
            None
        }
    }
}

/// `upgrade --lint`: lint `revs` (what the upgrade will run) and refuse on an error.
pub fn refuse_on_errors(project: &Project, revs: &[RevIdx]) -> Result<(), Failure> {
    let settings = lint::settings(&project.config)?;
    let findings = lint::lint_revisions(&project.graph, revs, &settings)?;
    let errors: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    eprint!("{}", text(&errors));
    Err(Failure::message(
        ExitCode::CheckFailed,
        format!(
            "upgrade refused: {} error-level lint finding{} in the revisions to run; fix {}, or suppress each with `-- retort:allow RULE reason`",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            if errors.len() == 1 { "it" } else { "them" },
        ),
    ))
}

fn print(findings: &[Finding], revisions: usize, format: LintFormat) {
    match format {
        LintFormat::Json => crate::print_json(&serde_json::json!({
            "revisions": revisions,
            "findings": findings,
        })),
        LintFormat::Github => {
            let lines: Vec<String> = findings.iter().map(github).collect();
            crate::print_lines(&lines);
        }
        LintFormat::Text => {
            out!("{}", text(findings));
            outln!("{}", summary(findings, revisions));
        }
    }
}

/// Each finding: `path:line:col: severity[rule] message`, the line, a caret, the help.
fn text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let size = f.size.map_or_else(String::new, |s| {
            format!(
                " ({}: {} bytes, ~{} rows)",
                f.table.as_deref().unwrap_or(""),
                s.bytes,
                s.rows
            )
        });
        out.push_str(&format!(
            "{}:{}:{}: {}[{}] {}{size}\n",
            f.path,
            f.line,
            f.column,
            f.severity.as_str(),
            f.rule,
            f.message
        ));
        let pad: String = f
            .source_line
            .chars()
            .take(f.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        out.push_str(&format!("    {}\n    {pad}^\n", f.source_line));
        if !f.help.is_empty() {
            out.push_str(&format!("    help: {}\n", f.help));
        }
    }
    out
}

fn summary(findings: &[Finding], revisions: usize) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {} in {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(revisions, "revision")
    )
}

/// A GitHub Actions workflow command: `::error file=F,line=L,col=C,title=RULE::MESSAGE`.
fn github(f: &Finding) -> String {
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let level = if f.severity == Severity::Error {
        "error"
    } else {
        "warning"
    };
    format!(
        "::{level} file={},line={},col={},title={}::{}",
        prop(&f.path),
        f.line,
        f.column,
        prop(f.rule),
        data(&if f.help.is_empty() {
            f.message.clone()
        } else {
            format!("{} ({})", f.message, f.help)
        })
    )
}

fn print_rules(config: &retort::config::Config) {
    let settings = lint::settings(config).unwrap_or_else(|_| Settings::default());
    let lines: Vec<String> = lint::RULES
        .iter()
        .map(|r| {
            format!(
                "{:<46} {:<8} {:<7} {}",
                r.id,
                settings.severity(r).as_str(),
                r.kind.as_str(),
                r.summary
            )
        })
        .collect();
    crate::print_lines(&lines);
}
