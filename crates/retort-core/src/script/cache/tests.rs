//! The header cache never changes an answer: the same output with and without it, whatever
//! happens to the files and to the cache file.

use std::fs::FileTimes;
use std::time::Duration;

use super::format::MAGIC;
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
    std::fs::rename(dir.join("00092_bom.sql"), dir.join("00093_bom_renamed.sql")).expect("rename");
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
