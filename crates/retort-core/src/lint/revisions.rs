//! Linting a project's revisions: which ones (`REV`, `RANGE`), the settings retort.toml gives,
//! and the findings ranked by what they would block.

use std::cmp::Reverse;

use crate::config::Config;
use crate::graph::{RevIdx, RevisionGraph};
use crate::resolve::TargetError;
use crate::util::display_path;

use super::engine::{lint_section, Finding, Section, Settings};
use super::rules;
use super::LintError;

/// The revisions `specs` name, oldest first: each a revision (`ae10`, `head`, `label@head`) or
/// a range `[start]:[end]` as in `history -r`. No spec: every revision.
pub fn select(graph: &RevisionGraph, specs: &[String]) -> Result<Vec<RevIdx>, TargetError> {
    let mut out: Vec<RevIdx> = Vec::new();
    if specs.is_empty() {
        out.extend(0..graph.len());
    }
    for spec in specs {
        if spec.contains(':') {
            out.extend(crate::inspect::history_revisions(graph, Some(spec))?);
        } else {
            out.extend(crate::inspect::show(graph, spec)?);
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The settings retort.toml gives: `[lint] rules` (ids checked), the session's timeouts.
pub fn settings(config: &Config) -> Result<Settings, LintError> {
    let allowed = config.lint.allow.iter().map(|a| &a.rule);
    for rule in config.lint.rules.keys().chain(allowed) {
        if rules::find(rule).is_none() {
            let suggestion = crate::suggest::closest(rule, rules::ALL.iter().map(|r| r.id))
                .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
            return Err(LintError::UnknownRule {
                path: config
                    .path
                    .as_deref()
                    .map_or_else(|| "retort.toml".into(), display_path),
                rule: rule.clone(),
                suggestion,
            });
        }
    }
    if let Some(a) = config
        .lint
        .allow
        .iter()
        .find(|a| a.reason.trim().is_empty())
    {
        return Err(LintError::NoReason {
            revision: a.revision.clone(),
            rule: a.rule.clone(),
        });
    }
    Ok(Settings {
        severities: config.lint.rules.clone(),
        allowed: config
            .lint
            .allow
            .iter()
            .map(|a| (a.revision.clone(), a.rule.clone()))
            .collect(),
        lock_timeout: config
            .lock_timeout
            .as_deref()
            .is_some_and(|v| v.trim() != "0"),
        statement_timeout: config
            .statement_timeout
            .as_deref()
            .is_some_and(|v| v.trim() != "0"),
        sizes: None,
    })
}

/// Lint the up sections of `revs`, findings ranked (see [`rank`]).
pub fn lint_revisions(
    graph: &RevisionGraph,
    revs: &[RevIdx],
    settings: &Settings,
) -> Result<Vec<Finding>, LintError> {
    let mut out = Vec::new();
    for &idx in revs {
        let file = &graph.rev(idx).file;
        let section = Section {
            path: display_path(&file.path),
            text: &file.up_sql,
            first_line: file.up_line,
            transactional: file.transactional,
            revision: Some(file.id.clone()),
        };
        out.extend(lint_section(&section, settings)?);
    }
    rank(&mut out);
    Ok(out)
}

/// Lint the down sections of `revs` (what a downgrade runs), findings ranked. A revision
/// without a down section has nothing to lint.
pub fn lint_down_sections(
    graph: &RevisionGraph,
    revs: &[RevIdx],
    settings: &Settings,
) -> Result<Vec<Finding>, LintError> {
    let mut out = Vec::new();
    for &idx in revs {
        let file = &graph.rev(idx).file;
        let (Some(text), Some(first_line)) = (&file.down_sql, file.down_line) else {
            continue;
        };
        let section = Section {
            path: display_path(&file.path),
            text,
            first_line,
            transactional: file.transactional,
            revision: Some(file.id.clone()),
        };
        out.extend(lint_section(&section, settings)?);
    }
    rank(&mut out);
    Ok(out)
}

/// Errors first, then by the size of the table at risk (biggest first), then in file order.
pub fn rank(findings: &mut [Finding]) {
    findings.sort_by_key(|f| {
        (
            Reverse(f.severity),
            Reverse(f.size.map_or(-1, |s| s.bytes)),
            f.path.clone(),
            f.line,
            f.column,
        )
    });
}
