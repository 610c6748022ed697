//! What a program a test starts pays for the guard runtime it inherits:
//! `cargo bench -p xtask --bench child_cost`.
//!
//! `/bin/true` started as a test's child is (cargo, rustc, cc and cat
//! are, in os_pipe's suite): `LD_PRELOAD` and the test's `BLOCKGUARD_*`
//! variables, a trace the test's process has begun, and the rules file of
//! `fixtures/workspace` (one rule of each kind, a regex among them) or of
//! the os_pipe suite (none). Three ways in turn, the order flipped every
//! round, each process timed from spawn to exit: plain, and as such a
//! child with either rules file. With `BLOCKGUARD_BENCH_BEFORE=<an earlier
//! libblockguard_preload.so>`, that runtime runs side by side too.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use support::median;

const ROUNDS: usize = 10;
/// Processes per way and round.
const BATCH: usize = 100;

fn main() {
    let Some(root) = support::root_when_benching("child_cost") else {
        return;
    };
    let runtime = build_runtime(&root);
    let scratch = root.join("target/blockguard/bench/child-cost");
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    // The test's own process wrote its capabilities line at load.
    let trace = scratch.join("trace.jsonl");
    std::fs::write(&trace, "{\"capabilities\":{}}\n").expect("the trace");
    let rules = [
        (
            "fixtures/workspace",
            root.join("fixtures/workspace/blockguard.toml"),
        ),
        ("os_pipe", root.join("suites/os_pipe.toml")),
    ];
    let before = std::env::var_os("BLOCKGUARD_BENCH_BEFORE").map(PathBuf::from);
    let mut ways: Vec<(String, Option<(&Path, &Path)>)> = vec![("plain".to_owned(), None)];
    for (name, file) in &rules {
        if let Some(before) = &before {
            ways.push((format!("before, {name}'s rules"), Some((before, file))));
        }
        ways.push((format!("child, {name}'s rules"), Some((&runtime, file))));
    }
    let mut times = support::in_turn(ROUNDS, ways.len(), |i, times| {
        for _ in 0..BATCH {
            times.push(start_one(ways[i].1, &trace));
        }
    });
    let plain = median(&mut times[0]);
    println!("child_cost: {ROUNDS} rounds of {BATCH} processes a way, medians");
    for ((name, _), t) in ways.iter().zip(&mut times) {
        let m = median(t);
        println!("  {name:<36} {m:6.3} ms  {:+6.3} ms", m - plain);
    }
}

/// `/bin/true`, as a test's child when `guarded` names the runtime and
/// the rules file; its wall time in ms.
fn start_one(guarded: Option<(&Path, &Path)>, trace: &Path) -> f64 {
    let mut cmd = Command::new("/bin/true");
    cmd.env_clear().stdout(Stdio::null()).stderr(Stdio::null());
    if let Some((runtime, rules)) = guarded {
        cmd.env("LD_PRELOAD", runtime)
            .env("BLOCKGUARD_TEST", "tests::starts_a_program")
            .env("BLOCKGUARD_BINARY", "tests")
            .env("BLOCKGUARD_MODE", "check")
            .env("BLOCKGUARD_TRACE", trace)
            .env("BLOCKGUARD_RULES", rules);
    }
    let start = Instant::now();
    cmd.status().expect("/bin/true runs");
    start.elapsed().as_secs_f64() * 1000.0
}

/// `cargo build --release -p blockguard-preload`; the library.
fn build_runtime(root: &Path) -> PathBuf {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "-p", "blockguard-preload", "--lib"])
        .current_dir(root)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the guard runtime builds");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    target.join("release/libblockguard_preload.so")
}
