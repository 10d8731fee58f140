//! The throwaway server does not outlive its test process, however that process ends.
//!
//! The test re-runs this test binary as a child that starts a server (the ignored test
//! `child_starts_a_server`), reads the postmaster's pid and directory from it, lets it exit or
//! kills it, and checks that the postmaster is gone and its directory deleted.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "RETORT_TEST_WATCHDOG_CHILD";

/// Run only as the child of the tests below (it does nothing otherwise).
#[test]
#[ignore = "helper of the watchdog tests, which run it in a child process"]
fn child_starts_a_server() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let db = runtime.block_on(retort_test_support::fresh_database());
    let server = retort_test_support::server();
    println!(
        "RETORT_CHILD pid={} dir={} db={}",
        server.postmaster_pid().expect("a throwaway server"),
        server.cluster_dir().expect("a throwaway server").display(),
        db.name
    );
    match mode.as_str() {
        "wait" => loop {
            std::thread::sleep(Duration::from_secs(1)); // until the parent kills us
        },
        "panic" => panic!("the child panics on purpose"),
        _ => {}
    }
}

fn alive(pid: u32) -> bool {
    // A zombie is as good as gone: its parent (the watchdog) only has to reap it.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(')')?;
            rest.trim_start().chars().next()
        })
        .is_some_and(|state| state != 'Z' && state != 'X')
}

/// Starts the child in `mode`, ends it (`kill`: SIGKILL), and checks the server is gone.
fn server_is_gone_after_child(mode: &str, kill: bool) {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "child_starts_a_server",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD_ENV, mode)
        .env_remove(retort_test_support::DATABASE_URL_ENV)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the child");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let info = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("RETORT_CHILD ").map(str::to_string))
        .expect("the child printed its server");
    // Keep reading, so that the child's last words do not fail on a closed pipe.
    let drain = std::thread::spawn(move || lines.count());
    let field = |key: &str| {
        info.split(' ')
            .find_map(|kv| kv.strip_prefix(key))
            .expect("field")
            .to_string()
    };
    let pid: u32 = field("pid=").parse().expect("pid");
    let dir = PathBuf::from(field("dir="));
    assert!(alive(pid), "the child's server {pid} is not running");
    assert!(dir.join("data/PG_VERSION").exists());

    if kill {
        child.kill().expect("kill the child");
    }
    let status = child.wait().expect("wait for the child");
    let _ = drain.join();
    match mode {
        "exit" => assert!(status.success(), "the child failed: {status}"),
        "panic" => assert_eq!(status.code(), Some(101), "{status}"),
        _ => {}
    }
    let ended = Instant::now();
    let deadline = ended + Duration::from_secs(20);
    while (alive(pid) || dir.exists()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !alive(pid),
        "server {pid} outlived its test process ({status})"
    );
    assert!(
        !Path::new(&dir).exists(),
        "{} outlived its test process",
        dir.display()
    );
    eprintln!(
        "{mode}: child ended ({status}); server and directory gone {:?} later",
        ended.elapsed()
    );
}

#[test]
fn server_stops_when_the_test_process_is_killed() {
    server_is_gone_after_child("wait", true);
}

#[test]
fn server_stops_when_the_test_process_exits() {
    server_is_gone_after_child("exit", false);
}

#[test]
fn server_stops_when_the_test_process_panics() {
    server_is_gone_after_child("panic", false);
}
