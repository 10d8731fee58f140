//! The script directory: finding revision files, parsing them, writing new ones.
//!
//! Invariant: reading a script directory reports every problem in every file (not the first), and
//! never touches a database.

mod file;
mod write;

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};

pub use file::{
    check_label, check_revision_id, checksum, parse_revision_file, parse_revision_file_unhashed,
    parse_revision_file_with, render_revision_file, HeaderLines, RevisionFile, DOWN_MARKER,
    HEADER_KEYS, MAX_REVISION_ID_LEN, UP_MARKER,
};
pub use write::{new_revision_id, slugify, NewRevision, WrittenRevision};

/// One thing wrong with the script directory, pointing at a file and line where it can.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{location}: {message}")]
pub struct ScriptProblem {
    /// `path:line:column`, or `path` when no line applies.
    pub location: String,
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    #[help]
    pub help: Option<String>,
    #[source_code]
    src: NamedSource<String>,
    #[label]
    span: Option<SourceSpan>,
}

impl ScriptProblem {
    /// A problem at a byte range of a file whose text is `text`.
    pub fn at(
        path: &Path,
        text: &str,
        start: usize,
        end: usize,
        message: String,
        help: Option<String>,
    ) -> Self {
        let start = start.min(text.len());
        let end = end.clamp(start, text.len());
        let line = text[..start].matches('\n').count() + 1;
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..start].chars().count() + 1;
        let shown = display_path(path);
        Self {
            location: format!("{shown}:{line}:{column}"),
            path: path.to_path_buf(),
            line: Some(line),
            column: Some(column),
            message,
            help,
            src: NamedSource::new(shown, text.to_string()),
            span: Some(SourceSpan::from(start..end)),
        }
    }

    /// A problem with a file (and maybe a line) but no source snippet.
    pub fn plain(path: &Path, line: Option<usize>, message: String, help: Option<String>) -> Self {
        let shown = display_path(path);
        Self {
            location: match line {
                Some(l) => format!("{shown}:{l}"),
                None => shown.clone(),
            },
            path: path.to_path_buf(),
            line,
            column: None,
            message,
            help,
            src: NamedSource::new(shown, String::new()),
            span: None,
        }
    }

    /// A problem at a whole line of a file on disk (re-read to show the line with a caret).
    pub fn at_line(
        path: &Path,
        line: usize,
        needle: Option<&str>,
        message: String,
        help: Option<String>,
    ) -> Self {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Self::plain(path, Some(line), message, help);
        };
        let mut offset = 0;
        for (i, l) in text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let content = l.trim_end_matches(['\n', '\r']);
                let (s, e) = match needle.and_then(|n| content.rfind(n).map(|p| (p, p + n.len()))) {
                    Some((s, e)) => (offset + s, offset + e),
                    None => (offset, offset + content.len()),
                };
                return Self::at(path, &text, s, e, message, help);
            }
            offset += l.len();
        }
        Self::plain(path, Some(line), message, help)
    }
}

/// Paths in messages are shown relative to the working directory when they are under it.
pub fn display_path(path: &Path) -> String {
    if let Ok(rel) = path.strip_prefix(".") {
        return rel.display().to_string();
    }
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(rel) = path.strip_prefix(&cwd) {
            return rel.display().to_string();
        }
    }
    path.display().to_string()
}

/// Errors reading the script directory.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[non_exhaustive]
pub enum ScriptError {
    #[error("script directory {path} does not exist")]
    #[diagnostic(help(
        "create it with `retort init`, or fix script_location / version_locations in retort.toml"
    ))]
    MissingDirectory { path: String },

    /// The I/O error is in the message, not a `#[source]`, so a report does not print it twice.
    #[error("cannot read {path}: {error}")]
    Io { path: String, error: std::io::Error },

    #[error("{} problem{} in the script directory", problems.len(), if problems.len() == 1 { "" } else { "s" })]
    Problems {
        #[related]
        problems: Vec<ScriptProblem>,
    },

    #[error("{message}")]
    Write {
        message: String,
        #[help]
        help: Option<String>,
    },
}

/// Every revision file found in the version locations, parsed, in a stable order.
#[derive(Debug, Clone)]
pub struct ScriptDirectory {
    pub files: Vec<RevisionFile>,
}

/// The files that parsed, and the problems of those that didn't (with their ids where readable).
pub struct LoadedFiles {
    pub files: Vec<RevisionFile>,
    pub problems: Vec<ScriptProblem>,
    /// Ids of files that failed to parse, so that the graph does not also call them missing.
    pub unparsed_ids: Vec<String>,
}

