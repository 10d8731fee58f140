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
//! File format (all integers little-endian): `MAGIC`, the build's [`STAMP`], the run's start
//! time (ns since the epoch), the number of sections, the sections, then a 64-bit hash of all that
//! precedes it. A section is one version location (its path relative to the project root, the
//! number of entries, the byte length of the entries, the entries sorted by file name). An entry
//! is its byte length, the file name, the stat, then the header fields of [`RevisionFile`].

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{read_parallel, Listed, LoadedFiles, Parsed, ReadMode, RevisionFile, ScriptError};

/// Where the cache lives, relative to the project root (the folder of `retort.toml`).
pub const CACHE_RELATIVE_PATH: &str = ".retort/cache/headers";

const MAGIC: &[u8; 8] = b"RTRTHDR\n";

/// Files changed less than this long before the run that parsed them are not trusted from the
/// cache (they are read again until they are older). Covers timestamp granularity up to FAT's 2 s.
pub const RACY_SLACK_NS: i128 = 3_000_000_000;

/// Identifies the code that wrote a cache: the crate version and the source of the parser, the
/// reader and this module, hashed at compile time. Any change to how a header is parsed gives a
/// new stamp, so a cache from another build is never read.
const STAMP: u64 = {
    let mut h = hash_const(0, env!("CARGO_PKG_VERSION").as_bytes());
    h = hash_const(h, include_str!("file.rs").as_bytes());
    h = hash_const(h, include_str!("mod.rs").as_bytes());
    h = hash_const(h, include_str!("cache.rs").as_bytes());
    h
};

const fn hash_const(seed: u64, bytes: &[u8]) -> u64 {
    // FNV-1a: slow but only run by the compiler.
    let mut h = seed ^ 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

/// A fast 64-bit hash of the cache's bytes, to tell a damaged file from a good one.
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let mut w = [0u8; 8];
    w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h.rotate_left(23) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    h ^ (h >> 29)
}

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

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.dev.to_le_bytes());
        out.extend_from_slice(&self.ino.to_le_bytes());
        out.extend_from_slice(&self.size.to_le_bytes());
        out.extend_from_slice(&self.mtime_ns.to_le_bytes());
        out.extend_from_slice(&self.ctime_ns.to_le_bytes());
    }

    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Self {
            dev: r.u64()?,
            ino: r.u64()?,
            size: r.u64()?,
            mtime_ns: r.i128()?,
            ctime_ns: r.i128()?,
        })
    }
}

fn system_ns(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i128::try_from(d.as_nanos()).unwrap_or(i128::MAX),
        Err(e) => -i128::try_from(e.duration().as_nanos()).unwrap_or(i128::MAX),
    }
}

// --- encoding -----------------------------------------------------------------------------------

fn put_u32(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&u32::try_from(v).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, b.len());
    out.extend_from_slice(b);
}

fn put_opt(out: &mut Vec<u8>, v: Option<usize>) {
    put_u32(out, v.map_or(0, |v| v.saturating_add(1)));
}

fn put_list(out: &mut Vec<u8>, items: &[String]) {
    put_u32(out, items.len());
    for i in items {
        put_bytes(out, i.as_bytes());
    }
}

/// One entry: its length, then the file name, the stat and the header fields.
fn encode_entry(out: &mut Vec<u8>, name: &[u8], stat: &Stat, f: &RevisionFile) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    put_bytes(out, name);
    stat.encode(out);
    put_bytes(out, f.id.as_bytes());
    put_list(out, &f.down_revisions);
    put_list(out, &f.branch_labels);
    put_list(out, &f.depends_on);
    put_bytes(out, f.message.as_bytes());
    match &f.created {
        None => out.push(0),
        Some(c) => {
            out.push(1);
            put_bytes(out, c.as_bytes());
        }
    }
    out.push(u8::from(f.transactional));
    put_u32(out, f.up_line);
    put_opt(out, f.down_line);
    put_u32(out, f.header_lines.revision);
    put_opt(out, f.header_lines.down_revision);
    put_opt(out, f.header_lines.depends_on);
    put_opt(out, f.header_lines.branch_labels);
    let len = out.len() - start - 4;
    let len = u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes();
    out[start..start + 4].copy_from_slice(&len);
}

