//! The guard runtime against the blocking zoo (`fixtures/blocking-zoo`):
//! every way to block of DESIGN §3 and its calm look-alikes, one zoo test per
//! process, as the runner runs them. Each property runs the whole table and
//! fails once, listing every zoo test that is wrong.

#[path = "../../../fixtures/blocking-zoo/src/expected.rs"]
mod expected;
mod support;
#[path = "support/zoo.rs"]
mod zoo_support;

use blockguard_protocol::exit::BLOCKED;
use blockguard_protocol::trace::{Lifecycle, Verdict};
use expected::{AFTER, EXPECTED, Expected};
use std::collections::BTreeSet;
use support::{Key, key};
use zoo_support::{
    check_all, compare_denied, entry, expected_key, run, run_sharing_names, zoo_exe,
};

const GUARDED_MODES: [&str; 3] = ["deny", "check", "audit"];

fn blocking() -> impl Iterator<Item = &'static Expected> {
    EXPECTED.iter().filter(|e| !e.events.is_empty())
}

/// Fails with `problems` (and the runs' details) unless it is empty.
fn assert_none(problems: Vec<String>) {
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_table_lists_every_zoo_test() {
    let out = std::process::Command::new(zoo_exe())
        .args(["--list", "--format", "terse"])
        .output()
        .expect("list the zoo");
    let listed: BTreeSet<&str> = std::str::from_utf8(&out.stdout)
        .expect("utf-8 list")
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .collect();
    let declared: BTreeSet<&str> = EXPECTED.iter().map(|e| e.test).collect();
    let missing: Vec<_> = listed.difference(&declared).collect();
    let stale: Vec<_> = declared.difference(&listed).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "zoo tests missing from EXPECTED: {missing:?}; entries for no zoo test: {stale:?}"
    );
}

#[test]
fn check_mode_denies_exactly_the_declared_calls() {
    check_all(EXPECTED, |e| {
        let run = run(e.test, Some("check"), None);
        let mut problems: Vec<String> = compare_denied(&run, e.events).into_iter().collect();
        for ev in run.trace.denied().filter(|ev| ev.rule.is_some()) {
            problems.push(format!("a denied event names a rule: {ev:?}"));
        }
        // Each site is in its module's file, named from the fixture's root.
        let module = e.test.split("::").next().unwrap_or_default();
        let file = format!("src/{module}.rs");
        for ev in run.trace.denied() {
            if ev.file.as_deref() != Some(file.as_str()) || ev.line.is_none() || ev.outside {
                problems.push(format!("want a site in {file} at a line: {ev:?}"));
            }
        }
        let want = if e.events.is_empty() { 0 } else { BLOCKED };
        if run.code() != Some(want) {
            problems.push(format!("exit code {:?}, want {want}", run.code()));
        }
        if !e.events.is_empty() && !run.stdout.contains(AFTER) {
            problems.push(format!(
                "check mode did not go on after the call: no `{AFTER}`"
            ));
        }
        if !problems.is_empty() {
            problems.push(run.dump());
        }
        problems
    });
}

#[test]
fn deny_mode_stops_the_test_at_its_first_declared_call() {
    check_all(blocking(), |e| {
        let run = run(e.test, Some("deny"), None);
        let mut problems = Vec::new();
        if run.code() != Some(BLOCKED) {
            problems.push(format!("exit code {:?}, want {BLOCKED}", run.code()));
        }
        if run.stdout.contains(AFTER) {
            problems.push("code after the denied call ran".to_owned());
        }
        let denied: Vec<Key> = run.trace.denied().map(key).collect();
        if denied != [expected_key(&e.events[0])] {
            problems.push(format!(
                "want only the first declared event denied, got {denied:?}"
            ));
        }
        if !run.trace.lifecycle.contains(&Lifecycle::Stopped) {
            problems.push("no `stopped` lifecycle marker".to_owned());
        }
        if !problems.is_empty() {
            problems.push(run.dump());
        }
        problems
    });
}

#[test]
fn audit_mode_keeps_the_outcome_and_still_records() {
    check_all(EXPECTED, |e| {
        let plain = run(e.test, None, None);
        let audit = run(e.test, Some("audit"), None);
        let mut problems: Vec<String> = compare_denied(&audit, e.events).into_iter().collect();
        if plain.code() != Some(0) {
            problems.push(format!("fails without the guards:\n{}", plain.dump()));
        }
        if audit.code() != plain.code() {
            problems.push(format!(
                "exit code {:?} under audit, {:?} without the guards",
                audit.code(),
                plain.code()
            ));
        }
        if !problems.is_empty() {
            problems.push(audit.dump());
        }
        problems
    });
}

