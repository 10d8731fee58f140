//! The model cache: the desired schema's model as loaded from SQL files into a scratch database
//! and introspected, kept in `.retort/cache/models/` beside `retort.toml`, so that `check`,
//! `revision --autogenerate` and `diff` skip the scratch database when nothing it depends on
//! changed.
//!
//! Invariant: the cache never changes an answer. An entry is found by its key, a SHA-256 of all
//! the model depends on: this build of retort ([`STAMP`] and the running program's size and
//! mtime), the files' names, order and whole content, the scratch server's facts
//! ([`SERVER_FACTS`]: version, the settings and locale that change how PostgreSQL prints
//! definitions, its roles, tablespaces and available extension versions), the schemas read
//! and the version tables left out. Nothing is trusted by its timestamp: every file is read and
//! hashed on every run (a 500-table schema is ~300 KB, well under a millisecond to hash), so the
//! header cache's racy-timestamp rules have nothing to guard here. An entry that is missing,
//! truncated, damaged (its own SHA-256 trailer), written by another build, or for another key
//! is ignored and the files are loaded again; writing is best effort (temporary file + rename,
//! errors ignored). Only models that loaded and introspected without error are stored.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::introspect::IntrospectOptions;
use crate::runner::VersionTables;
use crate::schema::Schema;

/// Where the entries live, relative to the project root (the folder of `retort.toml`).
pub const MODEL_CACHE_RELATIVE_PATH: &str = ".retort/cache/models";

/// How many entries are kept (the most recently written): enough for a project's desired schema
/// and the few `retort diff` sides used beside it.
pub const MAX_ENTRIES: usize = 8;

const MAGIC: &[u8; 8] = b"RTRTMDL\n";

/// The code that reads a model and writes the entries: a change to either gives new keys.
const STAMP: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\0",
    include_str!("../autogen.rs"),
    include_str!("cache.rs"),
);

/// What the scratch server says about itself that changes the model loaded into it: its
/// version; the settings under which PostgreSQL prints constants and definitions (the
/// introspection sets its own empty `search_path`); the locale new databases get; the roles
/// and tablespaces a file may name; the extension versions `CREATE EXTENSION` would install.
pub(crate) const SERVER_FACTS: &str = "SELECT concat_ws(E'\\n', version(), \
       (SELECT string_agg(name || '=' || setting, ';' ORDER BY name) FROM pg_catalog.pg_settings \
         WHERE name IN ('server_version_num', 'DateStyle', 'IntervalStyle', 'TimeZone', \
           'extra_float_digits', 'bytea_output', 'standard_conforming_strings', \
           'quote_all_identifiers', 'server_encoding', 'default_text_search_config', \
           'default_table_access_method', 'default_tablespace', 'lc_monetary', 'lc_numeric')), \
       (SELECT datcollate || '/' || datctype FROM pg_catalog.pg_database WHERE datname = 'template0'), \
       (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_catalog.pg_roles), \
       (SELECT string_agg(spcname, ',' ORDER BY spcname) FROM pg_catalog.pg_tablespace), \
       (SELECT string_agg(name || ' ' || coalesce(default_version, ''), ',' ORDER BY name) \
          FROM pg_catalog.pg_available_extensions))";

/// Where a project's model cache is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelCache {
    dir: PathBuf,
    root: PathBuf,
}

/// What the model of a set of schema files depends on; `digest` names its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelKey {
    digest: [u8; 32],
}

/// The inputs of a [`ModelKey`].
pub struct KeyInputs<'a> {
    /// Each schema file in load order, with its content.
    pub files: &'a [(&'a PathBuf, String)],
    /// The scratch server's answer to [`SERVER_FACTS`].
    pub server: &'a str,
    pub options: &'a IntrospectOptions,
    pub tables: &'a VersionTables,
}

impl ModelCache {
    /// The cache of the project rooted at `root`: `root/.retort/cache/models/`.
    pub fn in_project(root: &Path) -> Self {
        Self {
            dir: root.join(MODEL_CACHE_RELATIVE_PATH),
            root: root.to_path_buf(),
        }
    }

    /// The model cache of `config`'s project, unless `[autogenerate] cache` is off.
    pub fn of(config: &crate::config::Config) -> Option<Self> {
        config
            .autogenerate
            .cache_enabled()
            .then(|| Self::in_project(&config.root))
    }

    /// The folder of the entries.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a model (file names relative to the project root, so a moved checkout keeps
    /// its cache).
    pub fn key(&self, inputs: &KeyInputs<'_>) -> ModelKey {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field(STAMP.as_bytes());
        field(program_identity().as_bytes());
        field(&(inputs.files.len() as u64).to_le_bytes());
        for (path, text) in inputs.files {
            let rel = path.strip_prefix(&self.root).unwrap_or(path);
            field(rel.as_os_str().as_encoded_bytes());
            field(text.as_bytes());
        }
        field(inputs.server.as_bytes());
        field(&(inputs.options.schemas.len() as u64).to_le_bytes());
        for s in &inputs.options.schemas {
            field(s.as_bytes());
        }
        let t = inputs.tables;
        field(t.schema.as_deref().unwrap_or("\0none").as_bytes());
        field(t.version.as_bytes());
        field(t.history.as_bytes());
        ModelKey {
            digest: h.finalize().into(),
        }
    }

