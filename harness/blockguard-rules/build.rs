//! `links` metadata: this package's sources, for cargo-blockguard's runtime build.
fn main() {
    // Its real path: cargo keeps this output until the sources change, and
    // a checkout reached through a link that is gone since is still here.
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let root = std::fs::canonicalize(&dir).map_or(dir, |p| p.display().to_string());
    println!("cargo::metadata=root={root}");
}
