//! `embed_migrations!("migrations")`: the revision files of a directory, embedded in the binary at
//! compile time, as `&'static [(&'static str, &'static str)]` (file name, contents).
//!
//! The path is relative to the calling crate's `Cargo.toml`. Each file is embedded with
//! `include_str!`, so cargo rebuilds when one changes; to pick up new files as well, add a
//! `build.rs` with `println!("cargo:rerun-if-changed=migrations");`.

use proc_macro::TokenStream;

#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    match expand(&input.to_string()) {
        Ok(code) => code
            .parse()
            .unwrap_or_else(|_| error("retort-macros generated invalid code")),
        Err(message) => error(&message),
    }
}

fn error(message: &str) -> TokenStream {
    format!("::core::compile_error!({message:?})")
        .parse()
        .unwrap_or_default()
}

fn expand(input: &str) -> Result<String, String> {
    let literal = input.trim();
    let dir = literal
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or_else(|| format!("embed_migrations! takes a string literal path, got `{literal}`"))?;
    let root = std::env::var("CARGO_MANIFEST_DIR")
        .map_err(|_| "CARGO_MANIFEST_DIR is not set".to_string())?;
    let path = std::path::Path::new(&root).join(dir);
    let entries = std::fs::read_dir(&path)
        .map_err(|e| format!("embed_migrations!: cannot read {}: {e}", path.display()))?;
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql") && p.is_file())
        .collect();
    files.sort();
    let mut code = String::from("&[");
    for f in files {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| format!("non-UTF-8 file name in {}", path.display()))?;
        let full = f
            .to_str()
            .ok_or_else(|| format!("non-UTF-8 path {}", f.display()))?;
        code.push_str(&format!("({name:?}, ::core::include_str!({full:?})),"));
    }
    code.push(']');
    Ok(code)
}