// --- decoding -----------------------------------------------------------------------------------

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.buf.len() {
            return None;
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Some(head)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<usize> {
        usize::try_from(u32::from_le_bytes(self.array()?)).ok()
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }
    fn i128(&mut self) -> Option<i128> {
        Some(i128::from_le_bytes(self.array()?))
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()?;
        self.take(n)
    }
    fn string(&mut self) -> Option<String> {
        std::str::from_utf8(self.bytes()?).ok().map(str::to_string)
    }
    fn opt(&mut self) -> Option<Option<usize>> {
        Some(self.u32()?.checked_sub(1))
    }
    fn list(&mut self) -> Option<Vec<String>> {
        let n = self.u32()?;
        // Each item takes at least its 4-byte length: don't trust a count the bytes can't hold.
        if n > self.buf.len() / 4 {
            return None;
        }
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.string()?);
        }
        Some(v)
    }
}

/// An entry as stored: `whole` is its encoding (copied as is when the cache is rewritten).
struct RawEntry<'a> {
    name: &'a [u8],
    stat: Stat,
    fields: &'a [u8],
    whole: &'a [u8],
}

/// The file of a stored entry, as [`ReadMode::Headers`] parses it, but for its path (`None` if
/// the entry is damaged).
fn decode(whole: &[u8]) -> Option<RevisionFile> {
    entries(whole).next()??.decode(PathBuf::new())
}

impl RawEntry<'_> {
    fn decode(&self, path: PathBuf) -> Option<RevisionFile> {
        let mut r = Reader { buf: self.fields };
        let file = RevisionFile {
            id: r.string()?,
            down_revisions: r.list()?,
            branch_labels: r.list()?,
            depends_on: r.list()?,
            message: r.string()?,
            created: match r.u8()? {
                0 => None,
                1 => Some(r.string()?),
                _ => return None,
            },
            transactional: match r.u8()? {
                0 => false,
                1 => true,
                _ => return None,
            },
            up_line: r.u32()?,
            down_line: r.opt()?,
            header_lines: super::HeaderLines {
                revision: r.u32()?,
                down_revision: r.opt()?,
                depends_on: r.opt()?,
                branch_labels: r.opt()?,
            },
            up_sql: String::new(),
            down_sql: None,
            path,
            checksum: String::new(),
            body_loaded: false,
            embedded_text: None,
        };
        r.buf.is_empty().then_some(file)
    }
}

fn entries(mut body: &[u8]) -> impl Iterator<Item = Option<RawEntry<'_>>> + '_ {
    std::iter::from_fn(move || {
        if body.is_empty() {
            return None;
        }
        let entry = (|| {
            let mut r = Reader { buf: body };
            let len = r.u32()?;
            let whole_len = len.checked_add(4)?;
            let whole = body.get(..whole_len)?;
            let mut e = Reader { buf: &whole[4..] };
            let name = e.bytes()?;
            let stat = Stat::decode(&mut e)?;
            Some((
                RawEntry {
                    name,
                    stat,
                    fields: e.buf,
                    whole,
                },
                whole_len,
            ))
        })();
        match entry {
            Some((e, n)) => {
                body = &body[n..];
                Some(Some(e))
            }
            None => {
                body = &[];
                Some(None)
            }
        }
    })
}

struct Section<'a> {
    key: &'a [u8],
    body: &'a [u8],
    /// The whole section as stored, to copy sections of other version locations.
    whole: &'a [u8],
}

/// A cache file that passed its checks.
struct CacheFile {
    bytes: Vec<u8>,
    /// Entries changed after this (less the slack) are not trusted: the earlier of the writing
    /// run's start and the file's own mtime (the file system's clock).
    reference_ns: i128,
}

