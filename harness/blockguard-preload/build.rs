//! The runtime carries a GNU build id whatever the linker's default: it
//! names the runtime's folder of shared names (`stack::shared_names`).
//! And the `links` metadata `root`: where this package's sources are, for
//! cargo-blockguard's build script to build the runtime from.

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,--build-id=sha1");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    println!("cargo::metadata=root={root}");
}
