//! The model cache of SQL schema files (issue 21): an unchanged set of files on an unchanged
//! server comes from the cache without a scratch database; a changed, added or removed file, a
//! changed server version or printing setting, and a damaged entry each force a reload; and the
//! model is the same with the cache as without it. On a real PostgreSQL.

use std::path::{Path, PathBuf};

use retort::autogen::{ModelCache, ModelSource, Scratch};
use retort::introspect::IntrospectOptions;
use retort::runner::VersionTables;
use retort::schema::Schema;

const A: &str = "CREATE TABLE account (id bigint PRIMARY KEY, name text NOT NULL DEFAULT '');\n";
const B: &str =
    "CREATE TABLE invoice (id bigint PRIMARY KEY, account_id bigint REFERENCES account, \
     due interval DEFAULT '1 day 02:00:00', total numeric(12,2) DEFAULT 0);\n\
     CREATE INDEX invoice_account ON invoice (account_id);\n";

struct Project {
    dir: tempfile::TempDir,
    server_url: String,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.sql"), A).expect("write");
        std::fs::write(dir.path().join("b.sql"), B).expect("write");
        let server_url = retort_test_support::server().admin_url().to_string();
        Self { dir, server_url }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn files(&self, names: &[&str]) -> Vec<PathBuf> {
        names.iter().map(|n| self.root().join(n)).collect()
    }

    fn cached(&self) -> Scratch {
        Scratch::new(&self.server_url).with_cache(Some(ModelCache::in_project(self.root())))
    }

    /// The cache's entry files.
    fn entries(&self) -> Vec<PathBuf> {
        let dir = ModelCache::in_project(self.root()).dir().to_path_buf();
        let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        out.sort();
        out
    }

    async fn load(&self, scratch: &Scratch, names: &[&str]) -> (Schema, ModelSource) {
        scratch
            .load_sql_from(&self.files(names), &options(), &tables())
            .await
            .expect("the schema files load")
    }

    /// The model loaded without any cache: the reference every cached answer must equal.
    async fn uncached(&self, names: &[&str]) -> Schema {
        let (schema, source) = self.load(&Scratch::new(&self.server_url), names).await;
        assert_eq!(source, ModelSource::Loaded);
        schema
    }
}

fn options() -> IntrospectOptions {
    IntrospectOptions::default()
}

fn tables() -> VersionTables {
    VersionTables::new(None, "retort_version")
}

#[tokio::test]
async fn unchanged_files_come_from_the_cache_and_equal_a_load_without_it() {
    let p = Project::new();
    let scratch = p.cached();
    let (first, source) = p.load(&scratch, &["a.sql", "b.sql"]).await;
    assert_eq!(source, ModelSource::Loaded, "nothing cached yet");
    assert_eq!(p.entries().len(), 1, "one entry written");
    let (second, source) = p.load(&scratch, &["a.sql", "b.sql"]).await;
    assert_eq!(
        source,
        ModelSource::Cache,
        "unchanged files on the same server"
    );
    assert_eq!(first, second);
    assert_eq!(second, p.uncached(&["a.sql", "b.sql"]).await);
    assert!(second.tables.keys().any(|t| t.name == "invoice"));
    // Touching a file without changing it keeps the entry: the key is the content.
    std::fs::write(p.root().join("a.sql"), A).expect("rewrite");
    assert_eq!(
        p.load(&scratch, &["a.sql", "b.sql"]).await.1,
        ModelSource::Cache
    );
}

#[tokio::test]
async fn a_changed_added_or_removed_file_forces_a_reload() {
    let p = Project::new();
    let scratch = p.cached();
    assert_eq!(
        p.load(&scratch, &["a.sql", "b.sql"]).await.1,
        ModelSource::Loaded
    );

    // Changed: one more column.
    std::fs::write(
        p.root().join("a.sql"),
        A.replace("name text", "email text, name text"),
    )
    .expect("write");
    let (changed, source) = p.load(&scratch, &["a.sql", "b.sql"]).await;
    assert_eq!(source, ModelSource::Loaded, "a changed file");
    assert_eq!(changed, p.uncached(&["a.sql", "b.sql"]).await);
    assert_eq!(
        p.load(&scratch, &["a.sql", "b.sql"]).await.1,
        ModelSource::Cache
    );

    // Added.
    std::fs::write(
        p.root().join("c.sql"),
        "CREATE VIEW big AS SELECT * FROM invoice WHERE total > 100;\n",
    )
    .expect("write");
    let (added, source) = p.load(&scratch, &["a.sql", "b.sql", "c.sql"]).await;
    assert_eq!(source, ModelSource::Loaded, "an added file");
    assert_eq!(added, p.uncached(&["a.sql", "b.sql", "c.sql"]).await);
    assert_ne!(added, changed);

    // Removed (back to the two files: their entry is still there).
    let (removed, source) = p.load(&scratch, &["a.sql", "b.sql"]).await;
    assert_eq!(source, ModelSource::Cache, "the same two files as before");
    assert_eq!(removed, changed);
    std::fs::remove_file(p.root().join("b.sql")).expect("remove");
    let (only_a, source) = p.load(&scratch, &["a.sql"]).await;
    assert_eq!(source, ModelSource::Loaded, "a removed file");
    assert_eq!(only_a, p.uncached(&["a.sql"]).await);
    assert!(!only_a.tables.keys().any(|t| t.name == "invoice"));

    // The same content under another name is another input.
    std::fs::write(p.root().join("b.sql"), B).expect("write");
    std::fs::copy(p.root().join("a.sql"), p.root().join("z.sql")).expect("copy");
    assert_eq!(
        p.load(&scratch, &["z.sql", "b.sql"]).await.1,
        ModelSource::Loaded
    );
}

