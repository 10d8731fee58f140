//! Building and validating a [`RevisionGraph`] from parsed files.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use super::{RevIdx, Revision, RevisionGraph};
use crate::script::RevisionFile;
use crate::util::display_path;

/// A problem in the graph, pointing at the file and header line responsible.
pub type GraphProblem = crate::script::ScriptProblem;

fn problem_at(
    file: &RevisionFile,
    line: Option<usize>,
    needle: Option<&str>,
    message: String,
    help: Option<String>,
) -> GraphProblem {
    GraphProblem::at_line(
        &file.path,
        line.unwrap_or(file.header_lines.revision),
        needle,
        message,
        help,
    )
}

/// Build the graph of `files` (in file-name order), or every problem found: ids defined twice,
/// branch labels reused, parents and dependencies that name no revision (but for those of
/// `unparsed_ids`, files already reported), cycles.
pub(super) fn build(
    files: Vec<RevisionFile>,
    unparsed_ids: &[String],
) -> Result<RevisionGraph, Vec<GraphProblem>> {
    let mut problems = Vec::new();
    let (files, by_id) = index_ids(files, &mut problems);
    let by_label = index_labels(&files, &by_id, &mut problems);
    // Made only if a dependency is not an exact id or label.
    let sorted_keys = std::sync::OnceLock::new();
    let keys = Keys {
        files: &files,
        by_id: &by_id,
        by_label: &by_label,
        sorted_keys: &sorted_keys,
        unparsed_ids,
    };
    let (down, deps) = keys.resolve_edges(&mut problems);
    // Cycles, through parents and dependencies (Kahn's algorithm; what remains holds a cycle).
    if let Some(cycle) = find_cycle(files.len(), &down, &deps) {
        problems.push(cycle_problem(&files, &cycle));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let revs = link(files, down, deps);
    let n = revs.len();
    let heads = (0..n).filter(|i| revs[*i].next.is_empty()).collect();
    let real_heads = (0..n).filter(|i| revs[*i].all_next.is_empty()).collect();
    let bases = (0..n).filter(|i| revs[*i].down.is_empty()).collect();

    let mut graph = RevisionGraph {
        revs,
        by_id,
        by_label,
        sorted_keys,
        heads,
        real_heads,
        bases,
    };
    normalize_depends_on(&mut graph);
    add_branches(&mut graph);
    Ok(graph)
}

/// The files by id. A duplicate id is a problem (both files named; Alembic only warns and
/// keeps the last), and its second file is left out.
fn index_ids(
    files: Vec<RevisionFile>,
    problems: &mut Vec<GraphProblem>,
) -> (Vec<RevisionFile>, HashMap<String, RevIdx>) {
    let mut by_id: HashMap<String, RevIdx> = HashMap::with_capacity(files.len());
    let mut duplicates = Vec::new();
    for (idx, file) in files.iter().enumerate() {
        match by_id.entry(file.id.clone()) {
            Entry::Occupied(first) => duplicates.push((idx, *first.get())),
            Entry::Vacant(slot) => {
                slot.insert(idx);
            }
        }
    }
    // Without duplicates (the usual case) the files stay where they are: no move of 10,000 of them.
    let files = if duplicates.is_empty() {
        files
    } else {
        for (idx, first) in &duplicates {
            let (file, other) = (&files[*idx], display_path(&files[*first].path));
            problems.push(problem_at(
                file,
                Some(file.header_lines.revision),
                Some(&file.id),
                format!("revision {} is defined twice: here and in {other}", file.id),
                Some(
                    "give one of the two files a new id (`retort revision` makes random ones)"
                        .into(),
                ),
            ));
        }
        let mut skip = duplicates.iter().map(|(idx, _)| *idx).peekable();
        let kept: Vec<RevisionFile> = files
            .into_iter()
            .enumerate()
            .filter(|(idx, _)| skip.next_if_eq(idx).is_none())
            .map(|(_, f)| f)
            .collect();
        by_id = kept
            .iter()
            .enumerate()
            .map(|(idx, f)| (f.id.clone(), idx))
            .collect();
        kept
    };
    (files, by_id)
}

/// The files by branch label: unique, and not the id of another revision.
fn index_labels(
    files: &[RevisionFile],
    by_id: &HashMap<String, RevIdx>,
    problems: &mut Vec<GraphProblem>,
) -> HashMap<String, RevIdx> {
    let mut by_label: HashMap<String, RevIdx> = HashMap::new();
    for (idx, file) in files.iter().enumerate() {
        for label in &file.branch_labels {
            let clash = by_label
                .get(label)
                .copied()
                .or_else(|| by_id.get(label).copied().filter(|i| *i != idx));
            if let Some(other) = clash {
                problems.push(problem_at(
                    file,
                    file.header_lines.branch_labels,
                    Some(label),
                    format!(
                        "Branch name '{label}' in revision {} already used by revision {}",
                        file.id, files[other].id
                    ),
                    Some("branch labels must be unique and differ from every revision id".into()),
                ));
            } else {
                by_label.insert(label.clone(), idx);
            }
        }
    }
    by_label
}

/// What parents and dependencies are resolved against.
struct Keys<'a> {
    files: &'a [RevisionFile],
    by_id: &'a HashMap<String, RevIdx>,
    by_label: &'a HashMap<String, RevIdx>,
    sorted_keys: &'a std::sync::OnceLock<Vec<(String, RevIdx)>>,
    /// Ids of files that did not parse (already reported): not missing.
    unparsed_ids: &'a [String],
}

