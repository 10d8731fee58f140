//! The header cache: the parsed headers of a script directory's files, kept in
//! `.retort/cache/headers` beside `retort.toml`, so that graph-only commands (`heads`, `history`,
//! `branches`, `graph`) list and stat the files instead of opening each of them.
//!
//! Invariant: the cache never changes an answer. An entry is used only when the file's name,
//! size, device, inode, mtime and ctime (to the nanosecond) all equal what they were when it was
//! parsed, and the file had not changed for [`RACY_SLACK_NS`] before the run that cached it
//! started (nor before the cache file's own mtime, by the file system's clock): git's "racily
//! clean" problem, a write in the same timestamp tick as the one we parsed leaves the stat as it
//! was. Files with problems are never cached, so they are read and reported as without the cache.
//! A cache that is missing, truncated, corrupt, or written by another build of retort is ignored
//! and rebuilt; writing it is best effort (temporary file + rename, errors ignored).
//!
//! The policy is here; the bytes are `format.rs`.

mod format;
#[cfg(test)]
mod tests;

use std::ffi::OsStr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use format::{decode, encode_cache, encode_entry, entries, CacheFile, Section};

use super::{read_parallel, Listed, LoadedFiles, Parsed, ReadMode, RevisionFile, ScriptError};

/// Where the cache lives, relative to the project root (the folder of `retort.toml`).
pub const CACHE_RELATIVE_PATH: &str = ".retort/cache/headers";

/// Files changed less than this long before the run that parsed them are not trusted from the
/// cache (they are read again until they are older). Covers timestamp granularity up to FAT's 2 s.
pub const RACY_SLACK_NS: i128 = 3_000_000_000;

/// Where a project's header cache is, and the folder its version locations are relative to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderCache {
    file: PathBuf,
    root: PathBuf,
}

impl HeaderCache {
    /// The cache of the project rooted at `root`: `root/.retort/cache/headers`.
    pub fn in_project(root: &Path) -> Self {
        Self::new(root.join(CACHE_RELATIVE_PATH), root.to_path_buf())
    }

    /// The header cache of `config`'s project, unless `header_cache` is off.
    pub fn of(config: &crate::config::Config) -> Option<Self> {
        config.header_cache.then(|| Self::in_project(&config.root))
    }

    /// A cache in `file`; version locations are recorded relative to `root`.
    pub fn new(file: PathBuf, root: PathBuf) -> Self {
        Self { file, root }
    }

    pub fn path(&self) -> &Path {
        &self.file
    }

    fn key(&self, dir: &Path) -> Vec<u8> {
        let rel = dir.strip_prefix(&self.root).unwrap_or(dir);
        rel.as_os_str().as_encoded_bytes().to_vec()
    }
}

/// What identifies a version of a file: if any of it differs, the file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stat {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl Stat {
    #[cfg(unix)]
    pub(crate) fn of(m: &std::fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Self {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime_ns: ns(m.mtime(), m.mtime_nsec()),
            ctime_ns: ns(m.ctime(), m.ctime_nsec()),
        }
    }

    #[cfg(not(unix))]
    pub(crate) fn of(m: &std::fs::Metadata) -> Self {
        let mtime = m.modified().map(system_ns).unwrap_or(i128::MAX);
        Self {
            dev: 0,
            ino: 0,
            size: m.len(),
            mtime_ns: mtime,
            ctime_ns: mtime,
        }
    }

    /// Whether the file may have changed again, unseen, in the same timestamp tick as the
    /// version that was parsed: changed within [`RACY_SLACK_NS`] of `reference` (or after it).
    fn racy(&self, reference_ns: i128) -> bool {
        self.mtime_ns.max(self.ctime_ns) > reference_ns - RACY_SLACK_NS
    }
}

pub(super) fn system_ns(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i128::try_from(d.as_nanos()).unwrap_or(i128::MAX),
        Err(e) => -i128::try_from(e.duration().as_nanos()).unwrap_or(i128::MAX),
    }
}

// --- reading a script directory through the cache -----------------------------------------------

/// Where one listed file's header comes from.
#[derive(Clone, Copy)]
enum HeaderSource<'a> {
    /// Unchanged since it was cached: decode this stored entry.
    Cached(&'a [u8]),
    /// Read the file (the `n`th of the misses); with the stored entry when it was racily clean.
    Read(usize, Option<&'a [u8]>),
    /// Read the file, and leave it out of the cache (a folder listed twice: its second time).
    ReadOnly(usize),
}

/// Read the headers of every file of `dirs` (as [`ReadMode::Headers`]), from the cache where a
/// file is unchanged, and update the cache.
pub(super) fn read_headers(
    dirs: &[PathBuf],
    cache: &HeaderCache,
) -> Result<LoadedFiles, ScriptError> {
    read_headers_at(dirs, cache, system_ns(SystemTime::now())).map(|(loaded, _)| loaded)
}

/// What a cached read did (for tests).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Outcome {
    /// Files whose header came from the cache.
    cached: usize,
    /// Files opened and parsed.
    read: usize,
    /// Whether the cache file was (re)written (or that was tried).
    written: bool,
}

