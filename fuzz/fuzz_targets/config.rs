//! The config loader (`retort.toml` text → `Config`): no panic on any text, and:
//! - an accepted config satisfies what `validate` promises (id length 4-32, a `{rev}` in the
//!   file template, a version table name of 1-63 characters, hooks with a command), with every
//!   path under the config's folder, and `${VAR}` replaced in `database_url`;
//! - an error is one line that names the file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use retort::config::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("/project/retort.toml");
    // Variables named A... are set (to a value with a `$`), others are not.
    let env = |name: &str| name.starts_with('A').then(|| format!("v${name}"));
    match Config::parse(text, path, env) {
        Ok(c) => {
            assert!((4..=32).contains(&c.revision_id_length));
            assert!(c.file_template.contains("{rev}"));
            assert!(!c.version_table.is_empty() && c.version_table.len() <= 63);
            assert!(c.post_write_hooks.iter().all(|h| !h.command.is_empty()));
            assert_eq!(c.root, Path::new("/project"));
            for dir in &c.version_locations {
                assert!(dir.is_absolute(), "relative location {dir:?}");
            }
            assert!(!c.version_locations.is_empty());
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(shown.starts_with("/project/retort.toml"), "{shown:?}");
            assert!(!shown.contains('\n'), "multi-line config error: {shown:?}");
        }
    }
});
