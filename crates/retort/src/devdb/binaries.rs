//! Finding the PostgreSQL programs: `RETORT_PG_BIN_DIR`, `PATH`, `pg_config`, versioned
//! installations (newest first).

use super::*;

/// Where versioned installations live: (directory, prefix of the entries), newest version wins.
pub(super) const VERSIONED_ROOTS: &[(&str, &str)] = &[
    ("/usr/lib/postgresql", ""), // Debian, Ubuntu: /usr/lib/postgresql/15/bin
    ("/opt/homebrew/opt", "postgresql@"), // Homebrew (Apple silicon): keg-only, not on PATH
    ("/usr/local/opt", "postgresql@"), // Homebrew (Intel)
];

/// Whether `dir` holds the programs a cluster needs.
pub(super) fn is_bin_dir(dir: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|p| dir.join(p).is_file())
}

/// [`LocalCluster::find_bin_dir`] with its inputs given: the override, `PATH`, a way to ask
/// `pg_config`, and the roots of versioned installations.
pub(super) fn find_bin_dir_in(
    override_dir: Option<PathBuf>,
    path_var: Option<&OsStr>,
    pg_config: impl FnOnce() -> Option<PathBuf>,
    versioned_roots: &[(&str, &str)],
) -> Result<PathBuf, DevDbError> {
    if let Some(dir) = override_dir.filter(|d| !d.as_os_str().is_empty()) {
        return if is_bin_dir(&dir) {
            Ok(dir)
        } else {
            Err(DevDbError::BadBinDir(dir))
        };
    }
    for entry in path_var.map(std::env::split_paths).into_iter().flatten() {
        let initdb = entry.join("initdb");
        if !initdb.is_file() {
            continue;
        }
        // /usr/local/bin/initdb may be a symlink into the real bin directory.
        let real_dir = fs::canonicalize(&initdb)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        for dir in real_dir.into_iter().chain([entry]) {
            if is_bin_dir(&dir) {
                return Ok(dir);
            }
        }
    }
    if let Some(dir) = pg_config().filter(|d| is_bin_dir(d)) {
        return Ok(dir);
    }
    let mut best: Option<(Vec<u32>, PathBuf)> = None;
    for (root, prefix) in versioned_roots {
        let Ok(entries) = fs::read_dir(root) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(version) = name
                .to_str()
                .and_then(|n| n.strip_prefix(prefix))
                .and_then(parse_version)
            else {
                continue;
            };
            let bin = entry.path().join("bin");
            if is_bin_dir(&bin) && best.as_ref().is_none_or(|(v, _)| version > *v) {
                best = Some((version, bin));
            }
        }
    }
    if let Some((_, dir)) = best {
        return Ok(dir);
    }
    let roots: Vec<String> = versioned_roots
        .iter()
        .map(|(root, prefix)| format!("{root}/{prefix}*/bin"))
        .collect();
    Err(DevDbError::NoBinaries {
        searched: format!("PATH, pg_config --bindir, {}", roots.join(", ")),
    })
}

/// `15` → `[15]`, `9.6` → `[9, 6]`; anything else (e.g. `16devel`) is no version.
pub(super) fn parse_version(text: &str) -> Option<Vec<u32>> {
    text.split('.').map(|part| part.parse().ok()).collect()
}

/// The first `name` on `PATH`, or in the sbin directories root's PATH usually has.
pub(super) fn find_program(name: &str) -> Option<PathBuf> {
    let path_var = std::env::var_os("PATH");
    path_var
        .as_deref()
        .map(std::env::split_paths)
        .into_iter()
        .flatten()
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

pub(super) fn pg_config_bindir(path_var: Option<&OsStr>) -> Option<PathBuf> {
    let pg_config = path_var
        .map(std::env::split_paths)
        .into_iter()
        .flatten()
        .map(|dir| dir.join("pg_config"))
        .find(|p| p.is_file())?;
    let output = Command::new(pg_config)
        .arg("--bindir")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| PathBuf::from(text.trim()))
}
