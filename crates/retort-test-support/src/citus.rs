//! A local Citus cluster for tests: a coordinator and two workers, three throwaway servers made
//! by [`LocalCluster`] (each in its own temporary directory, socket only, `citus` preloaded,
//! stopped and removed when the test process ends however it ends). Nodes reach each other
//! through their socket directories: Citus passes a node's name to libpq as `host`, and a
//! directory there is a Unix socket.
//!
//! ```no_run
//! # async fn example() {
//! use retort_test_support::citus::CitusCluster;
//! let Some(cluster) = CitusCluster::start_or_skip("my_test") else { return };
//! let url = cluster.database("app").await.unwrap(); // the coordinator's database `app`
//! # }
//! ```

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;

use retort::devdb::{AttachedServer, LocalCluster, DEFAULT_PORT};

/// One node: its cluster and the handle keeping its server alive.
struct Node {
    cluster: LocalCluster,
    _server: AttachedServer,
}

/// A coordinator (`nodes[0]`) and two workers.
pub struct CitusCluster {
    nodes: Vec<Node>,
}

/// Where the Citus library of the PostgreSQL that [`LocalCluster`] runs is, if installed
/// (`pg_config --pkglibdir` beside the server binaries).
pub fn citus_library() -> Result<PathBuf, String> {
    let bin = LocalCluster::find_bin_dir().map_err(|e| e.to_string())?;
    let pg_config = Some(bin.join("pg_config"))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("pg_config"));
    let out = Command::new(&pg_config)
        .arg("--pkglibdir")
        .output()
        .map_err(|e| format!("{}: {e}", pg_config.display()))?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let lib = dir.join("citus.so");
    if lib.is_file() {
        Ok(lib)
    } else {
        Err(format!("no citus.so in {}", dir.display()))
    }
}

impl CitusCluster {
    /// Three nodes started with `citus` preloaded.
    pub fn start() -> Result<Self, String> {
        citus_library()?;
        let mut nodes = Vec::new();
        for role in ["coordinator", "worker1", "worker2"] {
            let dir = tempfile::Builder::new()
                .prefix(&format!("retort-citus-{role}-"))
                .tempdir()
                .map_err(|e| format!("temporary directory: {e}"))?
                .keep();
            let cluster = LocalCluster::new(&dir)
                .map_err(|e| e.to_string())?
                .with_settings(false, DEFAULT_PORT)
                .with_setting("shared_preload_libraries", "citus")
                .with_setting("citus.enable_statistics_collection", "off")
                // Shards live on the workers only; the coordinator keeps metadata and
                // reference-table replicas.
                .with_setting("citus.shard_count", "8");
            cluster.init().map_err(|e| format!("{role}: {e}"))?;
            let server = cluster
                .start_attached(true)
                .map_err(|e| format!("{role} does not start with citus preloaded: {e}"))?;
            nodes.push(Node {
                cluster,
                _server: server,
            });
        }
        Ok(Self { nodes })
    }

    /// [`start`](Self::start), or `None` after saying on stderr (past the test harness's
    /// capture) why `test` is skipped, when Citus is not installed. A Citus that is installed
    /// but does not start is a failure, not a skip.
    pub fn start_or_skip(test: &str) -> Option<Self> {
        if let Err(why) = citus_library() {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: Citus is not installed in this PostgreSQL ({why}); \
                 `bash .ci/install-citus.sh` installs it"
            );
            return None;
        }
        match Self::start() {
            Ok(cluster) => Some(cluster),
            Err(e) => panic!("Citus is installed but the cluster does not start: {e}"),
        }
    }

    /// The coordinator's URL for `database`.
    pub fn coordinator_url(&self, database: &str) -> String {
        self.nodes[0].cluster.url(database)
    }

    /// The URL of every node (coordinator first) for `database`.
    pub fn node_urls(&self, database: &str) -> Vec<String> {
        self.nodes.iter().map(|n| n.cluster.url(database)).collect()
    }

    /// Makes `database` on every node with the citus extension, registers the coordinator and
    /// both workers in the coordinator's metadata, and returns the coordinator's URL.
    pub async fn database(&self, database: &str) -> Result<String, String> {
        for node in &self.nodes {
            let admin = crate::connect(&node.cluster.url("postgres")).await;
            admin
                .batch_execute(&format!("CREATE DATABASE {database}"))
                .await
                .map_err(|e| format!("CREATE DATABASE {database}: {}", crate::describe(&e)))?;
            crate::connect(&node.cluster.url(database))
                .await
                .batch_execute("CREATE EXTENSION citus")
                .await
                .map_err(|e| format!("CREATE EXTENSION citus: {}", crate::describe(&e)))?;
        }
        let coordinator = crate::connect(&self.coordinator_url(database)).await;
        let host = |n: &Node| n.cluster.socket_dir().display().to_string();
        let mut sql = format!(
            "SELECT citus_set_coordinator_host('{}', {});",
            host(&self.nodes[0]),
            self.nodes[0].cluster.port()
        );
        for worker in &self.nodes[1..] {
            sql.push_str(&format!(
                "SELECT citus_add_node('{}', {});",
                host(worker),
                worker.cluster.port()
            ));
        }
        coordinator
            .batch_execute(&sql)
            .await
            .map_err(|e| format!("adding the nodes: {}", crate::describe(&e)))?;
        Ok(self.coordinator_url(database))
    }
}