    /// The entry's file.
    pub fn entry_path(&self, key: &ModelKey) -> PathBuf {
        self.dir.join(hex::encode(key.digest))
    }

    /// The model stored for `key`, if a whole, undamaged entry of this build is there.
    pub fn load(&self, key: &ModelKey) -> Option<Schema> {
        let bytes = std::fs::read(self.entry_path(key)).ok()?;
        decode(&bytes, key)
    }

    /// Store `schema` for `key`, and drop the oldest entries beyond [`MAX_ENTRIES`]; best
    /// effort: a read-only project still works, only without the cache.
    pub fn store(&self, key: &ModelKey, schema: &Schema) {
        let Ok(bytes) = encode(schema, key) else {
            return;
        };
        if !self.dir.is_dir() && !make_dir(&self.dir) {
            return;
        }
        let path = self.entry_path(key);
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let tmp = self.dir.join(format!(
            ".{}.{}.{now}.tmp",
            hex::encode(&key.digest[..8]),
            std::process::id()
        ));
        if std::fs::write(&tmp, &bytes).is_err() || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return;
        }
        self.prune();
    }

    /// Remove all but the [`MAX_ENTRIES`] most recently written entries.
    fn prune(&self) {
        let Ok(read) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut entries: Vec<(SystemTime, PathBuf)> = read
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
            })
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        if entries.len() <= MAX_ENTRIES {
            return;
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (_, path) in entries.into_iter().skip(MAX_ENTRIES) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The running program, by path, size and mtime: a rebuilt retort (or a rebuilt program
/// embedding it) does not trust entries an earlier build wrote.
fn program_identity() -> String {
    let Ok(exe) = std::env::current_exe() else {
        return String::new();
    };
    let meta = std::fs::metadata(&exe).ok();
    let mtime = meta
        .as_ref()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}\0{}\0{mtime}",
        exe.display(),
        meta.map_or(0, |m| m.len())
    )
}

fn make_dir(dir: &Path) -> bool {
    if std::fs::create_dir_all(dir).is_err() {
        return false;
    }
    // `.retort/cache/` is kept out of version control and backups, as the header cache does.
    if let Some(parent) = dir.parent() {
        let ignore = parent.join(".gitignore");
        if !ignore.exists() {
            let _ = std::fs::write(ignore, "# Made by retort.\n*\n");
        }
    }
    true
}

/// An entry: [`MAGIC`], the key, the model as JSON, then the SHA-256 of all that precedes it.
fn encode(schema: &Schema, key: &ModelKey) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(64 * 1024);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key.digest);
    serde_json::to_writer(&mut out, schema)?;
    let sum: [u8; 32] = Sha256::digest(&out).into();
    out.extend_from_slice(&sum);
    Ok(out)
}

fn decode(bytes: &[u8], key: &ModelKey) -> Option<Schema> {
    let n = bytes.len().checked_sub(32)?;
    let (content, trailer) = bytes.split_at(n);
    let rest = content.strip_prefix(MAGIC.as_slice())?;
    let json = rest.strip_prefix(key.digest.as_slice())?;
    if Sha256::digest(content).as_slice() != trailer {
        return None;
    }
    serde_json::from_slice(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> ModelKey {
        ModelKey { digest: [n; 32] }
    }

    #[test]
    fn an_entry_round_trips_and_any_damage_is_a_miss() {
        let mut schema = Schema::default();
        schema.sequences.clear();
        let bytes = encode(&schema, &key(1)).expect("encodes");
        assert_eq!(decode(&bytes, &key(1)), Some(schema.clone()));
        assert_eq!(decode(&bytes, &key(2)), None, "another key");
        assert_eq!(
            decode(&bytes[..bytes.len() - 1], &key(1)),
            None,
            "truncated"
        );
        for i in [0, 9, 45, bytes.len() - 40, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[i] ^= 0x20;
            assert_eq!(decode(&bad, &key(1)), None, "byte {i} flipped");
        }
        assert_eq!(decode(b"", &key(1)), None);
    }

    #[test]
    fn the_key_follows_names_order_content_server_and_options() {
        let cache = ModelCache::in_project(Path::new("/p"));
        let (a, b) = (PathBuf::from("/p/a.sql"), PathBuf::from("/p/b.sql"));
        let tables = VersionTables::new(None, "retort_version");
        let options = IntrospectOptions::default();
        let k = |files: &[(&PathBuf, String)], server: &str, options: &IntrospectOptions| {
            cache.key(&KeyInputs {
                files,
                server,
                options,
                tables: &tables,
            })
        };
        let base = k(&[(&a, "x".into()), (&b, "y".into())], "15", &options);
        assert_eq!(
            base,
            k(&[(&a, "x".into()), (&b, "y".into())], "15", &options)
        );
        for other in [
            k(&[(&b, "y".into()), (&a, "x".into())], "15", &options),
            k(&[(&a, "x".into()), (&b, "z".into())], "15", &options),
            k(&[(&a, "xy".into()), (&b, String::new())], "15", &options),
            k(&[(&a, "x".into())], "15", &options),
            k(&[(&a, "x".into()), (&b, "y".into())], "16", &options),
            k(
                &[(&a, "x".into()), (&b, "y".into())],
                "15",
                &IntrospectOptions {
                    schemas: vec!["app".into()],
                },
            ),
        ] {
            assert_ne!(base, other);
        }
    }
}
