//! `LocalCluster`'s lifecycle as `retort dev` uses it: a server in the background (`pg_ctl`).

use std::os::unix::fs::PermissionsExt;

use retort::devdb::{ClusterStatus, DevDbError, LocalCluster};

/// Stops the cluster even when an assertion fails halfway.
struct StopOnDrop(LocalCluster);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.stop();
    }
}

async fn show(url: &str, setting: &str) -> String {
    let client = retort_test_support::connect(url).await;
    client
        .query_one(&format!("SHOW {setting}"), &[])
        .await
        .expect("SHOW")
        .get(0)
}

#[tokio::test]
async fn init_start_stop_status_reset() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cluster = LocalCluster::new(tmp.path())
        .expect("PostgreSQL binaries")
        .with_settings(false, 5433)
        .with_setting("work_mem", "7MB");
    let guard = StopOnDrop(cluster.clone());
    assert_eq!(cluster.status(), ClusterStatus::NotInitialized);

    cluster.init().expect("init");
    assert!(cluster.is_initialized());
    assert_eq!(cluster.status(), ClusterStatus::Stopped);
    assert!(matches!(
        cluster.init(),
        Err(DevDbError::AlreadyInitialized(_))
    ));

    cluster.start().expect("start");
    let ClusterStatus::Running { pid } = cluster.status() else {
        panic!("not running after start: {}", cluster.status());
    };
    cluster.start().expect("start again does nothing");
    assert_eq!(cluster.status(), ClusterStatus::Running { pid });
    assert!(cluster.socket_dir().join(".s.PGSQL.5433").exists());
    let url = cluster.url("postgres");
    assert_eq!(show(&url, "work_mem").await, "7MB");
    assert_eq!(show(&url, "listen_addresses").await, "");

    let other_port = cluster.clone().with_settings(false, 5434);
    assert!(matches!(
        other_port.start(),
        Err(DevDbError::OtherPort { running: 5433, .. })
    ));

    cluster.stop().expect("stop");
    assert_eq!(cluster.status(), ClusterStatus::Stopped);
    cluster.stop().expect("stop again does nothing");

    // Reset: a new, running cluster without the old one's databases.
    cluster.start().expect("start");
    retort_test_support::connect(&url)
        .await
        .batch_execute("CREATE DATABASE before_reset")
        .await
        .expect("create database");
    cluster.reset().expect("reset");
    assert!(matches!(cluster.status(), ClusterStatus::Running { .. }));
    let client = retort_test_support::connect(&url).await;
    let count: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = 'before_reset'",
            &[],
        )
        .await
        .expect("query")
        .get(0);
    assert_eq!(count, 0);
    drop(client);
    drop(guard);
    assert_eq!(cluster.status(), ClusterStatus::Stopped);
}

#[test]
fn a_failing_start_shows_the_server_log() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cluster = LocalCluster::new(tmp.path())
        .expect("PostgreSQL binaries")
        .with_settings(false, 5435)
        .with_setting("shared_preload_libraries", "no_such_extension_library");
    let _guard = StopOnDrop(cluster.clone());
    cluster.init().expect("init");
    let err = cluster
        .start()
        .expect_err("cannot preload a missing library");
    let message = err.to_string();
    assert!(matches!(err, DevDbError::StartFailed { .. }), "{message}");
    assert!(message.contains("no_such_extension_library"), "{message}");
    let attached = cluster
        .start_attached(false)
        .expect_err("same failure attached");
    assert!(
        attached.to_string().contains("the server exited"),
        "{attached}"
    );
}

#[test]
fn a_non_empty_foreign_directory_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("precious.txt"), "keep me").expect("write");
    let cluster = LocalCluster::new(tmp.path()).expect("PostgreSQL binaries");
    assert!(matches!(cluster.init(), Err(DevDbError::NotOurs(_))));
    assert!(matches!(cluster.reset(), Err(DevDbError::NotOurs(_))));
    assert!(tmp.path().join("precious.txt").exists());
}

#[test]
fn as_root_an_unreachable_directory_is_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let cluster = LocalCluster::new(&tmp.path().join("pg")).expect("PostgreSQL binaries");
    if cluster.run_as().is_none() {
        return; // not root: the directory is ours anyway
    }
    let err = cluster
        .init()
        .expect_err("the server's user cannot enter the temp dir");
    let message = err.to_string();
    assert!(
        matches!(&err, DevDbError::NotReachable { path, .. } if path == tmp.path()),
        "{message}"
    );
    assert!(message.contains("under /tmp"), "{message}");
}
