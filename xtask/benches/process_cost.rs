//! What one guarded test process costs beyond the same process unguarded,
//! in time and peak memory: `cargo bench -p xtask --bench process_cost`.
//!
//! The fixture is `fixtures/many-blocking`: sixty tests, one blocking call
//! each at its own site (check mode: each is denied). Each test runs as a
//! process of its own (`<binary> --exact NAME`, as run-suite runs it), one
//! at a time, three ways side by side in each round:
//!
//! - **plain**: no guard runtime;
//! - **guarded, names not shared**: the runtime preloaded, every process
//!   resolving its stack's names from the DWARF itself;
//! - **guarded, names shared**: the same with `BLOCKGUARD_SYMBOLS` set to a
//!   folder fresh for the round: the first process resolves everything,
//!   the rest only what is new to them (run-suite's first run of a build);
//! - **guarded, names kept**: the folder as an earlier run left it
//!   (run-suite and `cargo blockguard` keep it between runs).
//!
//! Each process runs under GNU time (`/usr/bin/time -f %M`) for its peak
//! RSS; the wall time is taken around it, so every way pays the same
//! extra fork and exec. The rounds rotate which way goes first.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ROUNDS: usize = 3;
/// The target: added time per guarded test process.
const TARGET_MS: f64 = 1.0;

#[derive(Clone, Copy, PartialEq)]
enum Way {
    Plain,
    NotShared,
    Shared,
    Kept,
}

const WAYS: [(Way, &str); 4] = [
    (Way::Plain, "plain"),
    (Way::NotShared, "guarded, names not shared"),
    (Way::Shared, "guarded, names shared (first run)"),
    (Way::Kept, "guarded, names kept from a run before"),
];

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "process_cost: a benchmark; run it with `cargo bench -p xtask --bench process_cost`"
        );
        return;
    }
    if !Path::new("/usr/bin/time").is_file() {
        println!("process_cost: needs GNU time at /usr/bin/time (apt-get install time)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf();
    let preload = built(
        &root,
        &["build", "--release", "-p", "blockguard-preload"],
        "cdylib",
    );
    let fixture = root.join("fixtures/many-blocking/Cargo.toml");
    let fixture = fixture.to_string_lossy().into_owned();
    let target = root.join("target/blockguard/build");
    let target = target.to_string_lossy().into_owned();
    let binary = built(
        &root,
        &[
            "test",
            "--no-run",
            "--manifest-path",
            &fixture,
            "--target-dir",
            &target,
        ],
        "test",
    );
    let tests = list(&binary);
    let scratch = root.join("target/blockguard/bench/process-cost");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    println!(
        "process_cost: {} tests of fixtures/many-blocking, {ROUNDS} rounds",
        tests.len()
    );
    // Per way: every process's wall time and peak RSS (KiB).
    let mut walls: Vec<Vec<Duration>> = vec![Vec::new(); WAYS.len()];
    let mut peaks: Vec<Vec<u64>> = vec![Vec::new(); WAYS.len()];
    // An earlier run, untimed, leaves the kept folder.
    let kept = scratch.join("symbols-kept");
    std::fs::create_dir_all(&kept).expect("a symbols folder");
    for test in &tests {
        run(
            &binary,
            test,
            Way::Shared,
            &preload,
            &scratch.join("trace.jsonl"),
            &kept,
        );
    }
    for round in 0..ROUNDS {
        for k in 0..WAYS.len() {
            let i = (round + k) % WAYS.len();
            let way = WAYS[i].0;
            // The kept folder is the one the first round's shared way filled.
            let symbols = match way {
                Way::Kept => scratch.join("symbols-kept"),
                _ => scratch.join(format!("symbols-{round}")),
            };
            std::fs::create_dir_all(&symbols).expect("a symbols folder");
            for test in &tests {
                let trace = scratch.join("trace.jsonl");
                let _ = std::fs::remove_file(&trace);
                let (wall, peak) = run(&binary, test, way, &preload, &trace, &symbols);
                walls[i].push(wall);
                peaks[i].push(peak);
            }
        }
    }
    let plain_ms = mean_ms(&walls[0]);
    println!("| way | per process (mean) | added per process | peak RSS (median) |");
    println!("|---|---|---|---|");
    for (i, (_, name)) in WAYS.iter().enumerate() {
        let ms = mean_ms(&walls[i]);
        println!(
            "| {name} | {ms:.2} ms | {:+.2} ms | {:.1} MiB |",
            ms - plain_ms,
            median(&mut peaks[i]) as f64 / 1024.0
        );
    }
    for (i, when) in [(2, "a first run"), (3, "a later run")] {
        let added = mean_ms(&walls[i]) - plain_ms;
        println!(
            "process_cost: {when} adds {added:.2} ms per test process (target {TARGET_MS} ms): {}",
            if added <= TARGET_MS { "met" } else { "not met" }
        );
    }
}

/// Runs one test in a process of its own, the given way; wall time and
/// peak RSS in KiB.
fn run(
    binary: &Path,
    test: &str,
    way: Way,
    preload: &Path,
    trace: &Path,
    symbols: &Path,
) -> (Duration, u64) {
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "%M"])
        .arg(binary)
        .args(["--exact", test, "-q"])
        .env_remove("LD_PRELOAD")
        .env_remove("BLOCKGUARD_SYMBOLS");
    if way != Way::Plain {
        cmd.env("LD_PRELOAD", preload)
            .env("BLOCKGUARD_MODE", "check")
            .env("BLOCKGUARD_TEST", test)
            .env("BLOCKGUARD_TRACE", trace);
    }
    if matches!(way, Way::Shared | Way::Kept) {
        cmd.env("BLOCKGUARD_SYMBOLS", symbols);
    }
    let start = Instant::now();
    let out = cmd.output().expect("run the test under GNU time");
    let wall = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak = stderr
        .lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .next_back()
        .unwrap_or_else(|| panic!("no peak RSS from GNU time: {stderr}"));
    (wall, peak)
}

/// The artifact of `cargo ARGS` whose target kind is `kind`.
fn built(root: &Path, args: &[&str], kind: &str) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .arg("--message-format=json")
        .current_dir(root)
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter(|m| {
            m["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == kind))
                || (kind == "test" && m["profile"]["test"] == true)
        })
        .find_map(|m| {
            let path = if kind == "cdylib" {
                m["filenames"].as_array()?.first()?.as_str()?.to_owned()
            } else {
                m["executable"].as_str()?.to_owned()
            };
            Some(PathBuf::from(path))
        })
        .unwrap_or_else(|| panic!("cargo {args:?} built no {kind}"))
}

fn list(binary: &Path) -> Vec<String> {
    let out = Command::new(binary)
        .args(["--list", "--format", "terse"])
        .output()
        .expect("list the fixture's tests");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_owned)
        .collect()
}

fn mean_ms(walls: &[Duration]) -> f64 {
    walls.iter().map(Duration::as_secs_f64).sum::<f64>() * 1000.0 / walls.len() as f64
}

fn median(values: &mut [u64]) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}
