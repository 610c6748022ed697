//! `cargo xtask test` on a machine without the tools the tests need: it
//! says how much disk is free where they build, names each tool missing and
//! installs it, then runs the tests. Here with
//! `--dry-run` and an empty `PATH`, so nothing is installed or run.

use crate::support::root;
use std::process::Command;

#[test]
fn every_missing_tool_is_named_and_installed_before_the_tests_run() {
    let empty = std::env::temp_dir().join(format!("xtask-no-tools-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["test", "--dry-run", "--", "--test", "cli"])
        .current_dir(root())
        .env("PATH", &empty)
        .env("CARGO", "cargo")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&empty);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    let target = root().join("target");
    assert!(
        first.starts_with("xtask test: ")
            && first.contains(" GiB free on the disk of ")
            && first.contains(&*target.to_string_lossy()),
        "the free space comes first:\n{stderr}"
    );
    for (tool, install) in [
        ("cargo-insta", "cargo install cargo-insta --locked"),
        ("cargo-nextest", "cargo install cargo-nextest --locked"),
        ("mdbook", "cargo install mdbook --locked"),
        ("chromium", "apt-get install -y -q chromium chromium-driver"),
    ] {
        assert!(stderr.contains(&format!("{tool} is missing")), "{stderr}");
        assert!(
            stderr.contains(&format!("installing: {install}"))
                || stderr.contains(&format!("installing: sudo {install}")),
            "{stderr}"
        );
    }
    // Chromium and its driver come in one install.
    assert_eq!(
        stderr.matches("chromium chromium-driver").count(),
        1,
        "{stderr}"
    );
    let run = stderr.find("running: cargo test --workspace --test cli");
    let last_install = stderr.rfind("installing:");
    assert!(
        run.is_some() && run > last_install,
        "the tests run last:\n{stderr}"
    );
}
