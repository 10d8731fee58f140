use super::binaries::parse_version;
use super::owner::shell_quote;
use super::*;

fn fake_bin_dir(dir: &Path) -> PathBuf {
    fs::create_dir_all(dir).expect("mkdir");
    for program in ["initdb", "pg_ctl", "postgres"] {
        fs::write(dir.join(program), "#!/bin/sh\n").expect("write");
    }
    dir.to_path_buf()
}

fn cluster(dir: &str, fsync: bool) -> LocalCluster {
    LocalCluster {
        dir: PathBuf::from(dir),
        bin_dir: PathBuf::from("/usr/bin"),
        port: DEFAULT_PORT,
        fsync,
        extra: Vec::new(),
        run_as: None,
    }
}

#[test]
fn url_encodes_the_socket_directory_as_host() {
    let c = cluster("/work/my app/.retort/pg", true);
    assert_eq!(
        c.url("app"),
        "postgresql://postgres@%2Fwork%2Fmy%20app%2F.retort%2Fpg:5432/app"
    );
    let c = cluster("/tmp/x", true).with_settings(false, 6543);
    assert_eq!(
        c.url("a b/c"),
        "postgresql://postgres@%2Ftmp%2Fx:6543/a%20b%2Fc"
    );
}

#[test]
fn settings_file_for_dev_and_tests() {
    let dev = cluster("/tmp/it's", true).with_setting("shared_preload_libraries", "timescaledb");
    let text = dev.settings_file_text().expect("valid");
    assert!(text.contains("listen_addresses = ''\n"), "{text}");
    assert!(text.contains("port = '5432'\n"), "{text}");
    assert!(
        text.contains("unix_socket_directories = '/tmp/it''s'\n"),
        "{text}"
    );
    assert!(text.contains("max_connections = '100'\n"), "{text}");
    assert!(!text.contains("fsync"), "{text}");
    assert!(
        text.ends_with("shared_preload_libraries = 'timescaledb'\n"),
        "{text}"
    );

    let test = cluster("/tmp/t", false).with_settings(false, 5433);
    let text = test.settings_file_text().expect("valid");
    for line in [
        "port = '5433'",
        "fsync = 'off'",
        "synchronous_commit = 'off'",
        "full_page_writes = 'off'",
        "max_connections = '200'",
        "shared_buffers = '64MB'",
    ] {
        assert!(text.contains(line), "{line} missing from {text}");
    }

    let bad = cluster("/tmp/t", true).with_setting("fsync = off\nport", "1");
    assert!(matches!(
        bad.settings_file_text(),
        Err(DevDbError::BadSetting(_))
    ));
}

#[test]
fn bin_dir_order_override_path_pg_config_versions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let on_path = fake_bin_dir(&root.join("path-bin"));
    let from_pg_config = fake_bin_dir(&root.join("pg-config-bin"));
    let versions = root.join("lib/postgresql");
    for v in ["9.6", "10", "15", "16devel"] {
        fake_bin_dir(&versions.join(v).join("bin"));
    }
    fs::create_dir_all(versions.join("17")).expect("mkdir"); // no bin: skipped
    let overridden = fake_bin_dir(&root.join("override"));
    let versions_str = versions.to_str().expect("utf-8");
    let roots = [(versions_str, "")];
    let path_var = std::env::join_paths([root.join("empty"), on_path.clone()]).expect("join");

    let find = |override_dir: Option<PathBuf>, path: Option<&OsStr>, pg: Option<PathBuf>| {
        find_bin_dir_in(override_dir, path, || pg, &roots)
    };
    let pg = Some(from_pg_config.clone());
    assert_eq!(
        find(Some(overridden.clone()), Some(&path_var), pg.clone()).expect("found"),
        overridden
    );
    assert!(matches!(
        find(Some(root.join("empty")), Some(&path_var), pg.clone()),
        Err(DevDbError::BadBinDir(_))
    ));
    assert_eq!(
        find(None, Some(&path_var), pg.clone()).expect("found"),
        on_path
    );
    assert_eq!(find(None, None, pg.clone()).expect("found"), from_pg_config);
    assert_eq!(
        find(None, None, Some(root.join("empty"))).expect("found"),
        versions.join("15/bin")
    );
    let none = find_bin_dir_in(None, None, || None, &[]).expect_err("nothing there");
    let message = none.to_string();
    assert!(message.contains("apt-get install postgresql"), "{message}");
    assert!(message.contains("brew install postgresql@15"), "{message}");
}

#[test]
fn bin_dir_on_path_follows_symlinks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let real = fake_bin_dir(&tmp.path().join("lib/postgresql/15/bin"));
    let links = tmp.path().join("local-bin");
    fs::create_dir_all(&links).expect("mkdir");
    // Like /usr/local/bin here: initdb, pg_ctl, postgres linked, pg_isready not.
    std::os::unix::fs::symlink(real.join("initdb"), links.join("initdb")).expect("symlink");
    let path_var = links.clone().into_os_string();
    let found = find_bin_dir_in(None, Some(&path_var), || None, &[]).expect("found");
    assert_eq!(found, fs::canonicalize(&real).expect("canonical"));
}

#[test]
fn versions_compare_numerically() {
    assert!(parse_version("10") > parse_version("9.6"));
    assert_eq!(parse_version("16devel"), None);
    assert_eq!(parse_version("15"), Some(vec![15]));
}

#[test]
fn shell_quoting_survives_quotes() {
    let quoted = shell_quote(OsStr::new("it's a $test"));
    assert_eq!(quoted, b"'it'\\''s a $test'".to_vec());
    let out = Command::new("sh")
        .arg("-c")
        .arg(OsString::from_vec(
            [b"printf %s ".to_vec(), quoted].concat(),
        ))
        .output()
        .expect("sh");
    assert_eq!(out.stdout, b"it's a $test");
}

#[test]
fn log_tail_keeps_last_lines() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("log");
    let text: String = (1..=40).map(|i| format!("line {i}\n")).collect();
    fs::write(&path, text).expect("write");
    let tail = LogTail::read(&path);
    assert_eq!(tail.lines.len(), LOG_TAIL_LINES);
    assert_eq!(tail.lines.last().map(String::as_str), Some("line 40"));
    assert!(tail.to_string().contains("\n  | line 26"));
    assert_eq!(LogTail::read(&tmp.path().join("missing")).to_string(), "");
}

#[test]
fn status_of_a_missing_cluster() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let c = cluster(tmp.path().to_str().expect("utf-8"), true);
    assert_eq!(c.status(), ClusterStatus::NotInitialized);
    assert!(matches!(c.start(), Err(DevDbError::NotInitialized(_))));
    assert!(c.stop().is_ok());
}

#[test]
fn own_process_is_alive() {
    assert!(process_alive(std::process::id()));
    assert!(!process_alive(u32::MAX - 1));
}

#[test]
fn socket_path_length_is_checked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let long = tmp.path().join("x".repeat(120));
    let c = cluster(long.to_str().expect("utf-8"), true);
    fs::create_dir_all(c.data_dir()).expect("mkdir");
    fs::write(c.data_dir().join("PG_VERSION"), "15\n").expect("write");
    assert!(matches!(
        c.start(),
        Err(DevDbError::SocketPathTooLong { .. })
    ));
}