#[tokio::test]
async fn a_changed_server_version_forces_a_reload() {
    let p = Project::new();
    let scratch = p.cached();
    let facts = scratch.server_facts().await.expect("facts");
    assert!(facts.contains("PostgreSQL 15"), "{facts}");
    assert!(facts.contains("server_version_num=15"), "{facts}");
    let files = p.files(&["a.sql", "b.sql"]);
    let load = |facts: String| {
        let (scratch, files) = (scratch.clone(), files.clone());
        async move {
            scratch
                .load_sql_with_facts(&files, &facts, &options(), &tables())
                .await
                .expect("loads")
                .1
        }
    };
    assert_eq!(load(facts.clone()).await, ModelSource::Loaded);
    assert_eq!(load(facts.clone()).await, ModelSource::Cache);
    // The same server after an upgrade to the next minor and major version.
    let minor = facts.replacen("server_version_num=15", "server_version_num=15999", 1);
    assert_eq!(
        load(minor).await,
        ModelSource::Loaded,
        "another minor version"
    );
    let major = facts.replace("PostgreSQL 15", "PostgreSQL 16");
    assert_eq!(
        load(major).await,
        ModelSource::Loaded,
        "another major version"
    );
    // What load_sql asks the server itself gives the first key again.
    assert_eq!(
        p.load(&scratch, &["a.sql", "b.sql"]).await.1,
        ModelSource::Cache
    );
}

#[tokio::test]
async fn a_changed_printing_setting_forces_a_reload() {
    // Sessions that print intervals the ISO 8601 way (set in the URL, as a role's or the
    // server's setting would): the default of invoice.due reads differently, so a model loaded
    // under the default style must not be reused for them.
    let p = Project::new();
    assert!(!p.server_url.contains('?'), "{}", p.server_url);
    let iso_url = format!("{}?options=-c%20IntervalStyle%3Diso_8601", p.server_url);
    let default_scratch = p.cached();
    let iso_scratch = Scratch::new(&iso_url).with_cache(Some(ModelCache::in_project(p.root())));
    let (default, source) = p.load(&default_scratch, &["a.sql", "b.sql"]).await;
    assert_eq!(source, ModelSource::Loaded);
    let (iso, source) = p.load(&iso_scratch, &["a.sql", "b.sql"]).await;
    assert_eq!(source, ModelSource::Loaded, "IntervalStyle differs");
    assert_ne!(default, iso, "the interval default prints differently");
    assert_eq!(
        (
            p.load(&default_scratch, &["a.sql", "b.sql"]).await,
            p.load(&iso_scratch, &["a.sql", "b.sql"]).await
        ),
        ((default, ModelSource::Cache), (iso, ModelSource::Cache))
    );
}

#[tokio::test]
async fn a_damaged_entry_forces_a_reload() {
    let p = Project::new();
    let scratch = p.cached();
    let (good, _) = p.load(&scratch, &["a.sql", "b.sql"]).await;
    let [entry] = p.entries().try_into().expect("one entry");
    let bytes = std::fs::read(&entry).expect("read");
    let damages: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("a byte of the model changed", {
            let mut b = bytes.clone();
            let i = b.windows(7).position(|w| w == b"invoice").expect("a name");
            b[i] = b'X';
            b
        }),
        ("the checksum changed", {
            let mut b = bytes.clone();
            let last = b.len() - 1;
            b[last] ^= 1;
            b
        }),
        ("not an entry", b"{\"tables\": {}}".to_vec()),
    ];
    for (what, damaged) in damages {
        std::fs::write(&entry, damaged).expect("damage");
        let (schema, source) = p.load(&scratch, &["a.sql", "b.sql"]).await;
        assert_eq!(source, ModelSource::Loaded, "{what}");
        assert_eq!(schema, good, "{what}");
        assert_eq!(
            std::fs::read(&entry).expect("rewritten"),
            bytes,
            "{what}: rewritten"
        );
        assert_eq!(
            p.load(&scratch, &["a.sql", "b.sql"]).await.1,
            ModelSource::Cache
        );
    }
}

#[tokio::test]
async fn without_the_cache_nothing_is_kept() {
    let p = Project::new();
    let scratch = Scratch::new(&p.server_url).with_cache(None);
    for _ in 0..2 {
        assert_eq!(
            p.load(&scratch, &["a.sql", "b.sql"]).await.1,
            ModelSource::Loaded
        );
    }
    assert!(p.entries().is_empty());
}

#[tokio::test]
async fn a_file_that_fails_to_load_is_not_cached() {
    let p = Project::new();
    std::fs::write(
        p.root().join("bad.sql"),
        "CREATE TABLE t (id nosuchtype);\n",
    )
    .expect("write");
    let scratch = p.cached();
    for _ in 0..2 {
        let err = scratch
            .load_sql_from(&p.files(&["a.sql", "bad.sql"]), &options(), &tables())
            .await
            .expect_err("the type does not exist");
        assert!(err.to_string().contains("nosuchtype"), "{err}");
    }
    assert!(p.entries().is_empty());
}
