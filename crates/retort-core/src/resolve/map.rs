//! Port of Alembic's `RevisionMap` resolution (`get_revisions`, `_walk`, `_parse_*_target`).
//! Function names follow Alembic's so the two can be read side by side.

use std::collections::BTreeSet;

use super::{parse_relative, RevisionError};
use crate::graph::{RevIdx, RevisionGraph};

/// What a name resolves to: a revision, the symbolic `base`, or nothing (Python's `None`, which
/// Alembic uses both for "base" in lists and for "walked off the graph").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Rev(RevIdx),
    Base,
    Nothing,
}

impl Node {
    pub fn rev(self) -> Option<RevIdx> {
        match self {
            Node::Rev(r) => Some(r),
            _ => None,
        }
    }
}

type R<T> = Result<T, RevisionError>;

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// Python's `int(s)` for the cases that matter: optional sign and ASCII digits.
fn python_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

impl RevisionGraph {
    fn id_vec(&self, idxs: &[RevIdx]) -> Vec<String> {
        idxs.iter().map(|i| self.id(*i).to_string()).collect()
    }

    /// Alembic's `_resolve_revision_number`: split `label@id`, expand `head`, `heads`, `base`.
    pub(crate) fn resolve_revision_number(
        &self,
        id: Option<&str>,
    ) -> R<(Vec<String>, Option<String>)> {
        let (label, id) = match id {
            Some(s) if s.contains('@') => {
                let (l, rest) = s.split_once('@').unwrap_or((s, ""));
                (Some(l.to_string()), Some(rest))
            }
            other => (None, other),
        };
        let label_ref = non_empty(label.as_deref());
        match id {
            Some("heads") => match label_ref {
                Some(l) => {
                    let heads = self.heads().to_vec();
                    let filtered = self.filter_for_lineage(&heads, l, false)?;
                    Ok((self.id_vec(&filtered), label))
                }
                None => Ok((self.id_vec(self.real_heads()), label)),
            },
            Some("head") => {
                let head = self.get_current_head(label_ref)?;
                Ok((
                    head.map(|h| vec![self.id(h).to_string()])
                        .unwrap_or_default(),
                    label,
                ))
            }
            Some("base") | None => Ok((Vec::new(), label)),
            Some(other) => Ok((vec![other.to_string()], label)),
        }
    }

    /// Alembic's `get_current_head`.
    pub(crate) fn get_current_head(&self, branch_label: Option<&str>) -> R<Option<RevIdx>> {
        let mut heads = self.heads().to_vec();
        if let Some(l) = branch_label {
            heads = self.filter_for_lineage(&heads, l, false)?;
        }
        if heads.len() > 1 {
            return Err(RevisionError::MultipleHeads {
                heads: self.id_vec(&heads),
                argument: match branch_label {
                    Some(l) => format!("{l}@head"),
                    None => "head".into(),
                },
            });
        }
        Ok(heads.first().copied())
    }

