//! What the benchmarks share: building the runtime and a fixture, running
//! one fixture test with or without the runtime, and medians.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Rounds per side-by-side measurement.
pub const ROUNDS: usize = 7;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Builds the runtime (release) and returns the library.
pub fn build_preload() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "-p", "blockguard-preload"])
        .current_dir(root())
        .status()
        .expect("cargo build");
    assert!(status.success(), "building the preload failed");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    target.join("release/libblockguard_preload.so")
}

/// Builds `fixtures/<name>`'s tests (release) and returns the executable.
pub fn build_fixture(name: &str) -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args([
            "test",
            "--release",
            "--no-run",
            "--message-format=json",
            "--manifest-path",
        ])
        .arg(root().join("fixtures").join(name).join("Cargo.toml"))
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
        .unwrap_or_else(|| panic!("the {name} test executable"))
}

/// Runs one test of a fixture, with the guard runtime in `mode` when
/// given; its first `bench: <name> <figure>` line's figure.
pub fn run(exe: &Path, test: &str, preload: Option<(&Path, &str)>) -> f64 {
    figures(exe, test, preload)[0].1
}

/// Runs one test of a fixture, with the guard runtime in `mode` when
/// given; every `bench: <name> <figure>` line it printed.
pub fn figures(exe: &Path, test: &str, preload: Option<(&Path, &str)>) -> Vec<(String, f64)> {
    let trace = std::env::temp_dir().join(format!("blockguard-bench-{}.jsonl", std::process::id()));
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", test, "--nocapture"]);
    if let Some((so, mode)) = preload {
        remove_trace(&trace);
        cmd.env("LD_PRELOAD", so)
            .env("BLOCKGUARD_MODE", mode)
            .env("BLOCKGUARD_TEST", test)
            .env("BLOCKGUARD_TRACE", &trace);
    }
    let out = cmd.output().expect("run fixture");
    if preload.is_some() {
        remove_trace(&trace);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let found: Vec<(String, f64)> = text
        .lines()
        .filter_map(|l| {
            let mut words = l.strip_prefix("bench: ")?.split_whitespace();
            let name = words.next()?.to_owned();
            Some((name, words.next()?.parse().ok()?))
        })
        .collect();
    assert!(
        !found.is_empty(),
        "{test} printed no figure:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    found
}

/// Removes a trace and its side files.
fn remove_trace(trace: &Path) {
    let _ = std::fs::remove_file(trace);
    for side in blockguard_protocol::side_files(trace) {
        let _ = std::fs::remove_file(side);
    }
}

/// The median.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Alternates the two sides over [`ROUNDS`]; medians of both.
pub fn side_by_side(mut a: impl FnMut() -> f64, mut b: impl FnMut() -> f64) -> (f64, f64) {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        xs.push(a());
        ys.push(b());
    }
    (median(xs), median(ys))
}

/// How a figure stands against its target.
pub fn verdict(met: bool) -> &'static str {
    if met { "ok" } else { "over target" }
}
