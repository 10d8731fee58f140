//! The script directory: finding revision files, parsing them, writing new ones.
//!
//! Invariant: reading a script directory reports every problem in every file (not the first), and
//! never touches a database.

mod cache;
mod file;
mod write;

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};

use cache::Stat;
pub use cache::{HeaderCache, CACHE_RELATIVE_PATH};
pub use file::{
    check_label, check_revision_id, checksum, parse_revision_file, parse_revision_file_unhashed,
    parse_revision_file_with, render_from_template, render_revision_file, HeaderLines,
    RevisionFile, DOWN_MARKER, HEADER_KEYS, MAX_REVISION_ID_LEN, TEMPLATE_VARIABLES, UP_MARKER,
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

/// Kept here too, where callers found it first.
pub use crate::util::display_path;

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
        let (listed, _) = list(dirs, false)?;
        let paths: Vec<&Path> = listed.iter().map(|l| l.path.as_path()).collect();
        collect(
            read_parallel(&paths, mode, false)?
                .into_iter()
                .map(|(p, _)| p),
        )
    }

    /// Read the headers of the files, as [`ReadMode::Headers`], through a [`HeaderCache`]:
    /// unchanged files are not opened. The result is the same as without the cache.
    pub fn read_headers_cached(
        dirs: &[PathBuf],
        cache: &HeaderCache,
    ) -> Result<LoadedFiles, ScriptError> {
        cache::read_headers(dirs, cache)
    }
}

/// One `*.sql` file of a version location.
pub(crate) struct Listed {
    /// Index of its folder in the version locations.
    dir: usize,
    path: PathBuf,
    /// What identifies this version of the file (once [`stat_listed`], if it could be stat'ed).
    stat: Option<Stat>,
}

/// A directory entry kept for [`stat_listed`], and whether it is a symlink.
type Entry = (std::fs::DirEntry, bool);

/// The `*.sql` files of each folder, in folder order then file-name order; with `keep_entries`,
/// their directory entries too, for [`stat_listed`].
fn list(dirs: &[PathBuf], keep_entries: bool) -> Result<(Vec<Listed>, Vec<Entry>), ScriptError> {
    let mut listed = Vec::new();
    let mut entries = Vec::new();
    for (d, dir) in dirs.iter().enumerate() {
        let read_dir = match std::fs::read_dir(dir) {
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
        for entry in read_dir {
            let entry = entry.map_err(|source| ScriptError::Io {
                path: display_path(dir),
                error: source,
            })?;
            let name = entry.file_name();
            if !name.as_encoded_bytes().ends_with(b".sql") {
                continue;
            }
            // The directory entry knows its type; only symlinks need a stat.
            let (is_file, symlink) = match entry.file_type() {
                Ok(t) if t.is_symlink() => (entry.path().is_file(), true),
                Ok(t) => (t.is_file(), false),
                Err(_) => (false, false),
            };
            if is_file {
                names.push((name, entry, symlink));
            }
        }
        // Sort names, not whole paths: component-wise path comparison is slow on 10,000 files.
        names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (name, entry, symlink) in names {
            listed.push(Listed {
                dir: d,
                path: dir.join(name),
                stat: None,
            });
            if keep_entries {
                entries.push((entry, symlink));
            }
        }
    }
    Ok((listed, entries))
}

/// Stat every listed file (following symlinks), relative to its open directory, on two threads.
fn stat_listed(listed: &mut [Listed], entries: &[Entry]) {
    let stat_one = |(entry, symlink): &Entry, l: &mut Listed| {
        let meta = if *symlink {
            std::fs::metadata(&l.path)
        } else {
            entry.metadata()
        };
        l.stat = meta.ok().map(|m| Stat::of(&m));
    };
    let half = if listed.len() >= 1024 {
        listed.len() / 2
    } else {
        0
    };
    let (first, second) = listed.split_at_mut(half);
    let (e1, e2) = entries.split_at(half);
    std::thread::scope(|scope| {
        if !first.is_empty() {
            scope.spawn(|| e1.iter().zip(first).for_each(|(e, l)| stat_one(e, l)));
        }
        e2.iter().zip(second).for_each(|(e, l)| stat_one(e, l));
    });
}

/// Read and parse files in parallel, one contiguous chunk per core, results kept in order; with
/// `stat`, each with the [`Stat`] of the opened file, taken before it is read.
fn read_parallel(
    paths: &[&Path],
    mode: ReadMode,
    stat: bool,
) -> Result<Vec<(Parsed, Option<Stat>)>, ScriptError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = paths.len().div_ceil(threads.max(1)).max(256);
    if paths.len() <= chunk {
        return read_chunk(paths, mode, stat);
    }
    let results: Vec<Result<Vec<_>, ScriptError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|c| scope.spawn(move || read_chunk(c, mode, stat)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Ok(Vec::new())))
            .collect()
    });
    let mut out = Vec::with_capacity(paths.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

/// Sort parse results into files and problems.
fn collect(parsed: impl IntoIterator<Item = Parsed>) -> Result<LoadedFiles, ScriptError> {
    let parsed = parsed.into_iter();
    let mut files = Vec::with_capacity(parsed.size_hint().0);
    let mut problems = Vec::new();
    let mut unparsed_ids = Vec::new();
    for p in parsed {
        match p {
            Ok(f) => files.push(f),
            Err((p, id)) => {
                unparsed_ids.extend(id);
                problems.extend(p);
            }
        }
    }
    Ok(LoadedFiles {
        files,
        problems,
        unparsed_ids,
    })
}

type Parsed = Result<RevisionFile, (Vec<ScriptProblem>, Option<String>)>;

fn read_chunk(
    paths: &[&Path],
    mode: ReadMode,
    stat: bool,
) -> Result<Vec<(Parsed, Option<Stat>)>, ScriptError> {
    let mut out = Vec::with_capacity(paths.len());
    let mut buf = vec![0u8; HEADER_READ];
    for path in paths {
        let io = |source| ScriptError::Io {
            path: display_path(path),
            error: source,
        };
        let mut file_stat = None;
        let parsed = match mode {
            ReadMode::Full => {
                let bytes = std::fs::read(path).map_err(io)?;
                parse_revision_file(path, &bytes).map_err(|p| (p, sniff_revision_id(&bytes)))
            }
            ReadMode::Headers => {
                let (n, s) = read_prefix(path, &mut buf, stat).map_err(io)?;
                file_stat = s;
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
        out.push((parsed, file_stat));
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

/// Read up to `buf.len()` bytes from the start of a file; with `stat`, its [`Stat`] first (of
/// the open file: no second path lookup).
fn read_prefix(path: &Path, buf: &mut [u8], stat: bool) -> std::io::Result<(usize, Option<Stat>)> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let stat = if stat {
        f.metadata().ok().map(|m| Stat::of(&m))
    } else {
        None
    };
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
    Ok((n, stat))
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