impl ScriptDirectory {
    /// Read every `*.sql` file of each directory (not recursive), sorted by file name.
    pub fn read(dirs: &[PathBuf]) -> Result<LoadedFiles, ScriptError> {
        Self::read_with(dirs, ReadMode::Full)
    }

    /// Read the files, all of them or only their headers.
    pub fn read_with(dirs: &[PathBuf], mode: ReadMode) -> Result<LoadedFiles, ScriptError> {
        let mut paths = Vec::new();
        for dir in dirs {
            let entries = match std::fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(ScriptError::MissingDirectory {
                        path: display_path(dir),
                    })
                }
                Err(source) => {
                    return Err(ScriptError::Io {
                        path: display_path(dir),
                        error: source,
                    })
                }
            };
            let mut names = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|source| ScriptError::Io {
                    path: display_path(dir),
                    error: source,
                })?;
                let name = entry.file_name();
                if !name.as_encoded_bytes().ends_with(b".sql") {
                    continue;
                }
                // The directory entry knows its type; only symlinks need a stat.
                let is_file = match entry.file_type() {
                    Ok(t) if t.is_symlink() => entry.path().is_file(),
                    Ok(t) => t.is_file(),
                    Err(_) => false,
                };
                if is_file {
                    names.push(name);
                }
            }
            // Sort names, not whole paths: component-wise path comparison is slow on 10,000 files.
            names.sort_unstable();
            paths.extend(names.into_iter().map(|n| dir.join(n)));
        }
        // Read and parse in parallel, one contiguous chunk per core, results kept in order.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let chunk = paths.len().div_ceil(threads.max(1)).max(256);
        let results: Vec<Result<Vec<Parsed>, ScriptError>> = if paths.len() <= chunk {
            vec![read_chunk(&paths, mode)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = paths
                    .chunks(chunk)
                    .map(|c| scope.spawn(move || read_chunk(c, mode)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Ok(Vec::new())))
                    .collect()
            })
        };
        let mut files = Vec::with_capacity(paths.len());
        let mut problems = Vec::new();
        let mut unparsed_ids = Vec::new();
        for r in results {
            for parsed in r? {
                match parsed {
                    Ok(f) => files.push(f),
                    Err((p, id)) => {
                        unparsed_ids.extend(id);
                        problems.extend(p);
                    }
                }
            }
        }
        Ok(LoadedFiles {
            files,
            problems,
            unparsed_ids,
        })
    }
}

type Parsed = Result<RevisionFile, (Vec<ScriptProblem>, Option<String>)>;

fn read_chunk(paths: &[PathBuf], mode: ReadMode) -> Result<Vec<Parsed>, ScriptError> {
    let mut out = Vec::with_capacity(paths.len());
    let mut buf = vec![0u8; HEADER_READ];
    for path in paths {
        let io = |source| ScriptError::Io {
            path: display_path(path),
            error: source,
        };
        let parsed = match mode {
            ReadMode::Full => {
                let bytes = std::fs::read(path).map_err(io)?;
                parse_revision_file(path, &bytes).map_err(|p| (p, sniff_revision_id(&bytes)))
            }
            ReadMode::Headers => {
                let n = read_prefix(path, &mut buf).map_err(io)?;
                if n < buf.len() {
                    // The whole file is here: check all of it, without hashing.
                    parse_revision_file_unhashed(path, &buf[..n])
                        .map_err(|p| (p, sniff_revision_id(&buf[..n])))
                } else {
                    // A long file: the header is enough, unless it is broken, then read it all
                    // to report everything that is wrong.
                    match parse_revision_file_with(path, &buf[..n], true) {
                        Ok(f) => Ok(f),
                        Err(_) => {
                            let bytes = std::fs::read(path).map_err(io)?;
                            parse_revision_file(path, &bytes)
                                .map_err(|p| (p, sniff_revision_id(&bytes)))
                        }
                    }
                }
            }
        };
        out.push(parsed);
    }
    Ok(out)
}

/// How much of each file [`ReadMode::Headers`] reads first (one read call for most files).
const HEADER_READ: usize = 8 * 1024;

/// How much of each revision file to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// Header and SQL, with checksums: for anything that runs or compares revisions.
    Full,
    /// Only the header (up to `-- retort:up`): enough for the graph (`heads`, `history`...).
    Headers,
}

/// Read up to `buf.len()` bytes from the start of a file.
fn read_prefix(path: &Path, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => {
                n += k;
                // A short read of a regular file means its end: save a read call.
                if n < buf.len() {
                    break;
                }
            }
        }
    }
    Ok(n)
}

/// The `revision:` value of a file that did not parse, if it can be seen.
fn sniff_revision_id(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .take(20)
        .filter_map(|l| l.trim_start_matches('\u{feff}').strip_prefix("--"))
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim() == "revision")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}
