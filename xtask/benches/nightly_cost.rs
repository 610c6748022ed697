//! `cargo xtask nightly` over every suite in `suites/`, with a warm build
//! cache, against the sum of plain `cargo nextest run` over the same
//! suites: `cargo bench -p xtask --bench nightly_cost`.
//!
//! First one nightly and one nextest pass build every suite, each side
//! from an empty build folder (a sandboxed suite builds in a folder of its
//! own; nextest, in the folder the unsandboxed suites share): their times
//! are what building costs each way. Then both sides find their builds
//! done, and, alternating which goes first, each side is timed whole:
//!
//! - the nightly: `xtask nightly --out <fresh folder>` (every suite in its
//!   own mode, one report);
//! - nextest: for each suite, the suites table's baseline (`cargo nextest
//!   run` in run-suite's copy of the crate, with the suite's features and
//!   target directory), each command from spawn to exit, summed.

mod support;

use blockguard_runner::catalog::suite_names;
use blockguard_runner::env::Env;
use blockguard_runner::run_suite::locate;
use blockguard_runner::suites_table::nextest::{Baseline, baseline};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ROUNDS: usize = 2;

fn main() {
    let Some(root) = support::root_when_benching("nightly_cost") else {
        return;
    };
    let env = Env::from_process(&root).expect("the environment");
    let xtask = build_xtask(&root);
    let names = suite_names(&root.join("suites")).expect("the suites");
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let scratch = root.join("target/blockguard/bench/nightly-cost");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    println!(
        "nightly_cost: {} suites, {jobs} tests at once; building from empty build folders",
        names.len()
    );
    for built in ["build", "sandboxed", "symbols"] {
        let _ = std::fs::remove_dir_all(root.join("target/blockguard").join(built));
    }
    let cold = nightly(&xtask, &root, &scratch.join("warm-up"), jobs);
    println!("  cold nightly               {:.1} s", cold.as_secs_f64());
    let cold: Duration = names.iter().map(|name| nextest(name, jobs, &env)).sum();
    println!("  cold nextest, summed       {:.1} s", cold.as_secs_f64());
    let mut nightlies = Vec::new();
    let mut nextests = Vec::new();
    let mut per_suite: Vec<(String, Duration)> = Vec::new();
    for round in 0..ROUNDS {
        let out = scratch.join(format!("round-{round}"));
        let run_nightly = |nightlies: &mut Vec<Duration>| {
            let took = nightly(&xtask, &root, &out, jobs);
            println!(
                "  round {} nightly            {:.1} s",
                round + 1,
                took.as_secs_f64()
            );
            nightlies.push(took);
        };
        if round % 2 == 1 {
            run_nightly(&mut nightlies);
        }
        let mut sum = Duration::ZERO;
        for name in &names {
            let took = nextest(name, jobs, &env);
            sum += took;
            if round == 0 {
                per_suite.push((name.clone(), took));
            }
        }
        println!(
            "  round {} nextest, summed   {:.1} s",
            round + 1,
            sum.as_secs_f64()
        );
        nextests.push(sum);
        if round % 2 == 0 {
            run_nightly(&mut nightlies);
        }
    }
    for (name, took) in &per_suite {
        println!("    nextest {name}: {:.2} s", took.as_secs_f64());
    }
    let (nightly_s, nextest_s) = (median(&mut nightlies), median(&mut nextests));
    println!(
        "nightly_cost: median nightly {nightly_s:.1} s, nextest summed {nextest_s:.1} s, ratio {:.2}",
        nightly_s / nextest_s
    );
}

fn build_xtask(root: &Path) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "xtask"])
        .current_dir(root)
        .status()
        .expect("cargo build");
    assert!(status.success(), "xtask did not build");
    root.join("target/release/xtask")
}

/// One whole nightly into `out`; its wall time.
fn nightly(xtask: &Path, root: &Path, out: &Path, jobs: usize) -> Duration {
    let start = Instant::now();
    let output = Command::new(xtask)
        .arg("nightly")
        .arg("--out")
        .arg(out)
        .args(["-j", &jobs.to_string()])
        .current_dir(root)
        .output()
        .expect("run the nightly");
    let took = start.elapsed();
    assert!(
        output.status.success(),
        "the nightly failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    took
}

/// One suite under plain nextest; the command's wall time.
fn nextest(name: &str, jobs: usize, env: &Env) -> Duration {
    let located = locate(name, env).unwrap_or_else(|e| panic!("{name}: {e}"));
    let start = Instant::now();
    let ran = baseline(&located, jobs, env);
    let took = start.elapsed();
    if let Baseline::Failed(why) = ran {
        println!("    nextest {name}: did not run ({why})");
    }
    took
}

fn median(values: &mut [Duration]) -> f64 {
    values.sort_unstable();
    values[values.len() / 2].as_secs_f64()
}
