//! Rebuild when a revision file is added or removed (each embedded file is tracked already).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
