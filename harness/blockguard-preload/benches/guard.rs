//! The guard runtime's cost, measured side by side in one run:
//!
//! 1. 1M cheap guarded calls (1-byte reads of /dev/zero) on an unguarded
//!    worker thread, with the preload against without: a ratio (target ≤ 1.05).
//! 2. The same calls on the test's microthread in audit mode, one site seen
//!    over and over: added nanoseconds per call (target ≤ 1000).
//! 3. A microthread suspend + resume round trip (target ≤ 50 ns).
//!
//! Each measurement alternates the two sides over several rounds and takes
//! medians, since the machines are shared. Run: `cargo bench -p blockguard-preload`.

use std::path::{Path, PathBuf};
use std::process::Command;

const ROUNDS: usize = 7;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn build_preload() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "-p", "blockguard-preload"])
        .current_dir(root())
        .status()
        .expect("cargo build");
    assert!(status.success(), "building the preload failed");
    root().join("target/release/libblockguard_preload.so")
}

fn build_fixture() -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args([
            "test",
            "--release",
            "--no-run",
            "--message-format=json",
            "--manifest-path",
        ])
        .arg(root().join("fixtures/guard-bench/Cargo.toml"))
        .env("CARGO_TARGET_DIR", root().join("target/fixtures"))
        .output()
        .expect("cargo test --no-run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["profile"]["test"] == true)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("the guard-bench test executable")
}

/// Runs one fixture test and returns its `bench:` figure.
fn run(exe: &Path, test: &str, preload: Option<&Path>) -> f64 {
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", test, "--nocapture"]);
    if let Some(so) = preload {
        let trace =
            std::env::temp_dir().join(format!("blockguard-bench-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&trace);
        cmd.env("LD_PRELOAD", so)
            .env("BLOCKGUARD_MODE", "audit")
            .env("BLOCKGUARD_TEST", test)
            .env("BLOCKGUARD_TRACE", &trace);
    }
    let out = cmd.output().expect("run fixture");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| {
            l.strip_prefix("bench: ")?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("{test} printed no figure:\n{text}"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Alternates plain and preloaded runs of `test`; medians of both.
fn side_by_side(exe: &Path, so: &Path, test: &str) -> (f64, f64) {
    let (mut plain, mut guarded) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        plain.push(run(exe, test, None));
        guarded.push(run(exe, test, Some(so)));
    }
    (median(plain), median(guarded))
}

fn main() {
    // `cargo test --benches` runs this with --bench absent; stay quick then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("guard benchmark: run with `cargo bench -p blockguard-preload`");
        return;
    }
    let so = build_preload();
    let exe = build_fixture();
    let (plain, guarded) = side_by_side(&exe, &so, "tests::unguarded_thread_reads");
    println!(
        "unguarded thread, 1M reads of /dev/zero: {plain:.1} ns/call plain, {guarded:.1} ns/call preloaded, ratio {:.3} (target <= 1.05)",
        guarded / plain
    );
    let (plain, guarded) = side_by_side(&exe, &so, "tests::microthread_reads");
    println!(
        "microthread, audit, same site: {plain:.1} ns/call plain, {guarded:.1} ns/call guarded, added {:.1} ns/call (target <= 1000)",
        guarded - plain
    );
    let trips: Vec<f64> = (0..ROUNDS)
        .map(|_| run(&exe, "tests::yield_round_trip", Some(&so)))
        .collect();
    println!(
        "microthread suspend + resume round trip: {:.1} ns (target <= 50)",
        median(trips)
    );
}
