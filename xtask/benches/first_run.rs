//! A quick suite's first run, with the folder of shared names empty
//! ("cold"), and the run right after it ("warm"), each against
//! `cargo nextest run` on the same built suite: `cargo bench -p xtask
//! --bench first_run`.
//!
//! Per suite (`fd-lock`, `oneshot`: a few tests, a blocking call in each),
//! per round, side by side, the order rotating each round:
//!
//! - nextest, as `cargo xtask suites-table` runs it (two tests at once);
//! - `xtask run-suite SUITE --mode audit -j 2` after the suite's names
//!   folder is deleted (cold), then the same again (warm), with the
//!   workspace's runtime (or `BLOCKGUARD_PRELOAD`'s, as run-suite reads it);
//! - when `FIRST_RUN_BEFORE` names another build of the guard runtime
//!   (a `libblockguard_preload.so`, with `blockguard-contain` beside it),
//!   the same cold and warm pair with that runtime preloaded: before and
//!   after a change, in one run.
//!
//! What is compared is each command's own run phase (nextest's summary
//! line; run-suite's `timing.run_ms`), medians over the rounds. The
//! target: the cold run within 2× of nextest.

mod support;

use blockguard_runner::env::Env;
use blockguard_runner::run_suite::locate;
use blockguard_runner::suites_table::nextest::{Baseline, baseline};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::median;

const ROUNDS: usize = 7;
const JOBS: usize = 2;
const SUITES: [&str; 2] = ["fd-lock", "oneshot"];
const TARGET_RATIO: f64 = 2.0;

/// One way of running a suite, timed by its run phase in milliseconds.
struct Way {
    name: String,
    /// The runtime preloaded; `None`: the workspace's own, built by run-suite.
    runtime: Option<PathBuf>,
}

fn main() {
    let Some(root) = support::root_when_benching("first_run") else {
        return;
    };
    let env = Env::from_process(&root).expect("the environment");
    let mut ways = vec![Way {
        name: "this runtime".to_owned(),
        runtime: std::env::var_os("BLOCKGUARD_PRELOAD").map(PathBuf::from),
    }];
    if let Some(before) = std::env::var_os("FIRST_RUN_BEFORE") {
        ways.push(Way {
            name: "FIRST_RUN_BEFORE".to_owned(),
            runtime: Some(PathBuf::from(before)),
        });
    }
    for suite in SUITES {
        compare(suite, &ways, &root, &env);
    }
}

fn compare(suite: &str, ways: &[Way], root: &Path, env: &Env) {
    let located = locate(suite, env).unwrap_or_else(|e| panic!("{suite}: {e}"));
    // The names folder of a sandboxed suite (run-suite's default).
    let symbols = root
        .join("target/blockguard/sandboxed")
        .join(suite)
        .join("symbols");
    let report = root
        .join("target/blockguard/bench")
        .join(format!("first_run-{suite}.json"));
    let nextest = || match baseline(&located, JOBS, env) {
        Baseline::Ran { run_ms, .. } => run_ms as f64,
        Baseline::Failed(why) => panic!("{suite}: nextest: {why}"),
    };
    // Untimed: fetches and builds the suite both ways.
    nextest();
    for way in ways {
        run_suite(suite, way, root, &report);
    }
    // Per slot (nextest, then each way's cold and warm): the run phases.
    let mut phases: Vec<Vec<f64>> = vec![Vec::new(); 1 + 2 * ways.len()];
    println!(
        "first_run: {suite}, {ROUNDS} rounds, {JOBS} tests at once; run phases (ms): nextest, then cold / warm per runtime"
    );
    for round in 0..ROUNDS {
        let slots = 1 + ways.len();
        let mut line = format!("  round {}:", round + 1);
        for k in (0..slots).map(|k| (k + round) % slots) {
            if k == 0 {
                let ms = nextest();
                phases[0].push(ms);
                line.push_str(&format!(" nextest {ms:.0}"));
                continue;
            }
            let way = &ways[k - 1];
            let _ = std::fs::remove_dir_all(&symbols);
            let cold = run_suite(suite, way, root, &report);
            let warm = run_suite(suite, way, root, &report);
            phases[2 * k - 1].push(cold);
            phases[2 * k].push(warm);
            line.push_str(&format!(" | {} {cold:.0} / {warm:.0}", way.name));
        }
        println!("{line}");
    }
    let nextest_ms = median(&mut phases[0]);
    println!("| {suite} | run phase (median) | against nextest |");
    println!("|---|---|---|");
    println!("| cargo nextest run | {nextest_ms:.0} ms | 1.00× |");
    for (i, way) in ways.iter().enumerate() {
        for (j, when) in [(1, "cold"), (2, "warm")] {
            let ms = median(&mut phases[2 * i + j]);
            println!(
                "| run-suite, {}, {when} | {ms:.0} ms | {:.2}× |",
                way.name,
                ms / nextest_ms
            );
        }
    }
    let cold = median(&mut phases[1]) / nextest_ms;
    println!(
        "first_run: {suite}: a cold run takes {cold:.2}× nextest's run phase (target <= {TARGET_RATIO:.1}×): {}",
        if cold <= TARGET_RATIO {
            "met"
        } else {
            "not met"
        }
    );
}

/// `xtask run-suite SUITE --mode audit`, quietly; its run phase in ms.
fn run_suite(suite: &str, way: &Way, root: &Path, report: &Path) -> f64 {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(["run-suite", suite, "--mode", "audit", "-j"])
        .arg(JOBS.to_string())
        .arg("--report")
        .arg(report)
        .env("INSTA_UPDATE", "no")
        .env_remove("BLOCKGUARD_PRELOAD")
        .current_dir(root)
        .stdin(Stdio::null());
    if let Some(runtime) = &way.runtime {
        cmd.env("BLOCKGUARD_PRELOAD", runtime);
    }
    let out = cmd.output().expect("run xtask run-suite");
    assert!(
        out.status.success(),
        "run-suite {suite} ({}) failed:\n{}",
        way.name,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(report).expect("run-suite's report");
    let report: serde_json::Value = serde_json::from_str(&text).expect("a JSON report");
    report["timing"]["run_ms"]
        .as_u64()
        .expect("timing.run_ms in the report") as f64
}
