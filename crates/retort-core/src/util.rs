//! Small helpers with no knowledge of any stage, so that every stage may use them.

use std::path::Path;

/// Paths in messages are shown relative to the working directory when they are under it.
pub fn display_path(path: &Path) -> String {
    if let Ok(rel) = path.strip_prefix(".") {
        return rel.display().to_string();
    }
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(rel) = path.strip_prefix(&cwd) {
            return rel.display().to_string();
        }
    }
    path.display().to_string()
}