/// [`read_headers`] for a run that started at `started` (ns since the epoch).
fn read_headers_at(
    dirs: &[PathBuf],
    cache: &HeaderCache,
    started: i128,
) -> Result<(LoadedFiles, Outcome), ScriptError> {
    let (listed, old) = std::thread::scope(|scope| {
        let loader = scope.spawn(|| CacheFile::load(&cache.file));
        let listed = super::list(dirs, true);
        (listed, loader.join().ok().flatten())
    });
    let (mut listed, dir_entries) = listed?;
    let old_sections = old.as_ref().and_then(CacheFile::sections);
    // Stat the files only if there are entries to check them against: without a cache, each
    // file is read, and its stat taken from the open file (cheaper than a lookup by name).
    if old_sections.as_ref().is_some_and(|s| !s.is_empty()) {
        super::stat_listed(&mut listed, &dir_entries);
    }
    drop(dir_entries);
    let reference_ns = old.as_ref().map_or(i128::MIN, |c| c.reference_ns);
    // A cache that could not be read (or none) is written if anything parses.
    let mut dirty = old_sections.is_none();

    // 1. Match the listing with the stored entries (both in name order).
    let Matched {
        mut plan,
        misses,
        sections,
        dirty: changed,
    } = match_listing(dirs, cache, &listed, old_sections.as_deref(), reference_ns);
    dirty |= changed;

    // 2. Read what the cache cannot give, in parallel, as without the cache.
    let parsed: Vec<Option<(Parsed, Option<Stat>)>> =
        read_parallel(&misses, ReadMode::Headers, true)?
            .into_iter()
            .map(Some)
            .collect();

    // 3. The files in listing order; the entries of the new cache.
    let (loaded, fresh) = collect(listed, &mut plan, parsed, started, &mut dirty)?;

    if dirty {
        // Sections of version locations this run did not read (another config) are kept.
        let others: Vec<&Section<'_>> = old_sections
            .iter()
            .flatten()
            .filter(|s| !sections.iter().any(|(k, _)| k.as_slice() == s.key))
            .collect();
        let new_sections = sections.into_iter().map(|(key, range)| {
            let kept: Vec<&[u8]> = plan[range]
                .iter()
                .filter_map(|step| match step {
                    HeaderSource::Cached(whole) => Some(*whole),
                    HeaderSource::Read(n, _) => fresh[*n].as_deref(),
                    HeaderSource::ReadOnly(_) => None,
                })
                .collect();
            (key, kept)
        });
        let capacity = old.as_ref().map_or(0, |o| o.bytes.len()) + 4096;
        write(
            &cache.file,
            &encode_cache(started, new_sections, &others, capacity),
        );
    }

    let outcome = Outcome {
        cached: plan
            .iter()
            .filter(|p| matches!(p, HeaderSource::Cached(_)))
            .count(),
        read: fresh.len(),
        written: dirty,
    };
    Ok((loaded, outcome))
}

/// The encoded entry of a file read (none for a file with problems).
type Fresh = Option<Vec<u8>>;

