//! Builds the guard runtime (the preload library and its launcher) from
//! this repository's `blockguard-preload`, so that the installed
//! `cargo-blockguard` carries it: `src/runtime.rs` embeds both files and
//! unpacks them into a cache at run time.
//!
//! The runtime is built by a cargo of its own, in release, into a target
//! directory beside the one building this crate (`<target>/blockguard-runtime`),
//! so that debug, check and release builds of this crate share one.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let preload = here.join("../blockguard-preload");
    for watched in [
        "../blockguard-preload",
        "../blockguard-protocol",
        "../blockguard-rules",
    ] {
        println!("cargo:rerun-if-changed={watched}");
    }
    println!("cargo:rerun-if-changed=../../Cargo.lock");
    let target = runtime_target_dir(&out);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release", "--lib", "--bin", "blockguard-contain"])
        .arg("--manifest-path")
        .arg(preload.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        // A cargo of its own: none of this build's settings for this crate.
        .env_clear();
    for kept in [
        "PATH",
        "HOME",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
        "TMPDIR",
        "CARGO_NET_OFFLINE",
        "CARGO_REGISTRIES_CRATES_IO_PROTOCOL",
    ] {
        if let Some(value) = std::env::var_os(kept) {
            cmd.env(kept, value);
        }
    }
    let status = cmd.status().expect("cargo, to build the guard runtime");
    assert!(
        status.success(),
        "the guard runtime (blockguard-preload) did not build"
    );
    // The digest names the runtime's cache folder; hashed here, once, not
    // on every start of the binary (23 MB: tens of milliseconds).
    let mut digest = std::collections::hash_map::DefaultHasher::new();
    for file in ["libblockguard_preload.so", "blockguard-contain"] {
        let built = target.join("release").join(file);
        let bytes = std::fs::read(&built).unwrap_or_else(|e| panic!("{}: {e}", built.display()));
        std::hash::Hash::hash(&bytes, &mut digest);
        std::fs::write(out.join(file), &bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", out.join(file).display()));
    }
    println!(
        "cargo:rustc-env=BLOCKGUARD_RUNTIME_DIGEST={:016x}",
        std::hash::Hasher::finish(&digest)
    );
}

/// `<target>/blockguard-runtime` when `OUT_DIR` has cargo's usual shape
/// (`<target>/<profile>/build/<crate>-<hash>/out`); else inside `OUT_DIR`.
fn runtime_target_dir(out: &Path) -> PathBuf {
    let target = out.ancestors().nth(4);
    match target {
        Some(t)
            if out
                .parent()
                .and_then(|p| p.parent())
                .is_some_and(|b| b.ends_with("build")) =>
        {
            t.join("blockguard-runtime")
        }
        _ => out.join("runtime-target"),
    }
}