    /// Alembic's `filter_for_lineage`.
    pub(crate) fn filter_for_lineage(
        &self,
        targets: &[RevIdx],
        check_against: &str,
        include_deps: bool,
    ) -> R<Vec<RevIdx>> {
        let (ids, label) = self.resolve_revision_number(Some(check_against))?;
        let mut shares: Vec<String> = Vec::new();
        if let Some(l) = non_empty(label.as_deref()) {
            shares.push(l.to_string());
        }
        shares.extend(ids);
        let mut out = Vec::new();
        for &t in targets {
            if self.shares_lineage(t, &shares, include_deps)? {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// Alembic's `_shares_lineage`.
    pub(crate) fn shares_lineage(
        &self,
        target: RevIdx,
        test_against: &[String],
        include_deps: bool,
    ) -> R<bool> {
        if test_against.is_empty() {
            return Ok(true);
        }
        let mut against = BTreeSet::new();
        for t in test_against {
            if let Some(r) = self.revision_for_ident(Some(t), None)? {
                against.insert(r);
            }
        }
        Ok(self
            .descendants(&[target], include_deps)
            .into_iter()
            .chain(self.ancestors(&[target], include_deps))
            .any(|r| against.contains(&r)))
    }

    /// Alembic's `_resolve_branch`.
    pub(crate) fn resolve_branch(&self, branch_label: &str) -> R<Option<RevIdx>> {
        if let Some(r) = self
            .index_of(branch_label)
            .or_else(|| self.labelled(branch_label))
        {
            return Ok(Some(r));
        }
        match self.revision_for_ident(Some(branch_label), None) {
            Ok(r) => Ok(r),
            Err(RevisionError::Resolution { .. }) => Err(RevisionError::Resolution {
                detail: format!("No such branch: '{branch_label}'"),
                argument: branch_label.to_string(),
                candidates: self.close_names(branch_label),
            }),
            Err(e) => Err(e),
        }
    }

    /// Ids and labels that look like `name` (for "did you mean").
    fn close_names(&self, name: &str) -> Vec<String> {
        // The symbolic names first, so that `hed` suggests `head` however the ids look.
        let symbolic = ["head", "heads", "base"].into_iter();
        let keys = symbolic
            .chain(self.revisions().iter().map(|r| r.id()))
            .chain(
                self.revisions()
                    .iter()
                    .flat_map(|r| r.file.branch_labels.iter().map(String::as_str)),
            );
        crate::suggest::closest(name, keys)
            .map(|s| vec![s.to_string()])
            .unwrap_or_default()
    }

    /// Alembic's `_revision_for_ident`: exact id or label, else a unique prefix.
    pub(crate) fn revision_for_ident(
        &self,
        resolved_id: Option<&str>,
        check_branch: Option<&str>,
    ) -> R<Option<RevIdx>> {
        let branch_rev = match non_empty(check_branch) {
            Some(b) => self.resolve_branch(b)?,
            None => None,
        };
        let Some(resolved_id) = resolved_id else {
            return Ok(None);
        };
        let revision = match self
            .index_of(resolved_id)
            .or_else(|| self.labelled(resolved_id))
        {
            Some(r) => r,
            None => {
                // Partial lookup over ids then labels (the keys of Alembic's map), keys over 3 chars.
                let mut keys: Vec<(bool, RevIdx, &str)> = self
                    .keys_with_prefix(resolved_id)
                    .filter(|(k, _)| k.len() > 3)
                    .map(|(k, i)| (self.index_of(k).is_none(), *i, k.as_str()))
                    .collect();
                keys.sort();
                let mut revs: Vec<(RevIdx, &str)> =
                    keys.into_iter().map(|(_, i, k)| (i, k)).collect();
                let mut outside_branch = Vec::new();
                if branch_rev.is_some() {
                    if let Some(b) = non_empty(check_branch) {
                        let mut kept = Vec::new();
                        for &(i, k) in &revs {
                            if !self.filter_for_lineage(&[i], b, false)?.is_empty() {
                                kept.push((i, k));
                            }
                        }
                        outside_branch = std::mem::take(&mut revs);
                        revs = kept;
                    }
                }
                if revs.is_empty() && !outside_branch.is_empty() {
                    let ids: Vec<&str> = outside_branch.iter().map(|(i, _)| self.id(*i)).collect();
                    return Err(RevisionError::Resolution {
                        detail: format!(
                            "Revision {} is not a member of branch '{}'",
                            ids.join(", "),
                            check_branch.unwrap_or_default()
                        ),
                        argument: resolved_id.to_string(),
                        candidates: Vec::new(),
                    });
                }
                match revs.len() {
                    0 => {
                        let mut detail = format!("No such revision or branch '{resolved_id}'");
                        if resolved_id.chars().count() < 4 {
                            detail.push_str("; please ensure at least four characters are present for partial revision identifier matches");
                        }
                        return Err(RevisionError::Resolution {
                            detail,
                            argument: resolved_id.to_string(),
                            candidates: self.close_names(resolved_id),
                        });
                    }
                    1 => revs[0].0,
                    _ => {
                        let shown: Vec<String> =
                            revs.iter().take(3).map(|(_, k)| format!("'{k}'")).collect();
                        return Err(RevisionError::Resolution {
                            detail: format!(
                                "Multiple revisions start with '{resolved_id}': {}...",
                                shown.join(", ")
                            ),
                            argument: resolved_id.to_string(),
                            candidates: Vec::new(),
                        });
                    }
                }
            }
        };
        if let (Some(b), Some(branch_rev)) = (non_empty(check_branch), branch_rev) {
            let against = [self.id(branch_rev).to_string()];
            if !self.shares_lineage(revision, &against, false)? {
                return Err(RevisionError::Resolution {
                    detail: format!(
                        "Revision {} is not a member of branch '{b}'",
                        self.id(revision)
                    ),
                    argument: resolved_id.to_string(),
                    candidates: Vec::new(),
                });
            }
        }
        Ok(Some(revision))
    }

    /// Alembic's `get_revisions` for one identifier.
    #[doc(hidden)]
    pub fn get_revisions(&self, id: Option<&str>) -> R<Vec<Node>> {
        let (resolved, label) = self.resolve_revision_number(id)?;
        if resolved.len() == 1 {
            if let Some(rint) = python_int(&resolved[0]) {
                if rint < 0 {
                    // branch@-n: walk down from the heads
                    let mut heads: Vec<RevIdx> = Vec::new();
                    for n in self.get_revisions(Some("heads"))? {
                        if let Node::Rev(h) = n {
                            heads.push(h);
                        }
                    }
                    if let Some(l) = non_empty(label.as_deref()) {
                        heads.retain(|h| self.rev(*h).branch_labels.contains(l));
                    }
                    let mut out = Vec::new();
                    for h in heads {
                        out.push(self.walk(Node::Rev(h), rint, None, true)?);
                    }
                    return Ok(out);
                }
            }
        }
        let mut out = Vec::new();
        for r in &resolved {
            out.push(match self.revision_for_ident(Some(r), label.as_deref())? {
                Some(i) => Node::Rev(i),
                None => Node::Nothing,
            });
        }
        Ok(out)
    }

    /// `get_revisions` over a tuple of identifiers (e.g. the database's current heads).
    pub(crate) fn get_revisions_many(&self, ids: &[String]) -> R<Vec<Node>> {
        let mut out = Vec::new();
        for id in ids {
            out.extend(self.get_revisions(Some(id))?);
        }
        Ok(out)
    }

    /// Alembic's `get_revision`: one revision (or none for base); several is an error.
    #[doc(hidden)]
    pub fn get_revision(&self, id: Option<&str>) -> R<Option<RevIdx>> {
        let (resolved, label) = self.resolve_revision_number(id)?;
        if resolved.len() > 1 {
            return Err(RevisionError::MultipleHeads {
                heads: resolved,
                argument: id.unwrap_or("").to_string(),
            });
        }
        self.revision_for_ident(resolved.first().map(String::as_str), label.as_deref())
    }

    fn node_of(&self, id: Option<&str>) -> R<Node> {
        Ok(match self.get_revision(id)? {
            Some(r) => Node::Rev(r),
            None => Node::Nothing,
        })
    }

    /// Alembic's `_walk`: `steps` up (positive) or down (negative) from `start`.
    pub(crate) fn walk(
        &self,
        start: Node,
        steps: i64,
        branch_label: Option<&str>,
        no_overwalk: bool,
    ) -> R<Node> {
        let mut initial = start;
        for _ in 0..steps.unsigned_abs() {
            let children: Vec<Node> = if steps > 0 {
                let walk_up: Vec<RevIdx> = match initial {
                    Node::Rev(r) => {
                        let mut next = self.rev(r).next.clone();
                        next.sort_unstable();
                        next
                    }
                    _ => self.bases().to_vec(),
                };
                let chosen = match non_empty(branch_label) {
                    Some(l) => self.filter_for_lineage(&walk_up, l, false)?,
                    None => walk_up,
                };
                chosen.into_iter().map(Node::Rev).collect()
            } else {
                match initial {
                    Node::Base => Vec::new(),
                    Node::Nothing => self.heads().iter().map(|h| Node::Rev(*h)).collect(),
                    Node::Rev(r) => {
                        let down: Vec<Node> =
                            self.rev(r).down.iter().map(|d| Node::Rev(*d)).collect();
                        if down.is_empty() {
                            vec![Node::Base]
                        } else {
                            down
                        }
                    }
                }
            };
            match children.len() {
                0 => return Ok(if no_overwalk { Node::Nothing } else { initial }),
                1 => initial = children[0],
                _ => return Err(RevisionError::Other("Ambiguous walk".into())),
            }
        }
        Ok(initial)
    }

    /// Alembic's `_get_all_current`: the version rows plus what they imply through dependencies,
    /// reduced to branch tips (what `alembic current` lists).
    pub fn get_all_current(&self, ids: &[String]) -> R<Vec<RevIdx>> {
        let top: Vec<RevIdx> = self
            .get_revisions_many(ids)?
            .into_iter()
            .filter_map(Node::rev)
            .collect();
        let mut all: BTreeSet<RevIdx> = top.iter().copied().collect();
        all.extend(self.ancestors(&top, true));
        // _filter_into_branch_heads
        let set = all.clone();
        Ok(set
            .iter()
            .copied()
            .filter(|r| {
                !self
                    .descendants(&[*r], false)
                    .iter()
                    .any(|d| d != r && set.contains(d))
            })
            .collect())
    }

    /// Alembic's `_parse_downgrade_target`: (branch label, target) for `downgrade TARGET`.
    // Long: Alembic's `_parse_downgrade_target`, case by case, as Alembic writes it.
    pub(crate) fn parse_downgrade_target(
        &self,
        current: &[String],
        target: &str,
        assert_relative_length: bool,
    ) -> R<(Option<String>, Node)> {
        if let Some(m) = parse_relative(target) {
            let rel = m.relative;
            if rel >= 0 {
                let Some(symbol) = m.symbol else {
                    return Err(RevisionError::Other(format!(
                        "Relative revision {} didn't produce {} migrations",
                        m.relative_str,
                        rel.abs()
                    )));
                };
                let start = self.node_of(Some(symbol))?;
                let rev = self.walk(start, rel, m.branch_label, assert_relative_length)?;
                if rev == Node::Nothing {
                    return Err(RevisionError::Other("Walked too far".into()));
                }
                return Ok((m.branch_label.map(str::to_string), rev));
            }
            let relative_revision = m.symbol.is_none();
            let mut branch_label = m.branch_label.map(str::to_string);
            let symbol: String = match m.symbol {
                Some(s) => s.to_string(),
                None => {
                    if let Some(l) = non_empty(branch_label.as_deref()) {
                        let current_idx: Vec<RevIdx> = self
                            .get_revisions_many(current)?
                            .into_iter()
                            .filter_map(Node::rev)
                            .collect();
                        let mut symbols =
                            self.id_vec(&self.filter_for_lineage(&current_idx, l, false)?);
                        if symbols.is_empty() {
                            let all_current = self.get_all_current(current)?;
                            symbols =
                                self.id_vec(&self.filter_for_lineage(&all_current, l, false)?);
                        }
                        if symbols.len() != 1 {
                            return Err(RevisionError::Other(format!(
                                "Relative revision {} is ambiguous on branch '{l}': the current revisions on it are {}",
                                m.relative_str,
                                if symbols.is_empty() { "none".to_string() } else { symbols.join(", ") }
                            )));
                        }
                        symbols.remove(0)
                    } else {
                        if current.is_empty() {
                            return Err(RevisionError::Other(format!(
                                "Relative revision {} didn't produce {} migrations",
                                m.relative_str,
                                rel.abs()
                            )));
                        }
                        // Alembic warns and walks from whichever row the database returned
                        // first ("will be disallowed in a future release"); we refuse.
                        let distinct: BTreeSet<&String> = current.iter().collect();
                        if distinct.len() > 1 {
                            let ids: Vec<&str> = distinct.iter().map(|s| s.as_str()).collect();
                            return Err(RevisionError::Other(format!(
                                "Relative revision {} from multiple heads ({}) is ambiguous; please specify a revision, e.g. '{}{}', or a branch, '<branchname>@{}'",
                                m.relative_str,
                                ids.join(", "),
                                ids[0],
                                m.relative_str,
                                m.relative_str
                            )));
                        }
                        let s = current[0].clone();
                        branch_label = Some(s.clone());
                        s
                    }
                }
            };
            let start = match non_empty(branch_label.as_deref()) {
                None => self.node_of(Some(&symbol))?,
                Some(l) => self.node_of(Some(&format!("{l}@{symbol}")))?,
            };
            let rev = self.walk(start, rel, None, assert_relative_length)?;
            if rev == Node::Nothing {
                return Err(RevisionError::Other(if relative_revision {
                    format!(
                        "Relative revision {} didn't produce {} migrations",
                        m.relative_str,
                        rel.abs()
                    )
                } else {
                    "Walked too far".into()
                }));
            }
            return Ok((branch_label, rev));
        }
        let (label, symbol) = match target.rsplit_once('@') {
            Some((l, s)) => (non_empty(Some(l)).map(str::to_string), s),
            None => (None, target),
        };
        Ok((label, self.node_of(Some(symbol))?))
    }

    /// Alembic's `_parse_upgrade_target`: the revisions `upgrade TARGET` goes to.
    pub(crate) fn parse_upgrade_target(
        &self,
        current: &[String],
        target: &str,
        assert_relative_length: bool,
    ) -> R<Vec<Node>> {
        let Some(m) = parse_relative(target) else {
            return self.get_revisions(Some(target));
        };
        let relative = m.relative;
        let too_far = || {
            RevisionError::Other(format!(
                "Relative revision {} didn't produce {} migrations",
                m.relative_str,
                relative.abs()
            ))
        };
        if relative > 0 {
            match m.symbol {
                None => {
                    // Start from the current revision (on the branch, if one is named).
                    let mut start_revs: Vec<Node> = if current.is_empty() {
                        vec![Node::Nothing]
                    } else {
                        current
                            .iter()
                            .map(|c| self.node_of(Some(c)))
                            .collect::<R<Vec<Node>>>()?
                    };
                    if let Some(l) = non_empty(m.branch_label) {
                        let cur: Vec<RevIdx> = self
                            .get_revisions_many(current)?
                            .into_iter()
                            .filter_map(Node::rev)
                            .collect();
                        let on_branch = self.filter_for_lineage(&cur, l, false)?;
                        start_revs = on_branch.iter().map(|r| Node::Rev(*r)).collect();
                        if start_revs.is_empty() {
                            let ancestors = self.ancestors(&cur, true);
                            let active = self.filter_for_lineage(&ancestors, l, false)?;
                            let downs: BTreeSet<RevIdx> = active
                                .iter()
                                .flat_map(|r| self.rev(*r).norm_down().collect::<Vec<_>>())
                                .collect();
                            let tips: BTreeSet<RevIdx> = active
                                .iter()
                                .copied()
                                .filter(|r| !downs.contains(r))
                                .collect();
                            start_revs = tips.into_iter().map(Node::Rev).collect();
                            if start_revs.is_empty() {
                                start_revs = vec![Node::Nothing];
                            }
                        }
                    }
                    if start_revs.len() > 1 {
                        return Err(RevisionError::Other(
                            "Ambiguous upgrade from multiple current revisions".into(),
                        ));
                    }
                    let rev = self.walk(
                        start_revs[0],
                        relative,
                        m.branch_label,
                        assert_relative_length,
                    )?;
                    if rev == Node::Nothing {
                        return Err(too_far());
                    }
                    Ok(vec![rev])
                }
                Some(symbol) => {
                    let start = self.node_of(Some(symbol))?;
                    Ok(vec![self.walk(
                        start,
                        relative,
                        m.branch_label,
                        assert_relative_length,
                    )?])
                }
            }
        } else {
            let Some(symbol) = m.symbol else {
                return Err(RevisionError::Other(format!(
                    "Relative revision {relative} didn't produce {} migrations",
                    relative.abs()
                )));
            };
            let start = match non_empty(m.branch_label) {
                None => self.node_of(Some(symbol))?,
                Some(l) => self.node_of(Some(&format!("{l}@{symbol}")))?,
            };
            Ok(vec![self.walk(
                start,
                relative,
                None,
                assert_relative_length,
            )?])
        }
    }
}
