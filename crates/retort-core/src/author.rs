//! Creating revisions: `revision` and `merge`, with Alembic's rules for where a new revision
//! attaches (`--head`, `--splice`, several heads). Everything is checked before a file is written.

use std::path::PathBuf;

use crate::graph::RevisionGraph;
use crate::project::{Error, Project};
use crate::resolve::error::Context;
use crate::resolve::{Node, RevisionError, TargetError};
use crate::script::{
    check_label, check_revision_id, new_revision_id, NewRevision, ScriptError, WrittenRevision,
};

/// Options of `retort revision`.
#[derive(Debug, Clone, Default)]
pub struct RevisionOptions {
    pub message: String,
    /// `head` by default; a revision, `LABEL@head`, or `base` for a new root.
    pub head: Option<String>,
    pub splice: bool,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    pub rev_id: Option<String>,
    pub version_path: Option<PathBuf>,
    pub up_sql: String,
    pub down_sql: String,
    pub non_transactional: bool,
}

fn target_err(message: impl Into<String>, help: Option<&str>) -> Error {
    Error::Target(TargetError {
        message: message.into(),
        help: help.map(str::to_string),
    })
}

const MULTIPLE_HEADS: &str = "Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.";

/// Work out the new revision's parents, dependencies and location, checking every rule.
pub fn prepare_revision(project: &Project, opts: &RevisionOptions) -> Result<NewRevision, Error> {
    let graph = &project.graph;
    let id = pick_id(
        graph,
        opts.rev_id.as_deref(),
        project.config.revision_id_length,
    )?;
    let head = opts.head.as_deref().unwrap_or("head");
    let heads = graph.get_revisions(Some(head)).map_err(|e| match e {
        RevisionError::MultipleHeads { heads, .. } => Error::Target(TargetError {
            message: MULTIPLE_HEADS.into(),
            help: Some(format!(
                "the heads are {}; use --head REV or LABEL@head, or `retort merge heads`",
                heads.join(", ")
            )),
        }),
        other => Error::Target(other.into_target_error(Context::Other)),
    })?;
    let heads: Vec<usize> = heads.into_iter().filter_map(Node::rev).collect();
    let mut seen = heads.clone();
    seen.sort_unstable();
    seen.dedup();
    if seen.len() != heads.len() {
        return Err(target_err("Duplicate head revisions specified", None));
    }
    if !opts.splice {
        if let Some(h) = heads.iter().find(|h| !graph.rev(**h).is_head()) {
            return Err(target_err(
                format!(
                    "Revision {} is not a head revision; please specify --splice to create a new branch from this revision",
                    graph.id(*h)
                ),
                None,
            ));
        }
    }
    check_labels(graph, &opts.branch_labels)?;
    let mut depends_on = Vec::new();
    for dep in &opts.depends_on {
        let rev = graph
            .get_revision(Some(dep))
            .map_err(|e| Error::Target(e.into_target_error(Context::Other)))?
            .ok_or_else(|| {
                target_err(format!("Can't locate revision identified by '{dep}'"), None)
            })?;
        // Keep a label as written; resolve a prefix to the full id.
        depends_on.push(if graph.rev(rev).branch_labels.contains(dep) {
            dep.clone()
        } else {
            graph.id(rev).to_string()
        });
    }
    let version_path = pick_version_path(project, opts.version_path.clone(), &heads)?;
    Ok(NewRevision {
        id,
        message: opts.message.clone(),
        down_revisions: heads.iter().map(|h| graph.id(*h).to_string()).collect(),
        branch_labels: opts.branch_labels.clone(),
        depends_on,
        up_sql: opts.up_sql.clone(),
        down_sql: opts.down_sql.clone(),
        non_transactional: opts.non_transactional,
        version_path: Some(version_path),
    })
}

/// `retort revision`: check, then write the file and run post-write hooks.
pub fn revision(project: &Project, opts: &RevisionOptions) -> Result<WrittenRevision, Error> {
    let new = prepare_revision(project, opts)?;
    Ok(new.write(&project.config)?)
}

/// Options of `retort merge`.
#[derive(Debug, Clone, Default)]
pub struct MergeOptions {
    pub message: String,
    /// `heads`, or the revisions to merge.
    pub revisions: Vec<String>,
    pub branch_labels: Vec<String>,
    pub rev_id: Option<String>,
}

