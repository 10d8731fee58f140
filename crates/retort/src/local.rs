//! The local development database: with no database URL configured, retort uses a PostgreSQL
//! cluster of the project's own under `.retort/pg`, created and started on first use.

use miette::Diagnostic;

use crate::config::{database_url_given, Config, UrlSource};
use crate::devdb::{ClusterStatus, DevDbError, LocalCluster};

/// Database created in the local cluster for the project.
pub const LOCAL_DATABASE: &str = "retort_dev";

/// Where the local cluster of a project lives.
pub fn cluster_dir(config: &Config) -> std::path::PathBuf {
    config.root.join(".retort").join("pg")
}

/// Where the project's scratch cluster lives: the server of the throwaway databases that
/// autogenerate loads the desired schema into, kept apart from the dev data.
pub fn scratch_cluster_dir(config: &Config) -> std::path::PathBuf {
    config.root.join(".retort").join("scratch")
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[non_exhaustive]
pub enum LocalError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Cluster(#[from] DevDbError),
    #[error("could not create database {LOCAL_DATABASE} in the local cluster: {0}")]
    #[diagnostic(help("`retort dev reset` recreates the local cluster"))]
    CreateDatabase(String),
}

/// The local cluster, initialised and started if needed; `notes` says what was done.
pub fn ensure_cluster(
    config: &Config,
    notes: &mut Vec<String>,
) -> Result<LocalCluster, LocalError> {
    let cluster = LocalCluster::new(&cluster_dir(config))?;
    ensure_running(&cluster, "no database URL configured", notes)?;
    Ok(cluster)
}

/// The project's scratch cluster, initialised and started if needed; `notes` says what was
/// done. It only ever holds throwaway databases, so it runs with the test settings of
/// [`LocalCluster::with_settings`]: `fsync`, `full_page_writes` and `synchronous_commit` off.
/// A crash can corrupt it; nothing in it needs to survive one, and deleting `.retort/scratch` (after
/// `retort dev stop`) makes a new one on the next use. Loading a schema there skips the fsync
/// PostgreSQL makes of every new index, the bulk of the load's time on a real disk.
///
/// When retort runs as root in a project directory that the user PostgreSQL runs as cannot
/// enter (a 0700 temporary directory, common in containers and CI), the cluster lives in
/// [`scratch_fallback_dir`] instead, and a note says so.
pub fn ensure_scratch_cluster(
    config: &Config,
    notes: &mut Vec<String>,
) -> Result<LocalCluster, LocalError> {
    let scratch = |dir: &std::path::Path| -> Result<LocalCluster, LocalError> {
        Ok(LocalCluster::new(dir)?.with_settings(false, crate::devdb::DEFAULT_PORT))
    };
    let primary = scratch(&scratch_cluster_dir(config))?;
    let fallback = scratch(&scratch_fallback_dir(config))?;
    let cluster = if !primary.is_initialized() && fallback.is_initialized() {
        notes.push(format!(
            "the scratch cluster of this project lives in {} (PostgreSQL's user could not enter {})",
            fallback.dir().display(),
            crate::util::display_path(&config.root)
        ));
        fallback
    } else {
        match ensure_running(&primary, "for autogenerate's scratch databases", notes) {
            Err(LocalError::Cluster(DevDbError::NotReachable { user, path })) => {
                notes.push(format!(
                    "user {user} (who runs PostgreSQL) cannot enter {}: the scratch cluster lives in {} instead",
                    path.display(),
                    fallback.dir().display()
                ));
                fallback
            }
            Err(e) => return Err(e),
            Ok(()) => return Ok(primary),
        }
    };
    ensure_running(&cluster, "for autogenerate's scratch databases", notes)?;
    Ok(cluster)
}

/// Where the scratch cluster lives when the project directory cannot hold it: under the
/// temporary directory, named for the project's path (so each project has its own).
pub fn scratch_fallback_dir(config: &Config) -> std::path::PathBuf {
    use sha2::Digest as _;
    // The absolute path: `root` is often `.`, the same text for every project.
    let root = std::fs::canonicalize(&config.root).unwrap_or_else(|_| config.root.clone());
    let digest = sha2::Sha256::digest(root.as_os_str().as_encoded_bytes());
    std::env::temp_dir().join(format!("retort-scratch-{}", &hex::encode(digest)[..16]))
}

fn ensure_running(
    cluster: &LocalCluster,
    why: &str,
    notes: &mut Vec<String>,
) -> Result<(), LocalError> {
    let shown = crate::util::display_path(cluster.dir());
    if !cluster.is_initialized() {
        cluster.init()?;
        notes.push(format!(
            "created a local PostgreSQL cluster in {shown} ({why})"
        ));
    }
    if !matches!(cluster.status(), ClusterStatus::Running { .. }) {
        cluster.start()?;
        notes.push(format!(
            "started the local PostgreSQL server in {shown} (stop it with `retort dev stop`)"
        ));
    }
    Ok(())
}

/// The database URL of a command: the one given (`flag`, else `DATABASE_URL`, else
/// retort.toml's: [`database_url_given`]), else the project's local dev database, created and
/// started on first use (`notes` say what was done). The one place this precedence is decided,
/// for the CLI and embedding programs alike.
pub async fn database_url(
    config: &Config,
    flag: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<(String, UrlSource), LocalError> {
    if let Some(given) = database_url_given(flag, config.database_url.as_deref()) {
        return Ok(given);
    }
    let url = local_database_url(config, notes).await?;
    Ok((url, UrlSource::Local))
}

/// URL of the project's local database, creating cluster and database as needed.
pub async fn local_database_url(
    config: &Config,
    notes: &mut Vec<String>,
) -> Result<String, LocalError> {
    let cluster = ensure_cluster(config, notes)?;
    let admin = cluster.url("postgres");
    let target = crate::db::Endpoint::parse(&admin)
        .map_err(|e| LocalError::CreateDatabase(e.to_string()))?;
    let client = target
        .connect("retort dev")
        .await
        .map_err(|e| LocalError::CreateDatabase(e.to_string()))?;
    let exists = client
        .simple_query(&format!(
            "SELECT 1 FROM pg_database WHERE datname = '{LOCAL_DATABASE}'"
        ))
        .await
        .map_err(|e| LocalError::CreateDatabase(e.to_string()))?
        .into_iter()
        .any(|m| matches!(m, tokio_postgres::SimpleQueryMessage::Row(_)));
    if !exists {
        match client
            .batch_execute(&format!("CREATE DATABASE {LOCAL_DATABASE}"))
            .await
        {
            Ok(()) => notes.push(format!(
                "created database {LOCAL_DATABASE} in the local cluster"
            )),
            // Another process created it at the same moment.
            Err(e)
                if e.code()
                    .is_some_and(|c| c.code() == "42P04" || c.code() == "23505") => {}
            Err(e) => return Err(LocalError::CreateDatabase(e.to_string())),
        }
    }
    Ok(cluster.url(LOCAL_DATABASE))
}
