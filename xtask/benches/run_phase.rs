//! The run phase of `cargo xtask run-suite` against `cargo nextest run`, on
//! the same built suite, side by side: `cargo bench -p xtask --bench
//! run_phase`. Two fixtures: `fixtures/many-tests` (sixty quick calm tests,
//! audit mode: the runner's own cost) and `fixtures/many-blocking` (sixty
//! tests, one blocking call each at its own site, check mode: what a guarded
//! process costs that meets a site for the first time).
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
//! - the same run-suite with `BLOCKGUARD_LAUNCH_SERVER=off`: each test's
//!   launcher spawned and exec'd by the runner instead of forked by the
//!   run's launch server, to show what the server saves.
//!
//! Each command's own run phase is read too: nextest's from its summary
//! line (`Summary [ 0.082s ]`), run-suite's from its report
//! (`timing.run_ms`), from its first test process to its last, without the
//! builds and listings. The added milliseconds per test come from the run
//! phases.
//!
//! The rounds rotate which command goes first. The target is a median
//! ratio (run-suite / nextest) of at most 1.10.

use blockguard_runner::suites_table::nextest::{Baseline, parse_summary};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROUNDS: usize = 7;
const JOBS: &str = "2";
const TARGET_RATIO: f64 = 1.10;

/// One side-by-side comparison: a fixture, run-suite's mode on it, and
/// the exit code run-suite gives there (1 where every test is blocked).
struct Case {
    fixture: &'static str,
    mode: &'static str,
    suite_exit: i32,
    what: &'static str,
}

const CASES: [Case; 2] = [
    Case {
        fixture: "many-tests",
        mode: "audit",
        suite_exit: 0,
        what: "60 quick calm tests: the runner's own per-test cost",
    },
    Case {
        fixture: "many-blocking",
        mode: "check",
        suite_exit: 1,
        what: "60 tests, one blocking call each at its own site: the guard runtime's per-process cost",
    },
];

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("run_phase: a benchmark; run it with `cargo bench -p xtask --bench run_phase`");
        return;
    }
    for case in &CASES {
        compare(case);
    }
}

