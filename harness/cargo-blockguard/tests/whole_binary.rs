//! Plain `cargo test` through the target runner on `fixtures/whole-binary`:
//! the binary runs whole, in one guarded process, its tests side by side,
//! and each denied call is its own test's.

mod support;

#[path = "../../../fixtures/whole-binary/expected.rs"]
mod expected;

use expected::EXPECTED;
use std::path::PathBuf;
use std::process::Output;
use support::{cargo_with_runner_into, scratch, shown, text, with_runner};

/// `cargo test ARGS` on a fresh copy of the fixture with the runner set
/// (`cargo blockguard exec RUNNER_ARGS --`); all copies share one build.
fn cargo_test(label: &str, runner_args: &[&str], args: &[&str]) -> Output {
    cargo_test_runs(label, runner_args, args, 1).remove(0)
}

/// [`cargo_test`], run `times` times on the same copy.
fn cargo_test_runs(label: &str, runner_args: &[&str], args: &[&str], times: usize) -> Vec<Output> {
    let (dir, path) = with_runner("whole-binary", label, runner_args);
    let target: PathBuf = scratch().join("whole-binary-target");
    let mut all = vec!["test", "--lib"];
    all.extend(args);
    (0..times)
        .map(|_| cargo_with_runner_into(&dir, &path, &target, &all))
        .collect()
}

/// The tests listed under `blocked:` after libtest's output.
fn blocked_list(all: &str) -> Vec<String> {
    let Some((_, after)) = all.split_once("\nblocked:\n") else {
        return Vec::new();
    };
    after
        .lines()
        .map_while(|l| l.strip_prefix("    "))
        .map(str::to_owned)
        .collect()
}

/// The block for one test: `---- NAME ----` and its line.
fn section<'a>(all: &'a str, test: &str) -> &'a str {
    let header = format!("---- {test} ----\n");
    let at = all
        .find(&header)
        .unwrap_or_else(|| panic!("no section for {test}\n{all}"));
    let rest = &all[at + header.len()..];
    rest.lines().next().unwrap_or_default()
}

#[test]
fn every_test_thread_is_guarded_and_each_call_is_its_own_tests() {
    // Eight at once: the twins run side by side, their thread names equal.
    let out = cargo_test("check", &[], &["--", "--test-threads", "8"]);
    assert_eq!(out.status.code(), Some(101), "{}", shown(&out));
    let all = text(&out);
    // The tests themselves pass: the binary fails for the guard's verdict.
    let ran = format!("test result: ok. {} passed; 0 failed", EXPECTED.len());
    assert!(all.contains(&ran), "{all}");
    let blocked: Vec<&str> = EXPECTED
        .iter()
        .filter(|e| e.denied.is_some())
        .map(|e| e.name)
        .collect();
    assert_eq!(blocked_list(&all), blocked, "{all}");
    for e in EXPECTED {
        let Some((call, site)) = e.denied else {
            continue;
        };
        let line = section(&all, e.name);
        let said = format!("blocked: 1 denied blocking call: {call} (");
        // A closure is shown as `{closure}`, with the call's place after it.
        let site = site.replace("{{closure}}", "{closure}");
        assert!(
            line.starts_with(&said) && line.contains(&format!(" at {site} via ")),
            "{}: {line}",
            e.name
        );
    }
    assert!(!all.contains("ran without the guards"), "{all}");
    assert!(all.contains(&format!(
        "blockguard result: FAILED. {} blocked",
        blocked.len()
    )));
    // The names it resolved are kept beside the runtime for the next run.
    let kept: Vec<_> = std::fs::read_dir(scratch().join("cache"))
        .unwrap()
        .flatten()
        .flat_map(|runtime| {
            std::fs::read_dir(runtime.path().join("symbols"))
                .into_iter()
                .flatten()
        })
        .flatten()
        .flat_map(|build| std::fs::read_dir(build.path()).into_iter().flatten())
        .collect();
    assert!(
        !kept.is_empty(),
        "no shared names kept in the runtime cache"
    );
}

#[test]
fn the_callers_filters_choose_the_tests_and_their_threads_are_still_told_apart() {
    // The second run of the same build with the same filters takes the
    // tests the first one listed, and tells them apart the same.
    let runs = cargo_test_runs(
        "filtered",
        &[],
        &["--", "twins_nap_0", "--skip", "twins_nap_00"],
        2,
    );
    let chosen: Vec<&str> = EXPECTED
        .iter()
        .filter(|e| e.name.contains("twins_nap_0") && !e.name.contains("twins_nap_00"))
        .filter(|e| e.denied.is_some())
        .map(|e| e.name)
        .collect();
    for out in &runs {
        assert_eq!(out.status.code(), Some(101), "{}", shown(out));
        let all = text(out);
        assert_eq!(blocked_list(&all), chosen, "{all}");
        assert!(all.contains("test result: ok. 9 passed"), "{all}");
        assert!(!all.contains("ran without the guards"), "{all}");
    }
}

#[test]
fn deny_mode_stops_the_binary_at_the_first_denied_call() {
    let out = cargo_test("deny", &["--mode", "deny"], &["--", "--test-threads", "1"]);
    assert_eq!(out.status.code(), Some(101), "{}", shown(&out));
    let all = text(&out);
    let first = EXPECTED
        .iter()
        .find(|e| e.denied.is_some())
        .expect("a blocked test");
    assert_eq!(blocked_list(&all), [first.name], "{all}");
    assert!(
        all.contains(&format!(
            "deny mode stopped the binary at {}'s denied call",
            first.name
        )),
        "{all}"
    );
    // libtest never got to say how the run ended.
    assert!(!all.contains("test result:"), "{all}");
}

#[test]
fn a_clean_selection_passes() {
    let out = cargo_test("clean", &[], &["--", "awaits_on_a_worker", "twins_nap_01"]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let all = text(&out);
    assert!(all.contains("test result: ok. 2 passed"), "{all}");
    assert!(!all.contains("blockguard result"), "{all}");
}

#[test]
fn a_test_target_without_libtest_is_one_guarded_test_its_main() {
    let (dir, path) = with_runner("whole-binary", "plain-main", &[]);
    let target: PathBuf = scratch().join("whole-binary-target");
    let out = cargo_with_runner_into(&dir, &path, &target, &["test", "--test", "plain-main"]);
    assert_eq!(out.status.code(), Some(101), "{}", shown(&out));
    let all = text(&out);
    assert!(
        all.contains("blocked: 1 denied blocking call: clock_nanosleep (sleep) at plain_main::main via std::thread::sleep"),
        "{all}"
    );
}

#[test]
fn a_pool_thread_left_by_an_ended_test_blames_no_test() {
    let (dir, path) = with_runner("whole-binary", "shared-pool", &[]);
    let target: PathBuf = scratch().join("whole-binary-target");
    let args = ["test", "--test", "shared_pool", "--", "--test-threads", "1"];
    let out = cargo_with_runner_into(&dir, &path, &target, &args);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(101), "{}", shown(&out));
    assert!(all.contains("test result: ok. 2 passed"), "{all}");
    // The worker thread `a_…` started ran `b_…`'s task after `a_…` ended.
    assert_eq!(blocked_list(&all), ["shared thread"], "{all}");
    assert!(
        section(&all, "shared thread").contains("clock_nanosleep"),
        "{all}"
    );
    assert!(
        !all.contains("---- a_builds_the_shared_runtime ----"),
        "{all}"
    );
}
