//! The guard runtime against `fixtures/faults`: tests that close or reuse
//! every descriptor, install their own SIGSYS action, or hang after a call
//! returned. What each must give is in `fixtures/faults/src/expected.rs`.

// The runner's tests read the fields this file does not.
#[allow(dead_code)]
#[path = "../../../fixtures/faults/src/expected.rs"]
mod expected;
mod support;

use blockguard_protocol::exit::BLOCKED;
use blockguard_protocol::inflight;
use blockguard_protocol::trace::{Lifecycle, Trace, Verdict};
use expected::{FAULTS, Fault};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::{Run, command, drain, run, take_trace};

fn faults_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| support::fixture_exe("faults", "faults"))
}

fn fault(test: &str) -> &'static Fault {
    FAULTS
        .iter()
        .find(|f| f.test == test)
        .unwrap_or_else(|| panic!("{test} is not in FAULTS"))
}

fn run_fault(test: &str, mode: Option<&str>) -> Run {
    run(faults_exe(), "faults", test, mode, None)
}

/// A table entry of `calls` (`call` or `call (escaped)`) among the denied events.
fn denied_has(run: &Run, want: &str) -> bool {
    let (call, escaped) = match want.strip_suffix(" (escaped)") {
        Some(call) => (call, true),
        None => (want, false),
    };
    run.trace
        .denied()
        .any(|e| e.call == call && e.escaped == escaped)
}

/// Audit gives what plain `cargo test` gives (a pass); check passes the
/// test itself, exits blocked and lists the table's calls; deny stops at
/// a denied call it names.
fn assert_the_table_holds(test: &str) {
    let f = fault(test);
    assert_eq!((f.check, f.audit), ("blocked", "pass"), "{test}");
    let plain = run_fault(test, None);
    let audit = run_fault(test, Some("audit"));
    let check = run_fault(test, Some("check"));
    let deny = run_fault(test, Some("deny"));
    let mut problems = Vec::new();
    if plain.code() != Some(0) {
        problems.push(format!("fails without the guards:\n{}", plain.dump()));
    }
    if audit.code() != Some(0) {
        problems.push(format!("audit: exit {:?}\n{}", audit.code(), audit.dump()));
    }
    if check.code() != Some(BLOCKED) || !check.stdout.contains("test result: ok") {
        problems.push(format!(
            "check: exit {:?}, want {BLOCKED} after the test passed\n{}",
            check.code(),
            check.dump()
        ));
    }
    for call in f.calls {
        if !denied_has(&check, call) {
            problems.push(format!("check: `{call}` not denied\n{}", check.dump()));
        }
    }
    let stopped = deny.trace.lifecycle.contains(&Lifecycle::Stopped);
    if deny.code() != Some(BLOCKED) || deny.trace.denied().count() != 1 || !stopped {
        problems.push(format!(
            "deny: want exit {BLOCKED}, one denied call and `stopped`\n{}",
            deny.dump()
        ));
    }
    assert!(problems.is_empty(), "{test}:\n{}", problems.join("\n"));
}

#[test]
fn closing_every_descriptor_keeps_the_trace_out_of_the_tests_file() {
    assert_the_table_holds("descriptors::close_every_descriptor_then_write_own_file");
}

#[test]
fn close_range_keeps_the_trace_out_of_the_tests_file() {
    assert_the_table_holds("descriptors::close_range_from_3_then_write_own_file");
}

#[test]
fn dup2_over_every_descriptor_keeps_the_trace_out_of_the_tests_file() {
    assert_the_table_holds("descriptors::dup2_over_every_descriptor_then_write_own_file");
}

#[test]
fn a_tests_own_sigsys_handler_lives_beside_the_backstop() {
    assert_the_table_holds("signals::own_sigsys_handler_and_raw_syscalls");
}

#[test]
fn an_ignored_sigsys_does_not_disarm_the_backstop() {
    assert_the_table_holds("signals::ignored_sigsys_and_raw_syscalls");
}