#[test]
fn names_shared_between_processes_are_the_names_each_would_resolve() {
    let symbols = std::env::temp_dir().join(format!("blockguard-zoo-names-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&symbols);
    // Several zoo tests at once share the folder: the first to meet a
    // frame writes it, the others read it, side by side.
    check_all(blocking(), |e| {
        let first = run_sharing_names(e.test, "check", &symbols);
        let again = run_sharing_names(e.test, "check", &symbols);
        // What each records alone is the table's (the check mode test).
        let mut problems: Vec<String> = compare_denied(&first, e.events).into_iter().collect();
        // Whether a lock wait found its lock held is timing, not a name.
        let named = |events: &[blockguard_protocol::TraceEvent]| {
            events
                .iter()
                .map(|e| blockguard_protocol::TraceEvent {
                    contended: false,
                    ..e.clone()
                })
                .collect::<Vec<_>>()
        };
        if named(&again.trace.events) != named(&first.trace.events) {
            problems.push(format!(
                "a later process recorded {:?}, the first {:?}",
                again.trace.events, first.trace.events
            ));
        }
        problems
    });
    let files: Vec<_> = std::fs::read_dir(&symbols)
        .expect("the runtime's folder of shared names")
        .flatten()
        .flat_map(|runtime| {
            std::fs::read_dir(runtime.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .collect();
    let _ = std::fs::remove_dir_all(&symbols);
    // The zoo's own binary at least (libc's frames lie beyond the test
    // entry or in its signal restorer, neither of them resolved).
    assert!(
        !files.is_empty(),
        "a file per object whose frames were resolved: {files:?}"
    );
}

#[test]
fn the_capabilities_line_states_what_the_runtime_proved() {
    let mut problems = Vec::new();
    for mode in GUARDED_MODES {
        let run = run("calm::println", Some(mode), None);
        let Some(caps) = &run.trace.capabilities else {
            problems.push(format!("{mode}: no capabilities line\n{}", run.dump()));
            continue;
        };
        let backstop = caps.escape_backstop.as_deref();
        if !caps.interpose
            || backstop != Some("syscall-user-dispatch")
            || !caps.dlsym
            || caps.mode != mode
        {
            problems.push(format!("{mode}: capabilities {caps:?}"));
        }
    }
    assert_none(problems);
}

#[test]
fn a_rules_file_allows_a_call_only_within_its_glob() {
    let multi = entry("multi::two_denied_calls");
    let (nap, read) = (&multi.events[0], &multi.events[1]);
    let reason = "zoo: the nap is intended";
    let rules = std::env::temp_dir().join(format!("blockguard-zoo-{}.toml", std::process::id()));
    let text = format!(
        "[[allow]]\ncall = \"{}\"\nwithin = \"{}\"\nreason = \"{reason}\"\n",
        nap.call, nap.site
    );
    std::fs::write(&rules, text).expect("write the rules file");
    let run_multi = run(multi.test, Some("check"), Some(&rules));
    let sleep = entry("std_ways::sleep");
    let run_sleep = run(sleep.test, Some("check"), Some(&rules));
    let _ = std::fs::remove_file(&rules);

    let mut problems = Vec::new();
    let verdicts = |run: &support::Run, ev: &expected::Ev| -> Vec<(Verdict, Option<String>)> {
        let want = expected_key(ev);
        let same = run.trace.events.iter().filter(|e| key(e) == want);
        same.map(|e| (e.verdict, e.rule.clone())).collect()
    };
    let allowed = vec![(Verdict::Allowed, Some(reason.to_owned()))];
    let denied = vec![(Verdict::Denied, None)];
    for (run, ev, want, what) in [
        (&run_multi, nap, &allowed, "the nap within the rule's glob"),
        (&run_multi, read, &denied, "the read no rule names"),
        (
            &run_sleep,
            &sleep.events[0],
            &denied,
            "the nap outside the glob",
        ),
    ] {
        let got = verdicts(run, ev);
        if &got != want {
            problems.push(format!(
                "{what}: want {want:?}, got {got:?}\n{}",
                run.dump()
            ));
        }
    }
    assert_none(problems);
}

#[test]
fn check_mode_reports_every_denied_call_not_just_the_first() {
    let multi = entry("multi::two_denied_calls");
    let run = run(multi.test, Some("check"), None);
    let denied: Vec<Key> = run.trace.denied().map(key).collect();
    let declared: Vec<Key> = multi.events.iter().map(expected_key).collect();
    assert_eq!(denied, declared, "in the order made\n{}", run.dump());
}

#[test]
fn a_calm_should_panic_test_passes_in_every_mode() {
    let mut problems = Vec::new();
    for mode in [None].into_iter().chain(GUARDED_MODES.map(Some)) {
        let run = run("calm::should_panic", mode, None);
        if run.code() != Some(0) {
            problems.push(format!(
                "mode {mode:?}: exit {:?}\n{}",
                run.code(),
                run.dump()
            ));
        }
    }
    assert_none(problems);
}
