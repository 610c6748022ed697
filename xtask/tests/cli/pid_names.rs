//! Issue 25, item 9: tests run side by side each see a pid of their own,
//! as under `cargo nextest run`. `fixtures/pid-names` has three tests that
//! each claim a file and a socket named by their pid and hold them while
//! the others run; with every test PID 2 of a namespace of its own, only
//! one of the three passed, sandboxed or not. Run three at once, sandboxed and not, through the launch server
//! and with each launcher spawned (`BLOCKGUARD_LAUNCH_SERVER=off`).

use crate::run_suite::{Run, run_suite, scratch};

/// One run of the fixture at a time: runs of one suite share its build
/// and trace folders.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `run-suite --path fixtures/pid-names --mode audit -j 3 FLAGS`.
fn pid_names(name: &str, flags: &[&str], envs: &[(&str, &str)]) -> Run {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = scratch(&format!("pid-names-{name}"));
    let args: Vec<&str> = ["--path", "fixtures/pid-names", "--mode", "audit", "-j", "3"]
        .into_iter()
        .chain(flags.iter().copied())
        .collect();
    run_suite(&dir, &args, envs)
}

/// All three passed, each in a pid of its own.
fn all_three_passed(run: &Run) {
    assert_eq!(run.code, 0, "{}", run.explain());
    let report = run.report.as_ref().expect("a report");
    let tests = report["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 3, "{}", run.explain());
    for test in tests {
        assert_eq!(test["outcome"], "pass", "{test:#}\n{}", run.explain());
        assert!(test["leaked"].is_null(), "{test:#}");
    }
    assert_eq!(report["summary"]["pass"], 3, "{report:#}");
}

#[test]
fn side_by_side_tests_see_pids_of_their_own() {
    all_three_passed(&pid_names("plain", &["--no-sandbox"], &[]));
}

#[test]
fn side_by_side_tests_see_pids_of_their_own_with_launchers_spawned() {
    let spawned = [("BLOCKGUARD_LAUNCH_SERVER", "off")];
    all_three_passed(&pid_names("spawned", &["--no-sandbox"], &spawned));
}

#[test]
fn side_by_side_tests_see_pids_of_their_own_in_the_sandbox() {
    all_three_passed(&pid_names("sandboxed", &["--sandbox"], &[]));
}

#[test]
fn side_by_side_tests_see_pids_of_their_own_in_the_sandbox_with_launchers_spawned() {
    let spawned = [("BLOCKGUARD_LAUNCH_SERVER", "off")];
    all_three_passed(&pid_names("sandboxed-spawned", &["--sandbox"], &spawned));
}
