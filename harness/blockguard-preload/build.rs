//! The runtime carries a GNU build id whatever the linker's default: it
//! names the runtime's folder of shared names (`stack::shared_names`).
//! And the `links` metadata `root`: where this package's sources are, for
//! cargo-blockguard's build script to build the runtime from.
//! And the built-in rules files, compiled (`blockguard_rules::to_compiled`),
//! which the runtime reads instead of their TOML.

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,--build-id=sha1");
    // Its real path: cargo keeps this output until the sources change, and
    // a checkout reached through a link that is gone since is still here.
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let root = std::fs::canonicalize(&dir).map_or(dir, |p| p.display().to_string());
    println!("cargo::metadata=root={root}");
    #[cfg(feature = "runtime")]
    compile_builtin_rules();
}

#[cfg(feature = "runtime")]
fn compile_builtin_rules() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let files = [
        ("builtin-rules.bin", blockguard_rules::builtin()),
        (
            "builtin-executors.bin",
            blockguard_rules::builtin_executors(),
        ),
    ];
    for (name, file) in files {
        let bytes = blockguard_rules::to_compiled(&file)
            .unwrap_or_else(|e| panic!("the built-in {} compiles: {e}", file.source));
        std::fs::write(out.join(name), bytes).expect("OUT_DIR is writable");
    }
}
