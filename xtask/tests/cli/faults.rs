//! Tests that misbehave towards the runner and the guard runtime
//! (`fixtures/faults`), run end to end through `xtask run-suite`, against
//! the fixture's table of expected results; and interruptions of the
//! runner itself. Regression tests are named after what they guard.

#[path = "../../../fixtures/faults/src/expected.rs"]
mod expected;

use crate::support::root;
use expected::{FAULTS, Fault};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// What every daemon of the fixture sleeps with (`DAEMON_MARK`).
const DAEMON_MARK: &str = "3599.0917";

/// Longest any run here may take before it counts as hung.
const HUNG: Duration = Duration::from_secs(240);

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("faults-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The daemon checks look at every process on the machine, so the tests
/// that start daemons take turns.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

/// Processes whose command line contains `needle`, with theirs.
fn processes_with(needle: &str) -> Vec<String> {
    let me = std::process::id().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.parse::<u32>().is_ok() && n != me)
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(needle))
        .collect()
}

/// Waits up to `limit` for `done` to hold.
fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}

/// `xtask run-suite fixtures/faults.toml ARGS`, started.
fn start(dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["run-suite", "fixtures/faults.toml", "-j", "2", "--report"])
        .arg(dir.join("report.json"))
        .args(args)
        .current_dir(root())
        .env("BLOCKGUARD_SNAPSHOTS", dir.join("snapshots"))
        .env("INSTA_UPDATE", "no")
        .env_remove("INSTA_FORCE_PASS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xtask starts")
}

/// A finished run.
struct Run {
    code: Option<i32>,
    output: String,
    report: Option<Value>,
}

impl Run {
    fn test(&self, name: &str) -> &Value {
        let report = self
            .report
            .as_ref()
            .unwrap_or_else(|| panic!("no report:\n{}", self.output));
        report["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not in the report:\n{}", self.output))
    }
}

