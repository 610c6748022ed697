//! The run phase of `cargo xtask run-suite` against `cargo nextest run`, on
//! the same built suite (`fixtures/many-tests`: sixty quick calm tests), side
//! by side: `cargo bench -p xtask --bench run_phase`.
//!
//! What is timed, per round, for each tool: one whole command, from spawn to
//! exit, after both have run once untimed (which builds the guard runtime and
//! the fixture into the shared target directory). Each command therefore
//! includes its own no-op cargo build and its listing, then one process per
//! test, two at a time:
//!
//! - `cargo nextest run --manifest-path fixtures/many-tests/Cargo.toml
//!   --target-dir target/blockguard/build --no-fail-fast --test-threads 2`
//! - `xtask run-suite --path fixtures/many-tests --mode audit -j 2`
//!   (the guard runtime preloaded into every test; run-suite's no-op cargo
//!   builds are the guard runtime's and the suite's).
//!
//! The rounds alternate which tool goes first. The target is a median ratio
//! (run-suite / nextest) of at most 1.10.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROUNDS: usize = 5;
const JOBS: &str = "2";
const TARGET_RATIO: f64 = 1.10;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("run_phase: a benchmark; run it with `cargo bench -p xtask --bench run_phase`");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let scratch = root.join("target/blockguard/bench");
    std::fs::create_dir_all(&scratch).expect("a scratch folder");

    let nextest = || {
        let mut cmd = Command::new(&cargo);
        cmd.args(["nextest", "run", "--manifest-path"])
            .arg(root.join("fixtures/many-tests/Cargo.toml"))
            .arg("--target-dir")
            .arg(root.join("target/blockguard/build"))
            .args(["--no-fail-fast", "--test-threads", JOBS]);
        cmd
    };
    let run_suite = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
        cmd.args(["run-suite", "--path", "fixtures/many-tests"])
            .args(["--mode", "audit", "-j", JOBS])
            // Snapshots of this throwaway run stay out of the repository.
            .env("BLOCKGUARD_SNAPSHOTS", scratch.join("snapshots"))
            .env("INSTA_UPDATE", "no");
        cmd
    };
    let tools: [(&str, &dyn Fn() -> Command); 2] = [
        ("cargo nextest run", &nextest),
        ("xtask run-suite", &run_suite),
    ];

    println!("run_phase: {ROUNDS} rounds, fixtures/many-tests, {JOBS} tests at once; timed:");
    for (_, make) in &tools {
        println!("  {}", shown(&make(), &root));
    }
    // Untimed: builds the guard runtime and the fixture, warms caches.
    for (name, make) in &tools {
        timed(name, make(), &root);
    }

    let mut times: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    for round in 0..ROUNDS {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            let (name, make) = &tools[i];
            let took = timed(name, make(), &root);
            println!("  round {} {name:<18} {:>8.1} ms", round + 1, ms(took));
            times[i].push(took);
        }
    }
    let [nextest_median, suite_median] = times.map(median);
    let ratio = suite_median.as_secs_f64() / nextest_median.as_secs_f64();
    println!(
        "run_phase: median cargo nextest run {:.1} ms, xtask run-suite {:.1} ms, ratio {ratio:.3} (target <= {TARGET_RATIO:.2}): {}",
        ms(nextest_median),
        ms(suite_median),
        if ratio <= TARGET_RATIO {
            "ok"
        } else {
            "over target"
        }
    );
}

/// Runs one command to its end, quietly, and returns its wall time; a
/// failure is printed with the command's output and stops the bench.
fn timed(name: &str, mut cmd: Command, root: &Path) -> Duration {
    cmd.current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let out = cmd.output().unwrap_or_else(|e| panic!("{name}: {e}"));
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "{name} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The command as one would type it from the repository root.
fn shown(cmd: &Command, root: &Path) -> String {
    let relative = |s: &std::ffi::OsStr| {
        let p = PathBuf::from(s);
        p.strip_prefix(root)
            .map(|r| r.display().to_string())
            .unwrap_or_else(|_| p.display().to_string())
    };
    let program = Path::new(cmd.get_program());
    let mut words = vec![if program.file_name() == Some("cargo".as_ref()) {
        "cargo".to_owned()
    } else {
        relative(program.as_os_str())
    }];
    words.extend(cmd.get_args().map(relative));
    let envs: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_string_lossy(), relative(v?))))
        .collect();
    [envs, words].concat().join(" ")
}