/// The files in listing order, each from where `plan` says (a damaged entry is read after
/// all, and its step changed to say so), and the encoded entries of the files read (by their
/// index in the misses); `dirty` is set when the cache must be written.
fn collect(
    listed: Vec<Listed>,
    plan: &mut [HeaderSource<'_>],
    mut parsed: Vec<Option<(Parsed, Option<Stat>)>>,
    started: i128,
    dirty: &mut bool,
) -> Result<(LoadedFiles, Vec<Fresh>), ScriptError> {
    let mut fresh: Vec<Option<Vec<u8>>> = vec![None; parsed.len()];
    let mut files = Vec::with_capacity(listed.len());
    let mut problems = Vec::new();
    let mut unparsed_ids = Vec::new();
    for (l, step) in listed.into_iter().zip(plan.iter_mut()) {
        let result = match *step {
            HeaderSource::ReadOnly(n) => parsed[n]
                .take()
                .map_or_else(|| Err((Vec::new(), None)), |p| p.0),
            HeaderSource::Cached(whole) => match decode(whole) {
                Some(file) => Ok(RevisionFile {
                    path: l.path,
                    ..file
                }),
                None => {
                    // A damaged entry (its hash matched, so a bug): read the file, drop the entry.
                    *dirty = true;
                    *step = HeaderSource::Read(fresh.len(), None);
                    fresh.push(None);
                    super::read_chunk(&[l.path.as_path()], ReadMode::Headers, false)?
                        .pop()
                        .map_or_else(|| Err((Vec::new(), None)), |p| p.0)
                }
            },
            HeaderSource::Read(n, racy) => {
                // The stat of the opened file, taken before reading it.
                let (result, stat) = parsed[n].take().unwrap_or((Err((Vec::new(), None)), None));
                match (&result, stat) {
                    (Ok(file), Some(stat)) => {
                        let mut buf = Vec::with_capacity(192);
                        encode_entry(&mut buf, l.name(), &stat, file);
                        // A racy entry that parses the same is rewritten once it is not racy.
                        if racy.is_none_or(|old| old != buf.as_slice() || !stat.racy(started)) {
                            *dirty = true;
                        }
                        fresh[n] = Some(buf);
                    }
                    // Files with problems are not cached (and were not, unless just changed).
                    _ => *dirty |= racy.is_some(),
                }
                result
            }
        };
        match result {
            Ok(f) => files.push(f),
            Err((p, id)) => {
                unparsed_ids.extend(id);
                problems.extend(p);
            }
        }
    }
    let loaded = LoadedFiles {
        files,
        problems,
        unparsed_ids,
    };
    Ok((loaded, fresh))
}

/// How the listing matched the stored entries.
struct Matched<'a, 'l> {
    /// Where each listed file's header comes from, in listing order.
    plan: Vec<HeaderSource<'a>>,
    /// The files to read.
    misses: Vec<&'l Path>,
    /// The new cache's sections: key and range of the listing.
    sections: Vec<(Vec<u8>, Range<usize>)>,
    /// Whether the cache must be written (entries added, changed or gone).
    dirty: bool,
}

/// Match the files listed in `dirs` with the entries stored for them (both in name order): an
/// unchanged file that is not racily clean comes from the cache, any other is read.
fn match_listing<'a, 'l>(
    dirs: &[PathBuf],
    cache: &HeaderCache,
    listed: &'l [Listed],
    old_sections: Option<&[Section<'a>]>,
    reference_ns: i128,
) -> Matched<'a, 'l> {
    let mut dirty = false;
    let mut plan: Vec<HeaderSource<'_>> = Vec::with_capacity(listed.len());
    let mut misses: Vec<&Path> = Vec::new();
    // The new cache's sections: key and range of `listed`.
    let mut sections: Vec<(Vec<u8>, std::ops::Range<usize>)> = Vec::with_capacity(dirs.len());
    let mut start = 0;
    for (d, dir) in dirs.iter().enumerate() {
        let end = start + listed[start..].partition_point(|l| l.dir == d);
        let range = start..end;
        start = end;
        let key = cache.key(dir);
        if sections.iter().any(|(k, _)| *k == key) {
            // The same folder twice: read it again; its first time is what is cached.
            for l in &listed[range] {
                plan.push(HeaderSource::ReadOnly(misses.len()));
                misses.push(l.path.as_path());
            }
            continue;
        }
        let section = {
            let section = old_sections
                .as_ref()
                .and_then(|s| s.iter().find(|s| s.key == key.as_slice()));
            dirty |= section.is_none() && !range.is_empty();
            sections.push((key, range.clone()));
            section
        };
        let mut stored = section
            .map(|s| entries(s.body))
            .into_iter()
            .flatten()
            .peekable();
        for l in &listed[range] {
            let name = l.name();
            // Skip the stored entries of removed files.
            let mut found = None;
            while let Some(next) = stored.peek() {
                match next {
                    Some(e) if e.name > name => break,
                    Some(e) if e.name == name => {
                        found = stored.next().flatten();
                        break;
                    }
                    _ => {
                        dirty = true;
                        stored.next();
                    }
                }
            }
            let racy = match found {
                Some(e) if l.stat == Some(e.stat) && !e.stat.racy(reference_ns) => {
                    plan.push(HeaderSource::Cached(e.whole));
                    continue;
                }
                Some(e) if l.stat == Some(e.stat) => Some(e.whole),
                Some(_) => {
                    dirty = true; // changed
                    None
                }
                None => None,
            };
            plan.push(HeaderSource::Read(misses.len(), racy));
            misses.push(l.path.as_path());
        }
        if stored.next().is_some() {
            dirty = true; // entries of files that are gone
        }
    }
    Matched {
        plan,
        misses,
        sections,
        dirty,
    }
}

/// Write the cache atomically (a temporary file renamed over it); give up quietly on any error:
/// a read-only project still works, only without the cache.
fn write(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if !dir.is_dir() {
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        // Keep the folder out of version control and backups, as pytest and cargo do.
        let _ = std::fs::write(dir.join(".gitignore"), "# Made by retort.\n*\n");
        let _ = std::fs::write(
            dir.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# retort's header cache; see https://bford.info/cachedir/\n",
        );
    }
    let name = path.file_name().unwrap_or(OsStr::new("headers"));
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        system_ns(SystemTime::now())
    ));
    if std::fs::write(&tmp, bytes).is_err() || std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

impl Listed {
    fn name(&self) -> &[u8] {
        self.path
            .file_name()
            .map_or(&[][..], OsStr::as_encoded_bytes)
    }
}
