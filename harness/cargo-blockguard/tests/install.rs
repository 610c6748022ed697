//! `cargo install --path harness/cargo-blockguard` into a temporary root,
//! then `cargo blockguard test` through cargo itself, in a copy of
//! `fixtures/workspace` outside this repository: the installed binary
//! carries its guard runtime and needs nothing from here.

mod support;

use std::process::Command;
use support::{copy_fixture, entries, root, shown};

#[test]
fn the_installed_subcommand_runs_outside_the_repository() {
    let scratch = support::scratch();
    let install_root = scratch.join("install-root");
    let installed = Command::new(env!("CARGO"))
        .args(["install", "--locked", "--quiet", "--force", "--path"])
        .arg(root().join("harness/cargo-blockguard"))
        .arg("--root")
        .arg(&install_root)
        // Kept between runs so that a second run builds nothing.
        .arg("--target-dir")
        .arg(root().join("target/blockguard-install"))
        .output()
        .expect("cargo install");
    assert!(installed.status.success(), "{}", shown(&installed));

    let outside = std::env::temp_dir();
    assert!(
        !outside.starts_with(root()),
        "the temporary folder is inside the repository"
    );
    let dir = copy_fixture("workspace", &outside, "blockguard-installed");
    let cache = outside.join(format!("blockguard-cache-{}", std::process::id()));
    let path = std::env::join_paths(std::iter::once(install_root.join("bin")).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["blockguard", "test", "-p", "alpha"])
        .current_dir(&dir)
        .env("PATH", path)
        .env("BLOCKGUARD_CACHE_DIR", &cache)
        .env_remove("BLOCKGUARD_PRELOAD")
        .env_remove("BLOCKGUARD_SNAPSHOTS")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("cargo blockguard");
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let report = support::report(&dir.join("target/blockguard/reports/alpha.json"));
    assert_eq!(
        entries(&report),
        [
            "alpha alpha tests::adds pass",
            "alpha alpha tests::naps blocked",
            "alpha alpha tests::passes_on_a_retry fail",
            "alpha files counts pass",
            "alpha files reads_its_manifest blocked",
        ]
    );
    let unpacked: Vec<_> = std::fs::read_dir(&cache).unwrap().flatten().collect();
    assert_eq!(
        unpacked.len(),
        1,
        "one unpacked runtime in {}",
        cache.display()
    );
    let runtime = unpacked[0].path();
    assert!(runtime.join("libblockguard_preload.so").is_file());
    assert!(runtime.join("blockguard-contain").is_file());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&cache);
}
