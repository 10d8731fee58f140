//! `embed_migrations!("migrations")`: the revision files of a directory, embedded in the binary at
//! compile time, as `&'static [(&'static str, &'static str)]` (file name, contents).
//!
//! The path is relative to the calling crate's `Cargo.toml`. Each file is embedded with
//! `include_str!`, so cargo rebuilds when one changes; to pick up new files as well, add a
//! `build.rs` with `println!("cargo:rerun-if-changed=migrations");`.

use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{Error, LitStr};

#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    expand(input.into())
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

fn expand(input: Tokens) -> syn::Result<Tokens> {
    let dir = parse_dir(input)?;
    let root = std::env::var("CARGO_MANIFEST_DIR")
        .map_err(|_| Error::new(dir.span(), "CARGO_MANIFEST_DIR is not set"))?;
    let path = Path::new(&root).join(dir.value());
    let files = sql_files(&path).map_err(|message| Error::new(dir.span(), message))?;
    let entries = files
        .iter()
        .map(|(name, full)| quote!((#name, ::core::include_str!(#full))));
    Ok(quote!(&[#(#entries),*]))
}

/// The macro's argument: one string literal, the directory.
fn parse_dir(input: Tokens) -> syn::Result<LitStr> {
    syn::parse2::<LitStr>(input).map_err(|e| {
        Error::new(
            e.span(),
            format!(
                "embed_migrations! takes one string literal, the directory relative to \
                 Cargo.toml (`embed_migrations!(\"migrations\")`): {e}"
            ),
        )
    })
}

/// The `.sql` files of `dir`, sorted: (file name, full path).
fn sql_files(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("embed_migrations!: cannot read {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql") && p.is_file())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let name = f
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| format!("non-UTF-8 file name in {}", dir.display()))?;
            let full = f
                .to_str()
                .ok_or_else(|| format!("non-UTF-8 path {}", f.display()))?;
            Ok((name.to_string(), full.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{expand, parse_dir};
    use quote::quote;

    #[test]
    fn the_argument_is_one_string_literal() {
        let dir = parse_dir(quote!("migrations")).expect("a literal");
        assert_eq!(dir.value(), "migrations");
        for bad in [quote!(migrations), quote!(), quote!("a", "b"), quote!(42)] {
            let Err(e) = parse_dir(bad.clone()) else {
                panic!("{bad}: not one string literal, accepted");
            };
            assert!(
                e.to_string()
                    .starts_with("embed_migrations! takes one string literal"),
                "{bad}: {e}"
            );
            assert!(e.to_compile_error().to_string().contains("compile_error"));
        }
    }

    #[test]
    fn embeds_the_sql_files_in_order_and_names_a_missing_directory() {
        let dir = std::env::temp_dir().join(format!("retort-macros-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        for f in ["b.sql", "a.sql", "notes.txt"] {
            std::fs::write(dir.join(f), "SELECT 1;").expect("write");
        }
        let literal = dir.to_str().expect("UTF-8 temp dir");
        let code = expand(quote!(#literal)).expect("expands").to_string();
        let a = code.find("\"a.sql\"").expect("a.sql");
        let b = code.find("\"b.sql\"").expect("b.sql");
        assert!(a < b && !code.contains("notes.txt"), "{code}");
        assert!(code.contains("include_str"), "{code}");
        std::fs::remove_dir_all(&dir).expect("clean up");
        let e = expand(quote!("no/such/dir")).expect_err("missing directory");
        assert!(e.to_string().contains("cannot read"), "{e}");
    }
}
