//! `cargo xtask dist`, the release workflow's step: the archive is named
//! and laid out as cargo-binstall's templates in the manifest say, with a
//! checksum that `sha256sum -c` accepts; a tag that is not the version is
//! refused. Packs a stand-in binary (`--binary`), so nothing is built.

use crate::support::root;
use std::process::Command;

fn dist(out: &std::path::Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("dist")
        .arg("--out")
        .arg(out)
        .args(extra)
        .current_dir(root())
        .output()
        .unwrap()
}

#[test]
fn the_archive_is_where_binstall_looks_and_its_checksum_holds() {
    let scratch = std::env::temp_dir().join(format!("xtask-dist-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let binary = scratch.join("stand-in");
    std::fs::write(&binary, b"#!/bin/sh\necho packed\n").unwrap();
    let out = scratch.join("dist");
    let version = env!("CARGO_PKG_VERSION");
    let tag = format!("v{version}");
    let run = dist(&out, &["--binary", binary.to_str().unwrap(), "--tag", &tag]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let stem = format!("cargo-blockguard-x86_64-unknown-linux-gnu-v{version}");
    let archive = out.join(format!("{stem}.tgz"));
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        archive.display().to_string()
    );
    let listed = Command::new("tar")
        .arg("tzf")
        .arg(&archive)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed
            .lines()
            .any(|l| l == format!("{stem}/cargo-blockguard")),
        "{listed}"
    );
    let unpacked = scratch.join("unpacked");
    std::fs::create_dir_all(&unpacked).unwrap();
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(untar.success());
    let packed = unpacked.join(&stem).join("cargo-blockguard");
    assert_eq!(
        std::fs::read(&packed).unwrap(),
        std::fs::read(&binary).unwrap()
    );
    let check = Command::new("sha256sum")
        .args(["-c", &format!("{stem}.tgz.sha256")])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    let wrong = dist(
        &out,
        &[
            "--binary",
            binary.to_str().unwrap(),
            "--tag",
            "v0.0.0-wrong",
        ],
    );
    assert_eq!(wrong.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        stderr.contains(&format!("tag v0.0.0-wrong is not v{version}")),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