impl CacheFile {
    /// Read and check a cache file; `None` for anything short of a good one.
    fn load(path: &Path) -> Option<Self> {
        use std::io::Read;
        let mut f = std::fs::File::open(path).ok()?;
        let meta = f.metadata().ok()?;
        let len = usize::try_from(meta.len()).ok()?;
        let mut bytes = Vec::with_capacity(len + 1);
        f.read_to_end(&mut bytes).ok()?;
        let file = Self {
            reference_ns: 0,
            bytes,
        };
        let started = file.check()?;
        let mtime = meta.modified().map_or(i128::MIN, system_ns);
        Some(Self {
            reference_ns: started.min(mtime),
            ..file
        })
    }

    /// The run start recorded in a well-formed cache of this build.
    fn check(&self) -> Option<i128> {
        let n = self.bytes.len().checked_sub(8)?;
        let (content, trailer) = self.bytes.split_at(n);
        if u64::from_le_bytes(trailer.try_into().ok()?) != hash(content) {
            return None;
        }
        let mut r = Reader { buf: content };
        if r.take(MAGIC.len())? != MAGIC || r.u64()? != STAMP {
            return None;
        }
        r.i128()
    }

    fn sections(&self) -> Option<Vec<Section<'_>>> {
        let content = &self.bytes[..self.bytes.len() - 8];
        let mut r = Reader {
            buf: &content[MAGIC.len() + 8 + 16..],
        };
        let n = r.u32()?;
        let mut out = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            let before = r.buf;
            let key = r.bytes()?;
            let _count = r.u32()?;
            let len = usize::try_from(r.u64()?).ok()?;
            let body = r.take(len)?;
            let whole = &before[..before.len() - r.buf.len()];
            out.push(Section { key, body, whole });
        }
        r.buf.is_empty().then_some(out)
    }
}

// --- reading a script directory through the cache -----------------------------------------------

