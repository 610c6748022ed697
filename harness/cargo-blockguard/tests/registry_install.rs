//! Installing from the registry, as a user does, with nothing of this
//! repository at hand: `cargo package --workspace` packs and verifies every
//! crate from its own `.crate`; those crates and their dependencies make a
//! local registry (a directory source: `cargo vendor`'s layout); then, with
//! a `CARGO_HOME` of its own whose only source is that registry and the
//! network off, `cargo install cargo-blockguard --locked` builds the
//! subcommand and its guard runtime from the packaged sources, and the
//! installed binary guards a copy of `fixtures/workspace` outside the
//! repository.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{copy_fixture, entries, root, shown};

#[test]
fn cargo_install_from_a_local_registry_offline_guards_a_workspace() {
    let scratch = std::env::temp_dir().join(format!("blockguard-registry-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    // Kept between runs, so that a second run rebuilds only this repository's crates.
    let target = root().join("target/blockguard-package");

    let packaged = package_workspace(&target);
    let registry = scratch.join("registry");
    vendor_dependencies(&registry);
    for krate in &packaged {
        add_packaged_crate(&registry, krate);
    }
    let cargo_home = offline_cargo_home(&scratch, &registry);
    let install_root = scratch.join("root");
    let install = cargo()
        .args(["install", "cargo-blockguard", "--locked", "--debug"])
        .arg("--root")
        .arg(&install_root)
        .arg("--target-dir")
        .arg(&target)
        .env("CARGO_HOME", &cargo_home)
        .env("CARGO_NET_OFFLINE", "true")
        .current_dir(&scratch)
        .output()
        .unwrap();
    assert!(install.status.success(), "{}", shown(&install));
    let installing = String::from_utf8_lossy(&install.stderr);
    assert!(
        installing.contains("Installing cargo-blockguard v"),
        "{installing}"
    );
    // The runtime was built from the packaged blockguard-preload: its
    // sources copied into the build as a workspace of their own.
    let built_from_package = std::fs::read_dir(target.join("debug/build"))
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("cargo-blockguard-")
        })
        .any(|e| e.path().join("out/runtime-src/Cargo.toml.orig").is_file());
    assert!(built_from_package, "no runtime built from packaged sources");

    let dir = copy_fixture("workspace", &scratch, "user-workspace");
    let report = dir.join("target/blockguard/report.json");
    let run = Command::new(install_root.join("bin/cargo-blockguard"))
        .args(["blockguard", "test", "--workspace", "--report"])
        .arg(&report)
        .current_dir(&dir)
        .env("BLOCKGUARD_CACHE_DIR", scratch.join("cache"))
        .env_remove("BLOCKGUARD_PRELOAD")
        .env_remove("BLOCKGUARD_SNAPSHOTS")
        .output()
        .unwrap();
    // The fixture has blocked tests: the run says so, as it should.
    assert_eq!(run.status.code(), Some(1), "{}", shown(&run));
    let listed = entries(&support::report(&report));
    assert!(
        listed.contains(&"alpha alpha tests::naps blocked".to_owned()),
        "{listed:#?}"
    );
    let _ = std::fs::remove_dir_all(&scratch);
}

/// The crates a user's install needs, all of this workspace.
const WORKSPACE_CRATES: [&str; 6] = [
    "blockguard-protocol",
    "blockguard-rules",
    "blockguard-preload",
    "blockguard-runner",
    "blockguard",
    "cargo-blockguard",
];

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `cargo package --workspace`, verification and all; the `.crate` files.
fn package_workspace(target: &Path) -> Vec<PathBuf> {
    let packages = target.join("package");
    let _ = std::fs::remove_dir_all(&packages);
    forget_earlier_packages(target);
    let out = cargo()
        .args(["package", "--workspace", "--allow-dirty", "--target-dir"])
        .arg(target)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", shown(&out));
    let crates: Vec<PathBuf> = std::fs::read_dir(&packages)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "crate"))
        .collect();
    let names: Vec<String> = crates
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for needed in WORKSPACE_CRATES {
        let file = format!("{needed}-{}.crate", env!("CARGO_PKG_VERSION"));
        assert!(names.contains(&file), "{file} not in {names:?}");
    }
    crates
}

/// The verification of an earlier `cargo package` left this workspace's
/// crates unpacked in `$CARGO_HOME/registry/src/-<hash>/` (the folder of
/// its local registry, the same path every time) and built in `target`,
/// and cargo takes a registry crate of the same version for unchanged: a
/// package that uses what another gained since would be verified against
/// the old one. Removes both.
fn forget_earlier_packages(target: &Path) {
    for krate in WORKSPACE_CRATES {
        let clean = cargo()
            .args(["clean", "-q", "-p", krate, "--target-dir"])
            .arg(target)
            .current_dir(root())
            .output()
            .unwrap();
        assert!(clean.status.success(), "{}", shown(&clean));
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("a cargo home");
    let ours = format!("-{}", env!("CARGO_PKG_VERSION"));
    let local_registries = std::fs::read_dir(home.join("registry/src"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('-'));
    for registry in local_registries {
        for unpacked in std::fs::read_dir(registry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = unpacked.file_name().to_string_lossy().into_owned();
            let workspace_crate = name
                .strip_suffix(&ours)
                .is_some_and(|n| WORKSPACE_CRATES.contains(&n));
            if workspace_crate {
                let _ = std::fs::remove_dir_all(unpacked.path());
            }
        }
    }
}

/// Every third-party crate of the workspace's lock file, as a directory source.
fn vendor_dependencies(registry: &Path) {
    let out = cargo()
        .args(["vendor", "--versioned-dirs", "--locked"])
        .arg(registry)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", shown(&out));
}

/// Unpacks a `.crate` into the directory source, with the checksum cargo
/// checks against the lock file: the `.crate`'s SHA-256.
fn add_packaged_crate(registry: &Path, krate: &Path) {
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(krate)
        .arg("-C")
        .arg(registry)
        .output()
        .unwrap();
    assert!(untar.status.success(), "{}", shown(&untar));
    let sum = Command::new("sha256sum").arg(krate).output().unwrap();
    assert!(sum.status.success(), "{}", shown(&sum));
    let sum = String::from_utf8_lossy(&sum.stdout);
    let sha = sum.split_whitespace().next().unwrap();
    let name = krate.file_stem().unwrap().to_string_lossy();
    let checksum = serde_json::json!({ "files": {}, "package": sha });
    std::fs::write(
        registry.join(&*name).join(".cargo-checksum.json"),
        checksum.to_string(),
    )
    .unwrap();
}

/// A `CARGO_HOME` whose only source for crates.io is the local registry.
fn offline_cargo_home(scratch: &Path, registry: &Path) -> PathBuf {
    let home = scratch.join("cargo-home");
    std::fs::create_dir_all(&home).unwrap();
    let config = format!(
        "[source.crates-io]\nreplace-with = \"local\"\n\n[source.local]\ndirectory = {:?}\n\n[net]\noffline = true\n",
        registry.display().to_string()
    );
    std::fs::write(home.join("config.toml"), config).unwrap();
    home
}
