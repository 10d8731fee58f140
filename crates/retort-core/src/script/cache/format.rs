//! The header cache's file format (all integers little-endian): `MAGIC`, the build's [`STAMP`],
//! the run's start time (ns since the epoch), the number of sections, the sections, then a 64-bit
//! hash of all that precedes it. A section is one version location (its path relative to the
//! project root, the number of entries, the byte length of the entries, the entries sorted by
//! file name). An entry is its byte length, the file name, the stat, then the header fields of
//! [`RevisionFile`].

use std::path::{Path, PathBuf};

use super::{system_ns, Stat};
use crate::script::RevisionFile;

pub(super) const MAGIC: &[u8; 8] = b"RTRTHDR\n";

/// Identifies the code that wrote a cache: the crate version and the source of the parser, the
/// reader and the cache's modules, hashed at compile time. Any change to how a header is parsed gives a
/// new stamp, so a cache from another build is never read.
pub(super) const STAMP: u64 = {
    let mut h = hash_const(0, env!("CARGO_PKG_VERSION").as_bytes());
    h = hash_const(h, include_str!("../file.rs").as_bytes());
    h = hash_const(h, include_str!("../mod.rs").as_bytes());
    h = hash_const(h, include_str!("mod.rs").as_bytes());
    h = hash_const(h, include_str!("format.rs").as_bytes());
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
pub(super) fn hash(bytes: &[u8]) -> u64 {
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

impl Stat {
    pub(super) fn encode(&self, out: &mut Vec<u8>) {
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
pub(super) fn encode_entry(out: &mut Vec<u8>, name: &[u8], stat: &Stat, f: &RevisionFile) {
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
pub(super) struct RawEntry<'a> {
    pub(super) name: &'a [u8],
    pub(super) stat: Stat,
    pub(super) fields: &'a [u8],
    pub(super) whole: &'a [u8],
}

/// The file of a stored entry, as [`ReadMode::Headers`] parses it, but for its path (`None` if
/// the entry is damaged).
pub(super) fn decode(whole: &[u8]) -> Option<RevisionFile> {
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
            header_lines: crate::script::HeaderLines {
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

pub(super) fn entries(mut body: &[u8]) -> impl Iterator<Item = Option<RawEntry<'_>>> + '_ {
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

pub(super) struct Section<'a> {
    pub(super) key: &'a [u8],
    pub(super) body: &'a [u8],
    /// The whole section as stored, to copy sections of other version locations.
    pub(super) whole: &'a [u8],
}

/// A cache file that passed its checks.
pub(super) struct CacheFile {
    pub(super) bytes: Vec<u8>,
    /// Entries changed after this (less the slack) are not trusted: the earlier of the writing
    /// run's start and the file's own mtime (the file system's clock).
    pub(super) reference_ns: i128,
}

impl CacheFile {
    /// Read and check a cache file; `None` for anything short of a good one.
    pub(super) fn load(path: &Path) -> Option<Self> {
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

    pub(super) fn sections(&self) -> Option<Vec<Section<'_>>> {
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

/// A whole cache file: the header for a run started at `started` (ns since the epoch), the
/// `sections` (key, entries as encoded), the stored sections of `others` as they were, the hash.
pub(super) fn encode_cache<'b>(
    started: i128,
    sections: impl ExactSizeIterator<Item = (Vec<u8>, Vec<&'b [u8]>)>,
    others: &[&Section<'_>],
    capacity: usize,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&STAMP.to_le_bytes());
    out.extend_from_slice(&started.to_le_bytes());
    put_u32(&mut out, sections.len() + others.len());
    for (key, kept) in sections {
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
    out
}
