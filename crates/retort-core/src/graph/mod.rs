//! The revision graph: revisions linked by `down_revision` (parents) and `depends_on`
//! (cross-branch dependencies), with Alembic's notions of heads, bases and branch labels.
//!
//! Invariants: the graph is pure (never touches a connection or the file system after
//! construction); a built graph is acyclic, every reference resolves, ids and labels are unique.
//! Revisions are addressed by index ([`RevIdx`]) in load order (file name order), which is also
//! the tie-break of every ordering, so results are deterministic.

mod build;
mod walk;

use std::collections::{BTreeSet, HashMap};

use crate::script::RevisionFile;

pub use build::GraphProblem;

/// Index of a revision in its [`RevisionGraph`].
pub type RevIdx = usize;

/// One revision and its resolved relations.
#[derive(Debug, Clone)]
pub struct Revision {
    pub file: RevisionFile,
    /// Parents (`down_revision`).
    pub down: Vec<RevIdx>,
    /// Resolved `depends_on`.
    pub deps: Vec<RevIdx>,
    /// `deps` minus those already depended on by an ancestor (Alembic's normalised dependencies).
    pub norm_deps: Vec<RevIdx>,
    /// Children through `down_revision` only.
    pub next: Vec<RevIdx>,
    /// Children through `down_revision` or `depends_on`.
    pub all_next: Vec<RevIdx>,
    /// Labels of this revision's branch (its own and those propagated along the branch).
    pub branch_labels: BTreeSet<String>,
}

impl Revision {
    pub fn id(&self) -> &str {
        &self.file.id
    }
    /// Parents then normalised dependencies, deduplicated: what must be applied before this one.
    pub fn norm_down(&self) -> impl Iterator<Item = RevIdx> + '_ {
        self.down.iter().copied().chain(
            self.norm_deps
                .iter()
                .copied()
                .filter(|d| !self.down.contains(d)),
        )
    }
    pub fn is_head(&self) -> bool {
        self.next.is_empty()
    }
    pub fn is_base(&self) -> bool {
        self.down.is_empty()
    }
    pub fn is_merge_point(&self) -> bool {
        self.down.len() > 1
    }
    pub fn is_branch_point(&self) -> bool {
        self.next.len() > 1
    }
}

/// A validated revision graph.
#[derive(Debug, Clone)]
pub struct RevisionGraph {
    revs: Vec<Revision>,
    by_id: HashMap<String, RevIdx>,
    /// Branch label (as written on a revision) to that revision.
    by_label: HashMap<String, RevIdx>,
    /// Keys of `by_id` and `by_label`, sorted, for prefix lookups: made on the first one (most
    /// commands never look a prefix up, and sorting 10,000 ids is a visible share of `heads`).
    sorted_keys: std::sync::OnceLock<Vec<(String, RevIdx)>>,
    heads: Vec<RevIdx>,
    real_heads: Vec<RevIdx>,
    bases: Vec<RevIdx>,
}

impl RevisionGraph {
    pub fn len(&self) -> usize {
        self.revs.len()
    }
    pub fn is_empty(&self) -> bool {
        self.revs.is_empty()
    }
    pub fn rev(&self, idx: RevIdx) -> &Revision {
        &self.revs[idx]
    }
    pub fn revisions(&self) -> &[Revision] {
        &self.revs
    }
    pub fn id(&self, idx: RevIdx) -> &str {
        self.revs[idx].id()
    }
    pub fn index_of(&self, id: &str) -> Option<RevIdx> {
        self.by_id.get(id).copied()
    }
    /// Revision carrying `label` as one of its own branch labels.
    pub fn labelled(&self, label: &str) -> Option<RevIdx> {
        self.by_label.get(label).copied()
    }
    /// Heads through `down_revision` only (what `retort heads` lists).
    pub fn heads(&self) -> &[RevIdx] {
        &self.heads
    }
    /// Heads that nothing depends on either (`heads --resolve-dependencies`, target `heads`).
    pub fn real_heads(&self) -> &[RevIdx] {
        &self.real_heads
    }
    /// Revisions without parents.
    pub fn bases(&self) -> &[RevIdx] {
        &self.bases
    }
    pub fn ids<'a>(&'a self, idxs: impl IntoIterator<Item = &'a RevIdx>) -> Vec<String> {
        idxs.into_iter().map(|i| self.id(*i).to_string()).collect()
    }
    /// A revision that is neither a parent nor a dependency of another.
    pub fn is_real_head(&self, idx: RevIdx) -> bool {
        self.revs[idx].all_next.is_empty()
    }
    /// The marks of a revision as Alembic names them, in this order: its own branch labels,
    /// `head` (a real head), `current` (when `current` holds its id), `branchpoint`,
    /// `mergepoint`.
    pub fn marks(&self, idx: RevIdx, current: &BTreeSet<String>) -> Vec<String> {
        let rev = &self.revs[idx];
        let mut out = rev.file.branch_labels.clone();
        let flags = [
            (self.is_real_head(idx), "head"),
            (current.contains(rev.id()), "current"),
            (rev.is_branch_point(), "branchpoint"),
            (rev.is_merge_point(), "mergepoint"),
        ];
        out.extend(
            flags
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, m)| m.to_string()),
        );
        out
    }
    /// Revisions whose id or own label starts with `prefix`.
    pub(crate) fn keys_with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a (String, RevIdx)> + 'a {
        let keys = self
            .sorted_keys
            .get_or_init(|| build::sorted_keys(&self.by_id, &self.by_label));
        let start = keys.partition_point(|(k, _)| k.as_str() < prefix);
        keys[start..]
            .iter()
            .take_while(move |(k, _)| k.starts_with(prefix))
    }
}

/// Build the graph from parsed files; every problem is reported.
pub fn build(
    files: Vec<RevisionFile>,
    unparsed_ids: &[String],
) -> Result<RevisionGraph, Vec<GraphProblem>> {
    build::build(files, unparsed_ids)
}

pub use walk::{Edges, Overlap};
