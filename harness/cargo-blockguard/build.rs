//! Builds the guard runtime (the preload library and its launcher) so that
//! `cargo-blockguard` carries it: `src/runtime.rs` embeds both files and
//! unpacks them into a cache at run time.
//!
//! The sources come from the `blockguard-preload` dependency, whose `links`
//! metadata names its folder (and so do `blockguard-protocol`'s and
//! `blockguard-rules`'s). In this repository that folder is a member of the
//! workspace and is built in place, with the workspace's lock file. From a
//! registry (`cargo install cargo-blockguard`, or `cargo package`'s
//! verification) it is a packaged crate: it is copied here as a workspace
//! of its own, with its packaged lock file, and with the protocol and rules
//! crates this build uses patched in, so the runtime and this binary always
//! speak the same protocol, published or not.
//!
//! The runtime is built by a cargo of its own, in release, into a target
//! directory beside the one building this crate (`<target>/blockguard-runtime`),
//! so that debug, check and release builds of this crate share one.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The runtime's release profile, wherever it is built from. Its own code
/// in one unit: the scheduler's switch inlines corosensei's resume and
/// suspend (34 against 54 ns with several units). No debug info: it names
/// the code under test from that code's own, never its own frames' places.
const PROFILE: &[&str] = &[
    "profile.release.package.blockguard-preload.codegen-units=1",
    "profile.release.debug=false",
    "profile.release.strip=\"debuginfo\"",
];

/// What the runtime's cargo keeps of this build's environment: where the
/// toolchain and registries are, and how to reach them; nothing of this
/// crate's own build settings.
const KEPT: &[&str] = &[
    "PATH",
    "HOME",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "TMPDIR",
    "http_proxy",
    "https_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "no_proxy",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];
const KEPT_PREFIXES: &[&str] = &[
    "CARGO_NET_",
    "CARGO_HTTP_",
    "CARGO_REGISTRIES_",
    "CARGO_REGISTRY_",
];

fn main() {
    // Linked at a fixed address, not as a PIE: the target runner starts once
    // per test binary (per test under nextest), and a PIE first rewrites
    // 18,000 pointers, 0.35 ms a start here. Its libraries, stack and heap
    // are still placed at random.
    println!("cargo::rustc-link-arg-bins=-no-pie");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let preload = dependency_root("BLOCKGUARD_PRELOAD");
    let manifest = if preload.join("Cargo.toml.orig").is_file() {
        standalone_copy(&preload, &out.join("runtime-src"))
    } else {
        for watched in [
            &preload,
            &dependency_root("BLOCKGUARD_PROTOCOL"),
            &dependency_root("BLOCKGUARD_RULES"),
        ] {
            println!("cargo:rerun-if-changed={}", watched.display());
        }
        println!("cargo:rerun-if-changed=../../Cargo.lock");
        preload.join("Cargo.toml")
    };
    let target = runtime_target_dir(&out);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release", "--lib", "--bin", "blockguard-contain"])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target);
    for setting in PROFILE {
        cmd.args(["--config", setting]);
    }
    cmd.env_clear();
    for (name, value) in std::env::vars_os() {
        let name_text = name.to_string_lossy();
        if KEPT.contains(&&*name_text) || KEPT_PREFIXES.iter().any(|p| name_text.starts_with(p)) {
            cmd.env(&name, value);
        }
    }
    let status = cmd.status().expect("cargo, to build the guard runtime");
    assert!(
        status.success(),
        "the guard runtime (blockguard-preload) did not build"
    );
    // The digest names the runtime's cache folder; hashed here, once, not
    // on every start of the binary.
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

/// The folder of a dependency's sources, from its `links` metadata.
fn dependency_root(links: &str) -> PathBuf {
    let var = format!("DEP_{links}_ROOT");
    PathBuf::from(
        std::env::var_os(&var).unwrap_or_else(|| panic!("{var}: the dependency's links metadata")),
    )
}

/// Copies a packaged `blockguard-preload` to `to` as a workspace of its
/// own, the protocol and rules crates patched to this build's; its
/// manifest.
fn standalone_copy(from: &Path, to: &Path) -> PathBuf {
    if to.exists() {
        std::fs::remove_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    }
    copy_tree(from, to);
    let manifest = to.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest)
        .unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    text.push_str("\n[workspace]\n\n[patch.crates-io]\n");
    for (krate, links) in [
        ("blockguard-protocol", "BLOCKGUARD_PROTOCOL"),
        ("blockguard-rules", "BLOCKGUARD_RULES"),
    ] {
        let root = dependency_root(links);
        text.push_str(&format!(
            "{krate} = {{ path = {:?} }}\n",
            root.display().to_string()
        ));
    }
    std::fs::write(&manifest, text).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    manifest
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
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
