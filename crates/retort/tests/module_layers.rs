//! The library's modules depend on each other one way only. The workspace cuts it into three
//! crates, lowest first: `retort-core` (the pure pipeline), `retort-schema` (the schema model,
//! rendering, the diff; pure) and `retort` (what talks to PostgreSQL, and the façade that
//! re-exports the other two). Cargo enforces the order between crates (a crate can name only
//! its dependencies, and the pure crates depend on no PostgreSQL client: checked below); inside
//! each crate a module may name (`crate::other::...`) only modules of a lower layer of its
//! `LAYERS` table, or any module of a lower crate. This reads every source file, collects the
//! `crate::<module>` paths of its non-test code (a `#[cfg(test)]` item or file may use any
//! module: tests of the header cache compare `heads` output, for instance), and fails on any
//! path that points up or sideways, naming the file and line; it also checks that the module
//! graph so collected has no cycle. ARCHITECTURE.md ("Crates and layers") explains the order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A crate of the library: its folder under `crates/` and its modules' layers, lowest first. A
/// module may use the modules of the layers before its own.
struct Crate {
    dir: &'static str,
    layers: &'static [&'static [&'static str]],
}

/// Lowest crate first; each may use every module of the crates before it.
const CRATES: &[Crate] = &[
    Crate {
        dir: "retort-core",
        layers: &[
            // Helpers that know no stage.
            &["util", "suggest", "sql", "svg"],
            // The pure pipeline, in its order.
            &["config"],
            &["script"],
            &["graph"],
            &["resolve"],
            &["plan"],
            &["inspect", "project", "lanes"],
            &["author"],
            // Migration-safety rules over revision SQL (pure; table sizes are passed in).
            &["lint"],
        ],
    },
    Crate {
        dir: "retort-schema",
        layers: &[
            // The schema model and what writes and compares it.
            &["schema"],
            &["render", "erd"],
            &["diff"],
            // The documentation site: the schema pictures and the history.
            &["doc"],
        ],
    },
    Crate {
        dir: "retort",
        layers: &[
            // Reads a schema (columns in `render`'s table order, for inheritance).
            &["introspect"],
            // What talks to PostgreSQL or runs programs.
            &["db"],
            &["runner", "devdb"],
            &["local"],
            &["autogen"],
            &["trace"],
            &["testkit"],
            // The error → exit code mapping names every stage's error.
            &["exit"],
        ],
    },
];

fn layer_of(layers: &[&[&str]], module: &str) -> Option<usize> {
    layers.iter().position(|l| l.contains(&module))
}

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of `text` outside `#[cfg(test)]` items (rustfmt's layout: an item that opens a
/// block ends at the `}` of its own indentation) and outside comments, numbered from 1.
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed != "#[cfg(test)]" {
            out.push((i + 1, line));
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        let Some((_, item)) = lines.next() else { break };
        if item.trim_end().ends_with('{') {
            let end = format!("{indent}}}");
            for (_, l) in lines.by_ref() {
                if l.trim_end() == end {
                    break;
                }
            }
        }
    }
    out
}

/// `crate::name` paths in a line: the names of the modules it uses.
fn crate_paths(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .filter(|(at, _)| {
            // Not `retort_crate::`, `$crate::` and the like.
            !line[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        })
        .map(|(at, m)| {
            let rest = &line[at + m.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// Files that are `#[cfg(test)] mod name;` of their parent: test code, like a `#[cfg(test)]` item.
fn test_files(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("read");
        // The folder of this module's children: `a/mod.rs` → `a/`, `a/b.rs` → `a/b/`.
        let dir = match file.file_stem().and_then(|s| s.to_str()) {
            Some("mod" | "lib") => file.parent().expect("parent").to_path_buf(),
            _ => file.with_extension(""),
        };
        let mut lines = text.lines().map(str::trim);
        while let Some(line) = lines.next() {
            if line != "#[cfg(test)]" {
                continue;
            }
            let Some(name) = lines
                .next()
                .and_then(|l| l.strip_prefix("mod "))
                .and_then(|l| l.strip_suffix(';'))
            else {
                continue;
            };
            out.insert(dir.join(format!("{name}.rs")));
            out.insert(dir.join(name).join("mod.rs"));
        }
    }
    out
}

#[test]
fn modules_depend_only_on_lower_layers() {
    let mut lower: BTreeSet<&str> = BTreeSet::new();
    for krate in CRATES {
        check_crate(krate, &lower);
        lower.extend(krate.layers.iter().flat_map(|l| l.iter().copied()));
    }
}

/// One crate's modules against its `layers`; `lower` holds the modules of the crates below it
/// (its own `crate::sql` may name one of them, imported or re-exported at its root).
fn check_crate(krate: &Crate, lower: &BTreeSet<&str>) {
    let src = crates_dir().join(krate.dir).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let tests = test_files(&files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    let mut unknown = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || tests.contains(file) {
            continue;
        }
        let Some(own) = layer_of(krate.layers, &module) else {
            unknown.insert(module);
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read");
        for (n, line) in non_test_lines(&text) {
            for used in crate_paths(line) {
                if used == module || lower.contains(used) {
                    continue; // itself, or a module of a lower crate (Cargo keeps that order)
                }
                if !src.join(used).exists() && !src.join(format!("{used}.rs")).exists() {
                    continue; // an item of lib.rs (a re-exported macro or crate)
                }
                graph
                    .entry(module.clone())
                    .or_default()
                    .insert(used.to_string());
                match layer_of(krate.layers, used) {
                    Some(l) if l < own => {}
                    Some(_) => wrong.push(format!(
                        "{}/src/{}:{n}: `{module}` uses `{used}`, which is not in a lower layer",
                        krate.dir,
                        rel.display()
                    )),
                    None => {
                        unknown.insert(used.to_string());
                    }
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules of {} missing from CRATES in tests/module_layers.rs (and ARCHITECTURE.md): {unknown:?}",
        krate.dir
    );
    assert!(
        wrong.is_empty(),
        "dependencies that point up:\n{}",
        wrong.join("\n")
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "module import cycle in {}: {}",
            krate.dir,
            cycle.join(" -> ")
        );
    }
}

/// The pure crates' `[dependencies]` name no PostgreSQL client, no async runtime and not the
/// crate above them, so no module of theirs can open a connection.
#[test]
fn pure_crates_cannot_reach_a_database() {
    for dir in ["retort-core", "retort-schema"] {
        let toml =
            std::fs::read_to_string(crates_dir().join(dir).join("Cargo.toml")).expect("Cargo.toml");
        let mut section = "";
        let mut seen = 0;
        for line in toml.lines() {
            if line.starts_with('[') {
                section = line;
                continue;
            }
            if section != "[dependencies]" {
                continue;
            }
            // `name = ...`, `name.workspace = true`, `name = { ... }`
            let name = line.split(['=', '.']).next().unwrap_or("").trim();
            let reaches_a_database = name.starts_with("tokio")
                || name.contains("postgres")
                || name.starts_with("rustls")
                || name == "retort";
            assert!(!reaches_a_database, "{dir}/Cargo.toml depends on {name}");
            seen += usize::from(!name.is_empty() && !name.starts_with('#'));
        }
        assert!(seen > 3, "{dir}/Cargo.toml: no [dependencies] read");
    }
}

/// A cycle of the graph, if any (depth-first search with colours).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, bool>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(true) => return None,
            Some(false) => {
                let from = path.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = path[from..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        state.insert(node.to_string(), false);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(node.to_string(), true);
        None
    }
    let mut state = BTreeMap::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut state, &mut Vec::new()))
}

#[test]
fn the_checker_sees_what_it_should() {
    let text = "use crate::config::Config;\n// crate::runner in a comment\nfn f() { crate::sql::x(); $crate::no(); }\n#[cfg(test)]\nmod tests {\n    use crate::graph;\n}\n#[cfg(test)]\nuse crate::inspect;\nlet a = crate::plan::Plan;\n";
    let seen: Vec<(usize, Vec<&str>)> = non_test_lines(text)
        .into_iter()
        .map(|(n, l)| (n, crate_paths(l)))
        .filter(|(_, p)| !p.is_empty())
        .collect();
    assert_eq!(
        seen,
        vec![(1, vec!["config"]), (3, vec!["sql"]), (10, vec!["plan"])]
    );
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(
        find_cycle(&g),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
    g.remove("b");
    assert_eq!(find_cycle(&g), None);
}
