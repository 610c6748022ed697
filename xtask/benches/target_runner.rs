//! What the target runner costs a plain `cargo test`:
//! `cargo bench -p xtask --bench target_runner`.
//!
//! `cargo test -p alpha --lib --test files --no-fail-fast` on a copy of
//! `fixtures/workspace` (two test binaries, five tests) four ways, in
//! turn, the order flipped every round, each timed from spawn to exit:
//!
//! - plain: no target runner;
//! - runner: through a release `cargo-blockguard blockguard exec` (the runner
//!   set by `CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER`), with the names
//!   the runtime resolved and the tests each binary runs kept from the
//!   warm-up run, as on every run after a build's first;
//! - runner, listing: the same with the kept lists removed first, as on
//!   the first run of a new build (the names are still kept);
//! - through cargo: the runner set as `cargo blockguard exec --`, so that
//!   a cargo of its own starts for each binary and finds it.
//!
//! The runtime's cache is a folder of the bench's own
//! (`BLOCKGUARD_CACHE_DIR`), so its lists start empty. With
//! `BLOCKGUARD_BENCH_BEFORE=<an earlier cargo-blockguard>`, that one runs
//! side by side as a fifth way (`before`), names kept as well.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use support::median;

/// The runner's cost is a few ms in 20-30: on a shared machine it takes
/// this many rounds for the medians to settle within about 0.3 ms.
const ROUNDS: usize = 80;
/// Test binaries the command runs.
const BINARIES: f64 = 2.0;

fn main() {
    let Some(root) = support::root_when_benching("target_runner") else {
        return;
    };
    let runner = build_cargo_blockguard(&root);
    let scratch = root.join("target/blockguard/bench/target-runner");
    let _ = std::fs::remove_dir_all(&scratch);
    let workspace = scratch.join("workspace");
    copy_dir(&root.join("fixtures/workspace"), &workspace);
    let cache = scratch.join("cache");
    let before = std::env::var_os("BLOCKGUARD_BENCH_BEFORE").map(PathBuf::from);
    let mut ways: Vec<(&str, Through)> = vec![
        ("plain", Through::Nothing),
        ("runner", Through::Runner(&runner)),
        ("runner, listing", Through::RunnerListing(&runner)),
        ("through cargo", Through::Cargo(&runner)),
    ];
    if let Some(before) = &before {
        ways.push(("before", Through::Runner(before)));
    }
    // Builds the fixture, and keeps the names and the lists.
    for &(_, through) in &ways {
        cargo_test(&workspace, &scratch, through, &cache);
    }
    let mut times = support::in_turn(ROUNDS, ways.len(), |i, times| {
        let (_, through) = ways[i];
        if let Through::RunnerListing(_) = through {
            forget_lists(&cache);
        }
        times.push(cargo_test(&workspace, &scratch, through, &cache));
    });
    let plain_times = times[0].clone();
    let plain = median(&mut plain_times.clone());
    println!(
        "target_runner: {ROUNDS} rounds, medians (paired: of each round's difference to plain)"
    );
    for ((name, _), t) in ways.iter().zip(&mut times) {
        let mut paired: Vec<f64> = t.iter().zip(&plain_times).map(|(a, b)| a - b).collect();
        let paired = median(&mut paired);
        let m = median(t);
        println!(
            "  {name:<16} {m:7.1} ms  {:+6.1} ms per binary (paired {:+5.1})  ({:.2}x)",
            (m - plain) / BINARIES,
            paired / BINARIES,
            m / plain
        );
    }
}

/// How `cargo test` runs the fixture's binaries.
#[derive(Clone, Copy)]
enum Through<'a> {
    /// No target runner.
    Nothing,
    /// `<cargo-blockguard> blockguard exec --`, as the guide sets it.
    Runner(&'a Path),
    /// The same, its kept lists removed first: a build's first run.
    RunnerListing(&'a Path),
    /// `cargo blockguard exec --`: a cargo (through rustup's proxy) started
    /// per binary finds this cargo-blockguard on `PATH`.
    Cargo(&'a Path),
}

/// `cargo test` of the fixture, `through` a runner or not; its wall time
/// in ms. Its output and exit code are the fixture's (it fails on
/// purpose), not the bench's.
fn cargo_test(workspace: &Path, scratch: &Path, through: Through, cache: &Path) -> f64 {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(["test", "-q", "-p", "alpha", "--lib", "--test", "files"])
        .arg("--no-fail-fast")
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("BLOCKGUARD_CACHE_DIR", cache)
        .env_remove("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let runner = match through {
        Through::Nothing => None,
        Through::Runner(exe) | Through::RunnerListing(exe) => {
            Some(format!("{} blockguard exec --", exe.display()))
        }
        Through::Cargo(exe) => {
            let dir = exe.parent().expect("the binary's folder").to_path_buf();
            let path = std::env::var_os("PATH").unwrap_or_default();
            let paths = std::iter::once(dir).chain(std::env::split_paths(&path));
            cmd.env("PATH", std::env::join_paths(paths).expect("a PATH"));
            Some("cargo blockguard exec --".to_owned())
        }
    };
    if let Some(runner) = runner {
        cmd.env("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER", runner);
    }
    let start = Instant::now();
    cmd.status().expect("cargo runs");
    start.elapsed().as_secs_f64() * 1000.0
}

/// Removes the lists the runner kept (`<cache>/runtime-*/lists`).
fn forget_lists(cache: &Path) {
    for entry in std::fs::read_dir(cache).into_iter().flatten().flatten() {
        let _ = std::fs::remove_dir_all(entry.path().join("lists"));
    }
}

/// `cargo build --release -p cargo-blockguard`; the binary.
fn build_cargo_blockguard(root: &Path) -> PathBuf {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "-p", "cargo-blockguard"])
        .current_dir(root)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo-blockguard builds");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    target.join("release/cargo-blockguard")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a scratch folder");
    for entry in std::fs::read_dir(from).expect("the fixture").flatten() {
        let (source, dest) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            if entry.file_name() != "target" {
                copy_dir(&source, &dest);
            }
        } else {
            std::fs::copy(&source, &dest).expect("a fixture file");
        }
    }
}
