//! `cargo blockguard exec` as the target runner of `fixtures/workspace`,
//! set exactly as the README says, under plain `cargo test` (unit,
//! integration and doc tests, merged and not) and plain `cargo nextest run`.

mod support;

// Each test file uses part of the table.
#[allow(dead_code)]
#[path = "../../../fixtures/workspace/expected.rs"]
mod expected;

use expected::EXPECTED;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::{copy_fixture, scratch, shown};

/// A copy of the fixture with the runner set, and a PATH on which
/// `cargo blockguard` is this build's.
fn with_runner(label: &str) -> (PathBuf, std::ffi::OsString) {
    let dir = copy_fixture("workspace", &scratch(), label);
    std::fs::create_dir_all(dir.join(".cargo")).unwrap();
    std::fs::write(
        dir.join(".cargo/config.toml"),
        "[target.x86_64-unknown-linux-gnu]\nrunner = [\"cargo\", \"blockguard\", \"exec\", \"--\"]\n",
    )
    .unwrap();
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_cargo-blockguard"),
        bin.join("cargo-blockguard"),
    )
    .unwrap();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    (dir, path)
}

fn cargo(dir: &Path, path: &std::ffi::OsStr, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env("BLOCKGUARD_CACHE_DIR", scratch().join("cache"))
        .env_remove("BLOCKGUARD_PRELOAD")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn plain_cargo_test_runs_every_test_and_doctest_guarded() {
    let (dir, path) = with_runner("cargo-test");
    let out = cargo(&dir, &path, &["test", "--no-fail-fast"]);
    assert_eq!(out.status.code(), Some(101), "{}", shown(&out));
    let all = text(&out);
    for e in EXPECTED {
        if e.binary == "doctests" {
            let result = if e.outcome == "pass" { "ok" } else { "FAILED" };
            let line = format!("test {} ... {result}", e.name);
            assert!(all.contains(&line), "{line}\n{all}");
        }
        let Some((call, site)) = e.denied else {
            continue;
        };
        let line = format!("blocked: 1 denied blocking call: {call} (");
        assert!(
            all.contains(&line) && all.contains(&format!("at {site} via")),
            "{}\n{all}",
            e.name
        );
    }
}

#[test]
fn plain_cargo_nextest_run_fails_each_blocked_test_with_its_calls() {
    let (dir, path) = with_runner("nextest");
    let out = cargo(
        &dir,
        &path,
        &["nextest", "run", "--no-fail-fast", "--no-tests", "pass"],
    );
    // nextest's exit code for failing tests.
    assert_eq!(out.status.code(), Some(100), "{}", shown(&out));
    let all = text(&out);
    // nextest does not run doctests.
    for e in EXPECTED.iter().filter(|e| e.binary != "doctests") {
        // nextest names a test `<binary id> <name>`: the package, and
        // `package::target` for an integration test.
        let binary = if e.binary == e.package {
            e.package.to_owned()
        } else {
            format!("{}::{}", e.package, e.binary)
        };
        let verdict = match e.outcome {
            "pass" | "suppressed" => "PASS",
            _ => "FAIL",
        };
        let shown_as = format!("{binary} {}", e.name);
        let line = all
            .lines()
            .find(|l| {
                l.contains(&format!(") {shown_as}"))
                    && (l.contains(" PASS ") || l.contains(" FAIL "))
            })
            .unwrap_or_else(|| panic!("{shown_as}: no status line\n{all}"));
        assert!(line.contains(verdict), "{shown_as}: {line}");
        if let Some((call, site)) = e.denied {
            assert!(
                all.contains(&format!("1 denied blocking call: {call} (")) && all.contains(site),
                "{all}"
            );
        }
    }
}
