//! `links` metadata: this package's sources, for cargo-blockguard's runtime build.
fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    println!("cargo::metadata=root={root}");
}