/// Parents or dependencies of each revision, by index.
type Edges = Vec<Vec<RevIdx>>;

impl Keys<'_> {
    /// Parents (`down`) and dependencies (`deps`) of each file.
    fn resolve_edges(&self, problems: &mut Vec<GraphProblem>) -> (Edges, Edges) {
        let n = self.files.len();
        let mut down: Edges = vec![Vec::new(); n];
        let mut deps: Edges = vec![Vec::new(); n];
        for (idx, file) in self.files.iter().enumerate() {
            self.parents(file, &mut down[idx], problems);
            self.dependencies(idx, file, &mut deps[idx], problems);
        }
        (down, deps)
    }

    /// `down_revision`: each an exact id, listed once.
    fn parents(
        &self,
        file: &RevisionFile,
        down: &mut Vec<RevIdx>,
        problems: &mut Vec<GraphProblem>,
    ) {
        for parent in &file.down_revisions {
            match self.by_id.get(parent) {
                Some(&p) if !down.contains(&p) => down.push(p),
                Some(_) => problems.push(problem_at(
                    file,
                    file.header_lines.down_revision,
                    Some(parent),
                    format!("revision {} lists {parent} twice in down_revision", file.id),
                    None,
                )),
                None if self.unparsed_ids.contains(parent) => {}
                None => problems.push(self.missing(
                    file,
                    "down_revision",
                    parent,
                    file.header_lines.down_revision,
                )),
            }
        }
    }

    /// `depends_on`: an id, a label or an unambiguous prefix; not the revision itself.
    fn dependencies(
        &self,
        idx: RevIdx,
        file: &RevisionFile,
        deps: &mut Vec<RevIdx>,
        problems: &mut Vec<GraphProblem>,
    ) {
        for dep in &file.depends_on {
            let resolved = match self.by_id.get(dep).or_else(|| self.by_label.get(dep)) {
                Some(d) => Some(*d),
                None => match prefix_matches(
                    self.sorted_keys
                        .get_or_init(|| sorted_keys(self.by_id, self.by_label)),
                    dep,
                ) {
                    found if found.len() > 1 => {
                        let ids: Vec<&str> =
                            found.iter().map(|i| self.files[*i].id.as_str()).collect();
                        problems.push(problem_at(
                            file,
                            file.header_lines.depends_on,
                            Some(dep),
                            format!("revision {} has depends_on {dep}, which is ambiguous: it starts {}", file.id, ids.join(" and ")),
                            Some("write more of the id".into()),
                        ));
                        continue;
                    }
                    found => found.first().copied(),
                },
            };
            match resolved {
                Some(d) if d == idx => problems.push(problem_at(
                    file,
                    file.header_lines.depends_on,
                    Some(dep),
                    format!(
                        "Dependency self-loop is detected in revisions ({})",
                        file.id
                    ),
                    Some("a revision cannot depend on itself".into()),
                )),
                Some(d) => {
                    if !deps.contains(&d) {
                        deps.push(d);
                    }
                }
                None if self.unparsed_ids.contains(dep) => {}
                None => problems.push(self.missing(
                    file,
                    "depends_on",
                    dep,
                    file.header_lines.depends_on,
                )),
            }
        }
    }

    /// A parent or dependency that names no revision, with the closest id as a suggestion.
    fn missing(
        &self,
        file: &RevisionFile,
        what: &str,
        id: &str,
        line: Option<usize>,
    ) -> GraphProblem {
        let all_ids = self.files.iter().map(|f| f.id.as_str());
        let suggestion = crate::suggest::closest(id, all_ids);
        let help = match suggestion {
            Some(s) => format!("did you mean {s}?"),
            None => "check the id, or restore the missing revision file".into(),
        };
        problem_at(
            file,
            line,
            Some(id),
            format!(
                "revision {} has {what} {id}, which is not a revision in the script directory",
                file.id
            ),
            Some(help),
        )
    }
}

