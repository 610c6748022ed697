//! Programs a test starts inherit the runtime. One of the code under
//! test's own (a test binary, a `[[bin]]`) has its executors' workers
//! guarded, and their calls go to the test's trace; a tool the test runs
//! (cargo, rustup: none of the code under test) has none guarded.

mod support;

use blockguard_protocol::env;
use blockguard_protocol::trace::Verdict;
use std::process::Stdio;
use support::{command, fixture_exe, take_trace, under_test};

/// Runs async-zoo's test whose tokio worker sleeps in a task, as a program
/// a test started (its trace begun, no test of its own), with `under_test`
/// as the code under test; the calls the trace got.
fn worker_sleeps_in(under_test: &str) -> Vec<(String, Verdict)> {
    let exe = fixture_exe("async-zoo", "async_zoo");
    let test = "tokio_multi::blocks_std_sleep_in_a_task";
    let (mut cmd, trace) = command(&exe, "async_zoo", test, Some("audit"), None);
    let trace = trace.expect("a guarded run has a trace");
    // What the test's own process writes first, at its load.
    std::fs::write(&trace, "{\"capabilities\":{\"interpose\":true}}\n").unwrap();
    let status = cmd
        .env_remove(env::TEST)
        .env(env::UNDER_TEST, under_test)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the fixture runs");
    assert!(status.success(), "audit changes nothing: {status}");
    take_trace(&trace)
        .events
        .iter()
        .map(|e| (e.call.clone(), e.verdict))
        .collect()
}

#[test]
fn the_code_under_tests_own_program_has_its_workers_guarded() {
    let calls = worker_sleeps_in(&under_test("async_zoo"));
    assert!(
        calls.contains(&("clock_nanosleep".to_owned(), Verdict::Denied)),
        "{calls:?}"
    );
}

#[test]
fn a_tool_the_test_runs_has_no_worker_guarded() {
    let calls = worker_sleeps_in(&under_test("some_other_crate"));
    assert_eq!(calls, [], "a tool's worker is not the test's");
}