/// `retort merge`: a revision whose parents are the given revisions (or every head).
pub fn merge(project: &Project, opts: &MergeOptions) -> Result<WrittenRevision, Error> {
    let graph = &project.graph;
    let mut parents: Vec<usize> = Vec::new();
    for r in &opts.revisions {
        for node in graph
            .get_revisions(Some(r))
            .map_err(|e| Error::Target(e.into_target_error(Context::Other)))?
        {
            if let Node::Rev(i) = node {
                if !parents.contains(&i) {
                    parents.push(i);
                }
            }
        }
    }
    if parents.len() < 2 {
        return Err(target_err(
            format!(
                "Nothing to merge: {} name{} only {}",
                opts.revisions.join(" "),
                if opts.revisions.len() == 1 { "s" } else { "" },
                match parents.first() {
                    Some(p) => format!("revision {}", graph.id(*p)),
                    None => "no revision".into(),
                }
            ),
            Some("give two or more heads, or `heads` when there are several"),
        ));
    }
    let ids: Vec<String> = parents.iter().map(|p| graph.id(*p).to_string()).collect();
    let opts = RevisionOptions {
        message: opts.message.clone(),
        head: None,
        splice: false,
        branch_labels: opts.branch_labels.clone(),
        depends_on: Vec::new(),
        rev_id: opts.rev_id.clone(),
        version_path: None,
        up_sql: String::new(),
        down_sql: String::new(),
        non_transactional: false,
    };
    // Reuse the revision rules with the merged revisions as heads.
    let mut new = prepare_revision_with_heads(project, &opts, &parents)?;
    new.down_revisions = ids;
    Ok(new.write(&project.config)?)
}

fn prepare_revision_with_heads(
    project: &Project,
    opts: &RevisionOptions,
    heads: &[usize],
) -> Result<NewRevision, Error> {
    let graph = &project.graph;
    let id = pick_id(
        graph,
        opts.rev_id.as_deref(),
        project.config.revision_id_length,
    )?;
    check_labels(graph, &opts.branch_labels)?;
    if let Some(h) = heads.iter().find(|h| !graph.rev(**h).is_head()) {
        return Err(target_err(
            format!(
                "Revision {} is not a head revision; only heads can be merged",
                graph.id(*h)
            ),
            Some("`retort heads` lists the heads"),
        ));
    }
    let version_path = pick_version_path(project, None, heads)?;
    Ok(NewRevision {
        id,
        message: opts.message.clone(),
        down_revisions: Vec::new(),
        branch_labels: opts.branch_labels.clone(),
        depends_on: Vec::new(),
        up_sql: String::new(),
        down_sql: String::new(),
        non_transactional: false,
        version_path: Some(version_path),
    })
}

fn pick_id(graph: &RevisionGraph, requested: Option<&str>, len: usize) -> Result<String, Error> {
    match requested {
        Some(id) => {
            check_revision_id(id).map_err(|m| {
                target_err(m, Some("revision ids are 1 to 32 letters, digits or _"))
            })?;
            if graph.index_of(id).is_some() || graph.labelled(id).is_some() {
                return Err(target_err(
                    format!("Revision {id} already exists"),
                    Some("choose another --rev-id, or leave it out for a random one"),
                ));
            }
            Ok(id.to_string())
        }
        None => loop {
            let id = new_revision_id(len);
            if graph.index_of(&id).is_none() && graph.labelled(&id).is_none() {
                break Ok(id);
            }
        },
    }
}

fn check_labels(graph: &RevisionGraph, labels: &[String]) -> Result<(), Error> {
    for label in labels {
        check_label(label).map_err(|m| target_err(m, None))?;
        if let Some(other) = graph.labelled(label).or_else(|| graph.index_of(label)) {
            return Err(target_err(
                format!(
                    "Branch name '{label}' already used by revision {}",
                    graph.id(other)
                ),
                Some("branch labels must be unique and differ from every revision id"),
            ));
        }
    }
    Ok(())
}

fn pick_version_path(
    project: &Project,
    requested: Option<PathBuf>,
    heads: &[usize],
) -> Result<PathBuf, Error> {
    let locations = &project.config.version_locations;
    match requested {
        Some(p) => {
            let abs = std::path::absolute(&p).unwrap_or(p.clone());
            if locations
                .iter()
                .any(|l| std::path::absolute(l).ok().as_ref() == Some(&abs))
            {
                Ok(abs)
            } else {
                Err(Error::Script(ScriptError::Write {
                    message: format!(
                        "Path {} is not represented in current version locations",
                        p.display()
                    ),
                    help: Some("add it to version_locations in retort.toml".into()),
                }))
            }
        }
        None if locations.len() > 1 => heads
            .first()
            .and_then(|h| {
                project
                    .graph
                    .rev(*h)
                    .file
                    .path
                    .parent()
                    .map(|p| p.to_path_buf())
            })
            .ok_or_else(|| {
                Error::Script(ScriptError::Write {
                    message: "Multiple version locations present, please specify --version-path"
                        .into(),
                    help: None,
                })
            }),
        None => Ok(locations[0].clone()),
    }
}