fn compare(case: &Case) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let scratch = root.join("target/blockguard/bench");
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    let fixture = format!("fixtures/{}", case.fixture);

    let nextest = || {
        let mut cmd = Command::new(&cargo);
        cmd.args(["nextest", "run", "--manifest-path"])
            .arg(root.join(&fixture).join("Cargo.toml"))
            .arg("--target-dir")
            .arg(root.join("target/blockguard/build"))
            .args(["--no-fail-fast", "--test-threads", JOBS]);
        cmd
    };
    let report = scratch.join(format!("run_phase-{}.json", case.fixture));
    let run_suite = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
        cmd.args(["run-suite", "--path", &fixture])
            .args(["--mode", case.mode, "-j", JOBS])
            .arg("--report")
            .arg(&report)
            // Snapshots of this throwaway run stay out of the repository.
            .env("BLOCKGUARD_SNAPSHOTS", scratch.join("snapshots"))
            .env("INSTA_UPDATE", "no");
        cmd
    };
    let spawned = || {
        let mut cmd = run_suite();
        cmd.env("BLOCKGUARD_LAUNCH_SERVER", "off");
        cmd
    };
    let tools: [(&str, &dyn Fn() -> Command, i32, Phase); 3] = [
        ("cargo nextest run", &nextest, 0, Phase::NextestSummary),
        (
            "xtask run-suite",
            &run_suite,
            case.suite_exit,
            Phase::Report(&report),
        ),
        (
            "run-suite, spawned",
            &spawned,
            case.suite_exit,
            Phase::Report(&report),
        ),
    ];

    println!(
        "run_phase: {ROUNDS} rounds, {fixture} ({}), {JOBS} tests at once; timed:",
        case.what
    );
    for (_, make, ..) in &tools {
        println!("  {}", shown(&make(), &root));
    }
    // Untimed: builds the guard runtime and the fixture, warms caches.
    for (name, make, code, phase) in &tools {
        timed(name, make(), &root, *code, phase);
    }

    let mut times: [Vec<Duration>; 3] = Default::default();
    let mut phases: [Vec<Duration>; 3] = Default::default();
    for round in 0..ROUNDS {
        for i in (0..tools.len()).map(|k| (k + round) % tools.len()) {
            let (name, make, code, phase) = &tools[i];
            let (took, run_phase) = timed(name, make(), &root, *code, phase);
            println!(
                "  round {} {name:<18} {:>8.1} ms, run phase {:>8.1} ms",
                round + 1,
                ms(took),
                ms(run_phase)
            );
            times[i].push(took);
            phases[i].push(run_phase);
        }
    }
    let [nextest_phase, suite_phase, spawned_phase] = phases.map(median);
    let [nextest_median, suite_median, spawned_median] = times.map(median);
    let ratio = suite_median.as_secs_f64() / nextest_median.as_secs_f64();
    let per_test =
        |a: Duration, b: Duration| (ms(a) - ms(b)) * JOBS.parse::<f64>().unwrap_or(1.0) / 60.0;
    println!(
        "run_phase: {fixture}: median cargo nextest run {:.1} ms, xtask run-suite --mode {} {:.1} ms, ratio {ratio:.3} (target <= {TARGET_RATIO:.2}): {}; {:+.2} ms per test process ({JOBS} at once); launchers spawned: {:.1} ms, ratio {:.3}, {:+.2} ms per test over the launch server",
        ms(nextest_median),
        case.mode,
        ms(suite_median),
        if ratio <= TARGET_RATIO {
            "ok"
        } else {
            "over target"
        },
        per_test(suite_median, nextest_median),
        ms(spawned_median),
        spawned_median.as_secs_f64() / nextest_median.as_secs_f64(),
        per_test(spawned_median, suite_median),
    );
    let phase_ratio = suite_phase.as_secs_f64() / nextest_phase.as_secs_f64();
    println!(
        "run_phase: {fixture}: run phases (medians): nextest {:.1} ms, run-suite {:.1} ms, ratio {phase_ratio:.3}; {:+.2} ms per test process (target <= +1.00); launchers spawned {:.1} ms, {:+.2} ms per test",
        ms(nextest_phase),
        ms(suite_phase),
        per_test(suite_phase, nextest_phase),
        ms(spawned_phase),
        per_test(spawned_phase, nextest_phase),
    );
}

/// Where a command's own run phase is read.
enum Phase<'a> {
    /// nextest's summary line on stderr.
    NextestSummary,
    /// run-suite's report, `timing.run_ms`.
    Report(&'a Path),
}

impl Phase<'_> {
    fn read(&self, name: &str, stderr: &str) -> Duration {
        let run_ms = match self {
            Phase::NextestSummary => match parse_summary(stderr) {
                Some(Baseline::Ran { run_ms, .. }) => run_ms,
                _ => panic!("{name}: no summary line on stderr:\n{stderr}"),
            },
            Phase::Report(path) => {
                let text = std::fs::read_to_string(path)
                    .unwrap_or_else(|e| panic!("{name}: report {}: {e}", path.display()));
                let report: serde_json::Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{name}: report {}: {e}", path.display()));
                report["timing"]["run_ms"]
                    .as_u64()
                    .unwrap_or_else(|| panic!("{name}: no timing.run_ms in {}", path.display()))
            }
        };
        Duration::from_millis(run_ms)
    }
}

/// Runs one command to its end, quietly, and returns its wall time and its
/// own run phase; a failure is printed with the command's output and stops
/// the bench.
fn timed(
    name: &str,
    mut cmd: Command,
    root: &Path,
    code: i32,
    phase: &Phase,
) -> (Duration, Duration) {
    cmd.current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let out = cmd.output().unwrap_or_else(|e| panic!("{name}: {e}"));
    let took = start.elapsed();
    assert!(
        out.status.code() == Some(code) || (code == 0 && out.status.success()),
        "{name} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (
        took,
        phase.read(name, &String::from_utf8_lossy(&out.stderr)),
    )
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