/// A cycle through parents and dependencies, reported at its first revision.
fn cycle_problem(files: &[RevisionFile], cycle: &[RevIdx]) -> GraphProblem {
    let ids: Vec<&str> = cycle.iter().map(|i| files[*i].id.as_str()).collect();
    let first = &files[cycle[0]];
    problem_at(
        first,
        first
            .header_lines
            .down_revision
            .or(first.header_lines.depends_on),
        None,
        format!(
            "Cycle is detected in revisions: {} -> {}",
            ids.join(" -> "),
            ids[0]
        ),
        Some("a revision's down_revision and depends_on must name older revisions".into()),
    )
}

/// The revisions with their edges both ways: children (`next`, along parents) and dependents
/// (`all_next`, along parents and dependencies).
fn link(files: Vec<RevisionFile>, down: Edges, deps: Edges) -> Vec<Revision> {
    let n = files.len();
    let mut revs: Vec<Revision> = files
        .into_iter()
        .zip(down.into_iter().zip(deps))
        .map(|(file, (down, deps))| Revision {
            file,
            down,
            deps,
            norm_deps: Vec::new(),
            next: Vec::new(),
            all_next: Vec::new(),
            branch_labels: BTreeSet::new(),
        })
        .collect();

    for idx in 0..n {
        for k in 0..revs[idx].down.len() + revs[idx].deps.len() {
            let (down, deps) = (&revs[idx].down, &revs[idx].deps);
            let d = if k < down.len() {
                down[k]
            } else {
                deps[k - down.len()]
            };
            if k < down.len() {
                revs[d].next.push(idx);
            }
            if !revs[d].all_next.contains(&idx) {
                revs[d].all_next.push(idx);
            }
        }
    }
    revs
}

/// Every id and label with its revision, sorted, for prefix lookups.
pub(super) fn sorted_keys(
    by_id: &HashMap<String, RevIdx>,
    by_label: &HashMap<String, RevIdx>,
) -> Vec<(String, RevIdx)> {
    let mut keys: Vec<(String, RevIdx)> = by_id
        .iter()
        .chain(by_label)
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    keys.sort();
    keys
}

/// Revisions whose id or label starts with `prefix` (at least 4 characters, as in Alembic).
fn prefix_matches(sorted_keys: &[(String, RevIdx)], prefix: &str) -> Vec<RevIdx> {
    if prefix.len() < 4 {
        return Vec::new();
    }
    let start = sorted_keys.partition_point(|(k, _)| k.as_str() < prefix);
    let found: BTreeSet<RevIdx> = sorted_keys[start..]
        .iter()
        .take_while(|(k, _)| k.starts_with(prefix))
        .map(|(_, i)| *i)
        .collect();
    found.into_iter().collect()
}