/// Runs `test` until its trace satisfies `ready`, waits a little more (it
/// is spinning or sleeping by then), reads the in-flight file, kills it.
/// Returns the calls in flight and the trace.
fn in_flight_when_stuck(
    test: &str,
    mode: &str,
    ready: impl Fn(&Trace) -> bool,
) -> (Vec<u64>, Trace) {
    let (cmd, trace) = command(faults_exe(), "faults", test, Some(mode), None);
    let (bytes, trace) = look_when_ready(cmd, &trace.expect("a guarded run"), ready, |t| {
        std::fs::read(inflight::path(t)).unwrap_or_default()
    });
    let seqs = inflight::decode(&bytes)
        .unwrap_or_else(|| panic!("{test}: no in-flight file ({} bytes)", bytes.len()));
    (seqs, trace)
}

/// Spawns `cmd`, whose trace is `trace`, until the trace satisfies
/// `ready`, waits a little more, takes `look` at the trace's path, kills
/// it. Returns what `look` saw and the trace.
fn look_when_ready<T>(
    mut cmd: std::process::Command,
    trace: &Path,
    ready: impl Fn(&Trace) -> bool,
    look: impl FnOnce(&Path) -> T,
) -> (T, Trace) {
    let mut child = cmd.spawn().expect("spawn the fixture");
    let (out, err) = (drain(&mut child, true), drain(&mut child, false));
    let start = Instant::now();
    while !ready(&Trace::parse(
        &std::fs::read_to_string(trace).unwrap_or_default(),
    )) {
        assert!(start.elapsed() < Duration::from_secs(30), "never got ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let seen = look(trace);
    let _ = child.kill();
    let _ = child.wait();
    let _ = (out.join(), err.join());
    (seen, take_trace(trace))
}

fn has(call: &'static str) -> impl Fn(&Trace) -> bool {
    move |t| t.events.iter().any(|e| e.call == call)
}

#[test]
fn a_sleep_that_returned_is_not_in_flight() {
    for mode in ["check", "audit", "farm"] {
        let test = "timeouts::sleeps_then_spins";
        let (seqs, trace) = in_flight_when_stuck(test, mode, has("clock_nanosleep"));
        assert_eq!(
            seqs, [0u64; 0],
            "{mode}: in flight while spinning: {trace:?}"
        );
    }
}

#[test]
fn an_uncontended_flock_is_not_in_flight() {
    let (seqs, trace) = in_flight_when_stuck("timeouts::flocks_then_spins", "check", has("flock"));
    assert_eq!(seqs, [0u64; 0], "in flight while spinning: {trace:?}");
}

#[test]
fn a_sleep_still_running_is_in_flight() {
    for mode in ["check", "audit", "farm"] {
        // The file write comes between the two sleeps.
        let test = "timeouts::sleeps_then_sleeps_forever";
        let (seqs, trace) = in_flight_when_stuck(test, mode, has("write"));
        let calls: Vec<(&str, Verdict)> = seqs
            .iter()
            .map(|&s| {
                trace
                    .by_seq(s)
                    .map_or(("?", Verdict::Denied), |e| (&*e.call, e.verdict))
            })
            .collect();
        let want = if mode == "farm" {
            Verdict::Farmed
        } else {
            Verdict::Denied
        };
        assert_eq!(calls, [("clock_nanosleep", want)], "{mode}: {trace:?}");
    }
}

/// One test's process maps the side files beside its trace, for the
/// runner's timeout message and live view; a whole binary (its tests named
/// by `BLOCKGUARD_TESTS`) has neither, and keeps only its trace.
#[test]
fn only_a_single_tests_process_keeps_side_files() {
    let test = "timeouts::sleeps_then_spins";
    let exists = |trace: &Path| {
        blockguard_protocol::side_files(trace)
            .iter()
            .map(|side| side.exists())
            .collect::<Vec<_>>()
    };
    for whole in [false, true] {
        let (mut cmd, trace) = command(faults_exe(), "faults", test, Some("audit"), None);
        let trace = trace.expect("a guarded run has a trace");
        let list = trace.with_extension("tests");
        if whole {
            std::fs::write(&list, format!("{test}\n")).unwrap();
            cmd.env_remove(blockguard_protocol::env::TEST)
                .env(blockguard_protocol::env::TESTS, &list);
        }
        let (sides, trace) = look_when_ready(cmd, &trace, has("clock_nanosleep"), exists);
        let _ = std::fs::remove_file(&list);
        assert!(trace.capabilities.is_some(), "the runtime ran: {trace:?}");
        assert_eq!(sides, [!whole; 3], "whole binary: {whole}");
    }
}