/// Where one listed file's header comes from.
#[derive(Clone, Copy)]
enum Plan<'a> {
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
    let mut plan: Vec<Plan<'_>> = Vec::with_capacity(listed.len());
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
                plan.push(Plan::ReadOnly(misses.len()));
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
                    plan.push(Plan::Cached(e.whole));
                    continue;
                }
                Some(e) if l.stat == Some(e.stat) => Some(e.whole),
                Some(_) => {
                    dirty = true; // changed
                    None
                }
                None => None,
            };
            plan.push(Plan::Read(misses.len(), racy));
            misses.push(l.path.as_path());
        }
        if stored.next().is_some() {
            dirty = true; // entries of files that are gone
        }
    }

    // 2. Read what the cache cannot give, in parallel, as without the cache.
    let mut parsed: Vec<Option<(Parsed, Option<Stat>)>> =
        read_parallel(&misses, ReadMode::Headers, true)?
            .into_iter()
            .map(Some)
            .collect();

    // 3. The files in listing order; the entries of the new cache.
    let mut fresh: Vec<Option<Vec<u8>>> = vec![None; parsed.len()];
    let mut files = Vec::with_capacity(listed.len());
    let mut problems = Vec::new();
    let mut unparsed_ids = Vec::new();
    for (l, step) in listed.into_iter().zip(&mut plan) {
        let result = match *step {
            Plan::ReadOnly(n) => parsed[n]
                .take()
                .map_or_else(|| Err((Vec::new(), None)), |p| p.0),
            Plan::Cached(whole) => match decode(whole) {
                Some(file) => Ok(RevisionFile {
                    path: l.path,
                    ..file
                }),
                None => {
                    // A damaged entry (its hash matched, so a bug): read the file, drop the entry.
                    dirty = true;
                    *step = Plan::Read(fresh.len(), None);
                    fresh.push(None);
                    super::read_chunk(&[l.path.as_path()], ReadMode::Headers, false)?
                        .pop()
                        .map_or_else(|| Err((Vec::new(), None)), |p| p.0)
                }
            },
            Plan::Read(n, racy) => {
                // The stat of the opened file, taken before reading it.
                let (result, stat) = parsed[n].take().unwrap_or((Err((Vec::new(), None)), None));
                match (&result, stat) {
                    (Ok(file), Some(stat)) => {
                        let mut buf = Vec::with_capacity(192);
                        encode_entry(&mut buf, l.name(), &stat, file);
                        // A racy entry that parses the same is rewritten once it is not racy.
                        if racy.is_none_or(|old| old != buf.as_slice() || !stat.racy(started)) {
                            dirty = true;
                        }
                        fresh[n] = Some(buf);
                    }
                    // Files with problems are not cached (and were not, unless just changed).
                    _ => dirty |= racy.is_some(),
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

    if dirty {
        let mut out = Vec::with_capacity(old.as_ref().map_or(0, |o| o.bytes.len()) + 4096);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&STAMP.to_le_bytes());
        out.extend_from_slice(&started.to_le_bytes());
        // Sections of version locations this run did not read (another config) are kept.
        let others: Vec<&Section<'_>> = old_sections
            .iter()
            .flatten()
            .filter(|s| !sections.iter().any(|(k, _)| k.as_slice() == s.key))
            .collect();
        put_u32(&mut out, sections.len() + others.len());
        for (key, range) in sections {
            let kept: Vec<&[u8]> = plan[range]
                .iter()
                .filter_map(|step| match step {
                    Plan::Cached(whole) => Some(*whole),
                    Plan::Read(n, _) => fresh[*n].as_deref(),
                    Plan::ReadOnly(_) => None,
                })
                .collect();
            put_bytes(&mut out, &key);
            put_u32(&mut out, kept.len());
            let len: usize = kept.iter().map(|e| e.len()).sum();
            out.extend_from_slice(&(len as u64).to_le_bytes());
            for e in kept {
                out.extend_from_slice(e);
            }
        }
        for s in others {
            out.extend_from_slice(s.whole);
        }
        let h = hash(&out);
        out.extend_from_slice(&h.to_le_bytes());
        write(&cache.file, &out);
    }

    let outcome = Outcome {
        cached: plan.iter().filter(|p| matches!(p, Plan::Cached(_))).count(),
        read: fresh.len(),
        written: dirty,
    };
    let loaded = LoadedFiles {
        files,
        problems,
        unparsed_ids,
    };
    Ok((loaded, outcome))
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

#[cfg(test)]
mod tests {
    use std::fs::FileTimes;
    use std::time::Duration;

    use super::*;
    use crate::script::ScriptDirectory;

    const SECOND: i128 = 1_000_000_000;
    /// Revision files in a new [`Project`].
    const N: usize = 70;

    fn now() -> i128 {
        system_ns(SystemTime::now())
    }

    fn revision(id: &str, down: &[&str], labels: &str, deps: &str, message: &str) -> String {
        format!(
            "-- revision: {id}\n-- down_revision: {}\n-- branch_labels: {labels}\n-- depends_on: {deps}\n-- message: {message}\n-- created: 2026-11-26 10:00:00+00:00\n-- transactional: {}\n\n-- retort:up\nCREATE TABLE t_{id} ();\n\n-- retort:down\nDROP TABLE t_{id};\n",
            down.join(", "),
            id.len() % 2 == 0,
        )
    }

    /// A project in a temporary folder: `migrations/` with a main line, feature branches merged
    /// back, a labelled branch left open, `depends_on` (by id, prefix and label), a long file
    /// (more than the 8 KiB header read), CRLF and BOM files, and non-revision files.
    struct Project {
        tmp: tempfile::TempDir,
    }

    impl Project {
        fn new() -> Self {
            let p = Self {
                tmp: tempfile::tempdir().expect("tempdir"),
            };
            std::fs::create_dir(p.scripts()).expect("mkdir");
            let mut main = "000000000000".to_string();
            p.write("00000_root.sql", &revision(&main, &[], "", "", "root"));
            for i in 1..60 {
                let id = format!("{i:04x}aaaa{i:04x}");
                let (down, labels, deps) = match i {
                    5 => {
                        // the open labelled branch
                        let side = format!("{i:04x}bbbb{i:04x}");
                        let text = revision(&side, &[&main], "reporting", "", "reporting");
                        p.write(&format!("{i:05}_side.sql"), &text);
                        (vec![main.clone()], "", "")
                    }
                    _ if i % 10 == 3 => {
                        // a feature branch of two, merged at i+2 below
                        let f = format!("{i:04x}cccc{i:04x}");
                        p.write(
                            &format!("{i:05}_feature.sql"),
                            &revision(&f, &[&main], "", "", "feature"),
                        );
                        (vec![main.clone()], "", "")
                    }
                    _ if i % 10 == 5 && i > 5 => {
                        let f = format!("{:04x}cccc{:04x}", i - 2, i - 2);
                        (vec![main.clone(), f], "", "")
                    }
                    20 => (vec![main.clone()], "", "reporting"),
                    30 => (vec![main.clone()], "", "0005bbbb"),
                    _ => (vec![main.clone()], "", ""),
                };
                let down: Vec<&str> = down.iter().map(String::as_str).collect();
                p.write(
                    &format!("{i:05}_{id}.sql"),
                    &revision(&id, &down, labels, deps, &format!("step {i}")),
                );
                main = id;
            }
            let long = revision("ffff0000ffff", &[&main], "", "", "long").replace(
                "CREATE TABLE",
                &format!("{}\nCREATE TABLE", "-- x\n".repeat(4000)),
            );
            p.write("00090_long.sql", &long);
            let crlf = revision("ffff1111ffff", &["ffff0000ffff"], "", "", "crlf");
            p.write("00091_crlf.sql", &crlf.replace('\n', "\r\n"));
            let bom = revision("ffff2222ffff", &["ffff1111ffff"], "", "", "bom");
            p.write("00092_bom.sql", &format!("\u{feff}{bom}"));
            p.write("README.md", "not a revision");
            p.write("notes.sql.txt", "not a revision");
            p
        }

        fn root(&self) -> &Path {
            self.tmp.path()
        }
        fn scripts(&self) -> PathBuf {
            self.root().join("migrations")
        }
        fn dirs(&self) -> Vec<PathBuf> {
            vec![self.scripts()]
        }
        fn cache(&self) -> HeaderCache {
            HeaderCache::in_project(self.root())
        }
        fn write(&self, name: &str, text: &str) {
            std::fs::write(self.scripts().join(name), text).expect("write");
        }

        /// Read through the cache, as a run at `started`; the cache file is then dated `started`
        /// as well, as if that run wrote it then (so entries can be made non-racy in a test).
        fn read_at(&self, started: i128) -> (LoadedFiles, Outcome) {
            let got = read_headers_at(&self.dirs(), &self.cache(), started).expect("readable");
            if got.1.written && self.cache().path().is_file() {
                set_mtime(self.cache().path(), started);
            }
            got
        }

        /// A read well after every file was written: nothing is racy.
        fn read_later(&self) -> (LoadedFiles, Outcome) {
            self.read_at(now() + 10 * SECOND)
        }

        fn without_cache(&self) -> LoadedFiles {
            ScriptDirectory::read_with(&self.dirs(), ReadMode::Headers).expect("readable")
        }
    }

    fn set_mtime(path: &Path, ns: i128) {
        let t = UNIX_EPOCH + Duration::from_nanos(u64::try_from(ns).expect("after 1970"));
        let f = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        f.set_times(FileTimes::new().set_modified(t))
            .expect("set mtime");
    }

    fn mtime(path: &Path) -> i128 {
        system_ns(
            std::fs::metadata(path)
                .expect("stat")
                .modified()
                .expect("mtime"),
        )
    }

    /// What the commands show: heads and history, as text.
    fn shown(loaded: LoadedFiles) -> (Vec<String>, Vec<String>) {
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let g = crate::graph::build(loaded.files, &loaded.unparsed_ids).expect("valid graph");
        (
            crate::inspect::heads_lines(&g, false, true),
            crate::inspect::history(&g, None, true, None).expect("history"),
        )
    }

    fn problems(loaded: &LoadedFiles) -> Vec<String> {
        loaded
            .problems
            .iter()
            .map(|p| format!("{p} | {:?}", p.help))
            .collect()
    }

    #[test]
    fn same_files_and_output_with_and_without_the_cache() {
        let p = Project::new();
        let plain = p.without_cache();
        assert_eq!(plain.files.len(), N, "the generated project");
        let (cold, o) = p.read_later();
        assert_eq!((o.cached, o.read, o.written), (0, N, true));
        assert!(p.cache().path().is_file());
        let (warm, o) = p.read_later();
        assert_eq!((o.cached, o.read, o.written), (N, 0, false));
        assert_eq!(cold.files, plain.files);
        assert_eq!(warm.files, plain.files);
        let expected = shown(plain);
        assert_eq!(shown(cold), expected);
        assert_eq!(shown(warm), expected);
        // Three heads: an unmerged feature, the labelled branch, the main line.
        assert!(
            expected.0.len() == 3 && expected.1.len() == N,
            "{expected:?}"
        );
    }

    #[test]
    fn a_changed_file_is_read_again() {
        let p = Project::new();
        p.read_later();
        let path = p.scripts().join("00007_0007aaaa0007.sql");
        let text = std::fs::read_to_string(&path).expect("read");
        let before = mtime(&path);
        // Same size, other content, a new mtime.
        std::fs::write(&path, text.replace("step 7", "step X")).expect("write");
        set_mtime(&path, before + SECOND);
        let (loaded, o) = p.read_later();
        assert_eq!((o.cached, o.read, o.written), (N - 1, 1, true));
        let f = loaded
            .files
            .iter()
            .find(|f| f.path == path)
            .expect("listed");
        assert_eq!(f.message, "step X");
        assert_eq!(loaded.files, p.without_cache().files);
        // Same size and the old mtime put back (as `touch -r` or an archive would): the inode
        // change time still tells.
        std::fs::write(&path, text.replace("step 7", "step Y")).expect("write");
        set_mtime(&path, before + SECOND);
        let (loaded, o) = p.read_later();
        assert_eq!((o.read, o.written), (1, true));
        let f = loaded
            .files
            .iter()
            .find(|f| f.path == path)
            .expect("listed");
        assert_eq!(f.message, "step Y");
        let (_, o) = p.read_later();
        assert_eq!((o.cached, o.read, o.written), (N, 0, false));
    }

    #[test]
    fn added_removed_and_renamed_files_are_seen() {
        let p = Project::new();
        p.read_later();
        let dir = p.scripts();
        std::fs::rename(dir.join("00092_bom.sql"), dir.join("00093_bom_renamed.sql"))
            .expect("rename");
        std::fs::remove_file(dir.join("00091_crlf.sql")).expect("remove");
        p.write(
            "00094_new.sql",
            &revision("ffff4444ffff", &["ffff0000ffff"], "", "", "new"),
        );
        std::fs::write(
            dir.join("00093_bom_renamed.sql"),
            revision("ffff2222ffff", &["ffff4444ffff"], "", "", "bom"),
        )
        .expect("write");
        let (loaded, o) = p.read_later();
        assert_eq!((o.cached, o.read, o.written), (N - 2, 2, true));
        assert_eq!(loaded.files, p.without_cache().files);
        let ids: Vec<&str> = loaded.files.iter().map(|f| f.id.as_str()).collect();
        assert!(!ids.contains(&"ffff1111ffff") && ids.contains(&"ffff4444ffff"));
        let (_, o) = p.read_later();
        assert_eq!((o.cached, o.read, o.written), (N, 0, false));
    }

    #[test]
    fn a_damaged_or_foreign_cache_is_ignored_and_rebuilt() {
        let p = Project::new();
        p.read_later();
        let path = p.cache().path().to_path_buf();
        let good = std::fs::read(&path).expect("cache");
        let expected = p.without_cache().files;
        let mut flipped = good.clone();
        flipped[good.len() / 2] ^= 0x20;
        let mut other_build = good.clone();
        other_build[MAGIC.len()] ^= 1; // the stamp
        let damaged: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"garbage".to_vec(),
            good[..good.len() / 2].to_vec(),
            good[..good.len() - 1].to_vec(),
            flipped,
            other_build,
            [good.as_slice(), b"x"].concat(),
        ];
        for bytes in damaged {
            std::fs::write(&path, &bytes).expect("write");
            let (loaded, o) = p.read_later();
            assert_eq!((o.cached, o.read, o.written), (0, N, true));
            assert_eq!(loaded.files, expected);
            let (_, o) = p.read_later();
            assert_eq!(o.cached, N, "rebuilt");
        }
        // A folder where the cache file should be: no cache, no error.
        std::fs::remove_file(&path).expect("remove");
        std::fs::create_dir(&path).expect("mkdir");
        let (loaded, o) = p.read_later();
        assert_eq!((o.cached, o.read), (0, N));
        assert_eq!(loaded.files, expected);
    }

    #[test]
    fn racy_entries_are_read_until_they_are_old() {
        let p = Project::new();
        let n = N;
        // Written by a run that started now: every file changed within the slack, so none is
        // trusted, and writing the cache again would not change that.
        let start = now();
        let (_, o) = p.read_at(start);
        assert_eq!((o.read, o.written), (n, true));
        let (loaded, o) = p.read_at(start + SECOND);
        assert_eq!((o.cached, o.read, o.written), (0, n, false));
        assert_eq!(loaded.files, p.without_cache().files);
        // A later run finds them old enough, and rewrites the cache so that they are trusted.
        let (_, o) = p.read_at(start + 10 * SECOND);
        assert_eq!((o.cached, o.read, o.written), (0, n, true));
        let (_, o) = p.read_at(start + 11 * SECOND);
        assert_eq!((o.cached, o.read, o.written), (n, 0, false));
        // A file touched just before a run is not trusted by the next one.
        let path = p.scripts().join("00011_000baaaa000b.sql");
        set_mtime(&path, start + 12 * SECOND);
        let (_, o) = p.read_at(start + 13 * SECOND);
        assert_eq!((o.cached, o.read, o.written), (n - 1, 1, true));
        let (_, o) = p.read_at(start + 14 * SECOND);
        assert_eq!((o.cached, o.read, o.written), (n - 1, 1, false));
        // The cache file's own date counts too: one dated before the file changed (by the file
        // system's clock) does not vouch for it, whatever the run's start says.
        let (_, o) = p.read_at(start + 20 * SECOND);
        assert!(o.written);
        set_mtime(p.cache().path(), start + 13 * SECOND);
        let (_, o) = read_headers_at(&p.dirs(), &p.cache(), start + 30 * SECOND).expect("ok");
        assert_eq!((o.cached, o.read), (n - 1, 1));
    }

    #[test]
    fn files_with_problems_are_reported_as_without_the_cache_and_never_cached() {
        let p = Project::new();
        p.read_later();
        // A cached file becomes broken; a new broken file; a long file broken in its body.
        p.write(
            "00007_0007aaaa0007.sql",
            "-- revision: 0007aaaa0007\n-- down_revison: 0006aaaa0006\n-- retort:up\nSELECT 1;\n",
        );
        p.write("00100_broken.sql", "-- revision: bad-id\nSELECT 1;\n");
        let expected = p.without_cache();
        assert!(!expected.problems.is_empty());
        for run in 0..3 {
            let (loaded, o) = p.read_later();
            assert_eq!(problems(&loaded), problems(&expected), "run {run}");
            assert_eq!(loaded.unparsed_ids, expected.unparsed_ids);
            assert_eq!(loaded.files, expected.files);
            // The broken files are read every time; the cache is written once.
            assert_eq!(
                (o.cached, o.read, o.written),
                (N - 1, 2, run == 0),
                "run {run}"
            );
        }
        // Problems found by the graph point at the same lines through the cache.
        p.write(
            "00007_0007aaaa0007.sql",
            &revision("0007aaaa0007", &["0006aaaa0006"], "", "", "step 7"),
        );
        std::fs::remove_file(p.scripts().join("00100_broken.sql")).expect("remove");
        p.write(
            "00101_orphan.sql",
            &revision("eeee0000eeee", &["0006aaaa000"], "", "nope", "orphan"),
        );
        let graph_problems = |loaded: LoadedFiles| -> Vec<String> {
            let Err(problems) = crate::graph::build(loaded.files, &loaded.unparsed_ids) else {
                panic!("the graph should fail")
            };
            problems
                .iter()
                .map(|p| format!("{p} {:?} {:?}", p.line, p.column))
                .collect()
        };
        let expected = graph_problems(p.without_cache());
        assert_eq!(expected.len(), 2, "{expected:?}");
        p.read_later();
        let (loaded, o) = p.read_later();
        assert_eq!(o.cached, N + 1);
        assert_eq!(graph_problems(loaded), expected);
    }

    #[test]
    fn an_unwritable_cache_location_changes_nothing() {
        let p = Project::new();
        let blocked = p.root().join("a-file");
        std::fs::write(&blocked, "").expect("write");
        let cache = HeaderCache::new(blocked.join("cache/headers"), p.root().to_path_buf());
        for _ in 0..2 {
            let (loaded, o) = read_headers_at(&p.dirs(), &cache, now()).expect("readable");
            assert_eq!((o.cached, o.read, o.written), (0, N, true));
            assert_eq!(loaded.files, p.without_cache().files);
        }
        let leftovers: Vec<_> = std::fs::read_dir(p.root())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}"); // migrations and a-file
    }

    #[test]
    fn several_locations_and_configs_share_one_cache() {
        let p = Project::new();
        let extra = p.root().join("extra");
        std::fs::create_dir(&extra).expect("mkdir");
        std::fs::write(
            extra.join("e1.sql"),
            revision("eeee1111eeee", &["ffff2222ffff"], "", "", "extra"),
        )
        .expect("write");
        let both = vec![p.scripts(), extra.clone()];
        let later = now() + 10 * SECOND;
        let (loaded, o) = read_headers_at(&both, &p.cache(), later).expect("ok");
        assert_eq!((o.read, o.written), (N + 1, true));
        assert_eq!(
            loaded.files,
            ScriptDirectory::read_with(&both, ReadMode::Headers)
                .expect("ok")
                .files
        );
        set_mtime(p.cache().path(), later);
        // Another config reading one of the two keeps the other's entries.
        let (_, o) = read_headers_at(std::slice::from_ref(&extra), &p.cache(), later).expect("ok");
        assert_eq!((o.cached, o.read, o.written), (1, 0, false));
        let (_, o) = p.read_later();
        assert_eq!((o.cached, o.read, o.written), (N, 0, false));
        // A folder listed twice is cached once, and does not make every run rewrite the cache.
        let twice = vec![p.scripts(), p.scripts()];
        let (loaded, o) = read_headers_at(&twice, &p.cache(), later).expect("ok");
        assert_eq!((o.cached, o.read, o.written), (N, N, false));
        assert_eq!(loaded.files.len(), 2 * N);
        // The project root as the script directory: the cache is never taken for a revision.
        std::fs::write(
            p.root().join("r.sql"),
            revision("dddd1111dddd", &[], "", "", "in root"),
        )
        .expect("write");
        let root = vec![p.root().to_path_buf()];
        for _ in 0..2 {
            let (loaded, _) = read_headers_at(&root, &p.cache(), later).expect("ok");
            assert_eq!(loaded.files.len(), 1);
            assert!(loaded.problems.is_empty());
        }
        let ignore = p.cache().path().with_file_name(".gitignore");
        assert_eq!(
            std::fs::read_to_string(ignore).expect("gitignore"),
            "# Made by retort.\n*\n"
        );
    }
}