/// A cycle as a list of revisions, each a parent or dependency of the previous, if there is one.
fn find_cycle(n: usize, down: &[Vec<RevIdx>], deps: &[Vec<RevIdx>]) -> Option<Vec<RevIdx>> {
    // Kahn on edges child -> parent: count children per node... simpler: indegree = number of
    // parents+deps; peel nodes whose parents are all peeled.
    let mut children: Vec<Vec<RevIdx>> = vec![Vec::new(); n];
    let mut pending: Vec<usize> = vec![0; n];
    for i in 0..n {
        for p in down[i].iter().chain(deps[i].iter()) {
            children[*p].push(i);
            pending[i] += 1;
        }
    }
    let mut ready: Vec<RevIdx> = (0..n).filter(|i| pending[*i] == 0).collect();
    let mut done = 0;
    while let Some(i) = ready.pop() {
        done += 1;
        for c in &children[i] {
            pending[*c] -= 1;
            if pending[*c] == 0 {
                ready.push(*c);
            }
        }
    }
    if done == n {
        return None;
    }
    // Walk parents among the remaining nodes until one repeats: that loop is a cycle.
    let start = (0..n).find(|i| pending[*i] > 0)?;
    let mut order = vec![start];
    let mut pos: HashMap<RevIdx, usize> = HashMap::from([(start, 0)]);
    let mut cur = start;
    loop {
        let next = down[cur]
            .iter()
            .chain(deps[cur].iter())
            .copied()
            .find(|p| pending[*p] > 0)?;
        if let Some(&at) = pos.get(&next) {
            let mut cycle = order[at..].to_vec();
            // Present the cycle from parent to child, starting at its first file.
            cycle.reverse();
            let min_pos = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, r)| **r)
                .map_or(0, |(p, _)| p);
            cycle.rotate_left(min_pos);
            return Some(cycle);
        }
        pos.insert(next, order.len());
        order.push(next);
        cur = next;
    }
}

/// Alembic's `_normalize_depends_on`: drop dependencies that an ancestor (through parents)
/// already depends on.
fn normalize_depends_on(graph: &mut RevisionGraph) {
    for idx in 0..graph.revs.len() {
        if graph.revs[idx].deps.is_empty() {
            continue;
        }
        let mut normalized: Vec<RevIdx> = graph.revs[idx].deps.clone();
        for anc in graph.ancestors(&[idx], false) {
            if anc != idx {
                let anc_deps = &graph.revs[anc].deps;
                normalized.retain(|d| !anc_deps.contains(d));
            }
        }
        graph.revs[idx].norm_deps = normalized;
    }
}

/// Alembic's `_add_branches`: a label applies to every descendant of the labelled revision, and
/// to the revisions below the branch's tip down to the nearest branch or merge point.
fn add_branches(graph: &mut RevisionGraph) {
    let mut labelled: Vec<(RevIdx, Vec<String>)> = graph
        .revs
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.file.branch_labels.is_empty())
        .map(|(i, r)| (i, r.file.branch_labels.clone()))
        .collect();
    labelled.sort();
    for (idx, labels) in labelled {
        let descendants = graph.descendants_dfs(idx);
        for node in &descendants {
            graph.revs[*node]
                .branch_labels
                .extend(labels.iter().cloned());
        }
        let mut parent = *descendants.last().unwrap_or(&idx);
        loop {
            let rev = &graph.revs[parent];
            if rev.all_next.len() > 1 || rev.is_merge_point() {
                break;
            }
            graph.revs[parent]
                .branch_labels
                .extend(labels.iter().cloned());
            match graph.revs[parent].down.first() {
                Some(d) => parent = *d,
                None => break,
            }
        }
    }
}