/// Waits for a started run (failing, not hanging, if it hangs).
fn finish(mut child: Child, dir: &Path) -> Run {
    let status = child.wait_timeout(HUNG).unwrap();
    if status.is_none() {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    let output = format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(status.is_some(), "run-suite hung for {HUNG:?}:\n{output}");
    Run {
        code: out.status.code(),
        output,
        // Not JSON: an interrupted run left the marker of the last report.
        report: std::fs::read_to_string(dir.join("report.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok()),
    }
}

/// The whole fixture in one mode, once per test binary.
fn run_in(mode: &'static str) -> &'static Run {
    static CHECK: OnceLock<Run> = OnceLock::new();
    static AUDIT: OnceLock<Run> = OnceLock::new();
    let cell = if mode == "check" { &CHECK } else { &AUDIT };
    cell.get_or_init(|| {
        let _turn = one_at_a_time();
        let dir = scratch(mode);
        let run = finish(start(&dir, &["--mode", mode]), &dir);
        let left = processes_with(DAEMON_MARK);
        assert!(left.is_empty(), "daemons outlived the {mode} run: {left:?}");
        run
    })
}

fn calls_of(test: &Value) -> Vec<String> {
    test["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let call = c["call"].as_str().unwrap().to_owned();
            if c["escaped"] == true {
                format!("{call} (escaped)")
            } else {
                call
            }
        })
        .collect()
}

fn check_against_table(fault: &Fault, mode: &'static str) {
    let run = run_in(mode);
    let test = run.test(fault.test);
    let want = if mode == "check" {
        fault.check
    } else {
        fault.audit
    };
    let message = test["message"].as_str().unwrap_or_default();
    assert_eq!(test["outcome"], want, "{} in {mode}: {test:#}", fault.test);
    let leaked = test["leaked"].as_array().is_some_and(|l| !l.is_empty());
    assert_eq!(
        leaked, fault.leaky,
        "{} in {mode}, leaked: {test:#}",
        fault.test
    );
    if let Some(has) = fault.message_has {
        assert!(
            message.contains(has),
            "{} in {mode}: {message:?} lacks {has:?}",
            fault.test
        );
    }
    if let Some(lacks) = fault.message_lacks {
        assert!(
            !message.contains(lacks),
            "{} in {mode}: {message:?} has {lacks:?}",
            fault.test
        );
    }
    if mode == "check" {
        let calls = calls_of(test);
        for call in fault.calls {
            assert!(
                calls.iter().any(|c| c == call),
                "{}: {call} not in {calls:?}",
                fault.test
            );
        }
    }
}

#[test]
fn every_fault_in_check_mode_is_as_the_table_says() {
    for fault in FAULTS {
        check_against_table(fault, "check");
    }
}

#[test]
fn every_fault_in_audit_mode_is_as_the_table_says() {
    for fault in FAULTS {
        check_against_table(fault, "audit");
    }
}

#[test]
fn leaky_tests_are_counted_in_the_summary() {
    let run = run_in("check");
    let leaky = FAULTS.iter().filter(|f| f.leaky).count();
    assert_eq!(run.report.as_ref().unwrap()["summary"]["leaky"], leaky);
    assert!(
        run.output.contains(&format!("  {leaky} leaky")),
        "{}",
        run.output
    );
    assert!(
        run.output.contains(&format!("sleep {DAEMON_MARK}")),
        "{}",
        run.output
    );
}

/// Issue 10, case 1: a daemon keeping the test's stdout and stderr held the
/// run for as long as it lived.
#[test]
fn a_daemon_holding_the_pipes_does_not_hold_up_the_run() {
    let _turn = one_at_a_time();
    let dir = scratch("daemon-pipes");
    let started = Instant::now();
    let run = finish(
        start(
            &dir,
            &["--", "--exact", "faults::process::daemon_keeps_the_pipes"],
        ),
        &dir,
    );
    let test = run.test("process::daemon_keeps_the_pipes");
    assert!(
        test["leaked"][0].as_str().unwrap().contains(DAEMON_MARK),
        "{test:#}"
    );
    // The daemon sleeps an hour; the run is over long before.
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
    assert!(processes_with(DAEMON_MARK).is_empty());
}

fn interrupt_with(signal: rustix::process::Signal, name: &str, code: i32) {
    let _turn = one_at_a_time();
    let dir = scratch(name);
    let report = dir.join("report.json");
    std::fs::write(&report, "the last report\n").unwrap();
    let test = "process::daemon_then_hang";
    let filter = format!("faults::{test}");
    let child = start(&dir, &["--timeout", "120s", "--", "--exact", &filter]);
    let runner = rustix::process::Pid::from_child(&child);
    assert!(
        eventually(HUNG, || processes_with(DAEMON_MARK).len() == 1
            && !processes_with(&format!("--exact {test}")).is_empty()),
        "the tests never started"
    );
    rustix::process::kill_process(runner, signal).unwrap();
    let run = finish(child, &dir);
    assert_eq!(run.code, Some(code), "{}", run.output);
    assert!(
        run.output.contains(&format!("stopped: faults::{test}")),
        "{}",
        run.output
    );
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        "the last report\n"
    );
    assert!(processes_with(&format!("--exact {test}")).is_empty());
    assert!(processes_with(DAEMON_MARK).is_empty());
    let traces = root()
        .join("target/blockguard/traces/faults")
        .join(format!("run-{}", runner.as_raw_nonzero()));
    assert!(!traces.exists(), "{} was left behind", traces.display());
}

/// Issue 10, case 2: Ctrl-C left the running tests orphaned.
#[test]
fn sigint_stops_running_tests_and_keeps_the_last_report() {
    interrupt_with(rustix::process::Signal::INT, "sigint", 130);
}

/// Issue 10, case 2, by SIGTERM.
#[test]
fn sigterm_stops_running_tests_and_keeps_the_last_report() {
    interrupt_with(rustix::process::Signal::TERM, "sigterm", 143);
}

/// Issue 10, case 2, by SIGKILL: nothing can run in the runner then, so its
/// tests and their daemons must die without its help.
#[test]
fn sigkill_of_the_runner_takes_its_tests_and_their_daemons() {
    let _turn = one_at_a_time();
    let dir = scratch("sigkill");
    let test = "process::daemon_then_hang";
    let filter = format!("faults::{test}");
    let mut child = start(&dir, &["--timeout", "120s", "--", "--exact", &filter]);
    assert!(
        eventually(HUNG, || processes_with(DAEMON_MARK).len() == 1),
        "the test never started its daemon"
    );
    // The run's launch server forks each test's launcher (and so the
    // launcher's command line is the server's); they go too.
    let server = format!("--serve-launches --parent {}", child.id());
    assert!(
        eventually(HUNG, || !processes_with(&server).is_empty()),
        "no launch server: {:?}",
        processes_with("--serve-launches")
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        eventually(Duration::from_secs(20), || processes_with(DAEMON_MARK)
            .is_empty()
            && processes_with(&format!("--exact {test}")).is_empty()
            && processes_with(&server).is_empty()),
        "outlived the runner: {:?} {:?}",
        processes_with("faults"),
        processes_with(&server)
    );
}
