//! The async zoo (`fixtures/async-zoo`) end to end through `xtask
//! run-suite`, in every mode, against the fixture's table of expected
//! results: task polls on tokio (current_thread and multi_thread, a runtime
//! the test builds itself), smol and futures are guarded contexts; the
//! executors' own waits are not findings; nested `block_on` is.

#[path = "../../../fixtures/async-zoo/src/expected.rs"]
mod expected;

use crate::support::root;
use expected::{EXPECTED, Expected};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// The whole zoo in one mode: its report.
fn report(mode: &'static str) -> &'static Value {
    static RUNS: [OnceLock<Value>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let slot = ["check", "audit", "deny"]
        .iter()
        .position(|m| *m == mode)
        .unwrap();
    RUNS[slot].get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("async-zoo-{mode}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let report = dir.join("report.json");
        let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args([
                "run-suite",
                "fixtures/async-zoo.toml",
                "-j",
                "2",
                "--mode",
                mode,
            ])
            .arg("--report")
            .arg(&report)
            .current_dir(root())
            .env("BLOCKGUARD_SNAPSHOTS", dir.join("snapshots"))
            .env("INSTA_UPDATE", "no")
            .env_remove("INSTA_FORCE_PASS")
            .output()
            .expect("xtask runs");
        let text = std::fs::read_to_string(&report).unwrap_or_else(|e| {
            panic!(
                "no report ({e}):\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        serde_json::from_str(&text).unwrap()
    })
}

fn test_of<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the report"))
}

/// `call class context site via` of the denied events.
fn denied(test: &Value) -> Vec<String> {
    test["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["verdict"] == "denied")
        .map(|e| {
            format!(
                "{} {} {} {} {}",
                e["call"].as_str().unwrap(),
                e["class"].as_str().unwrap(),
                e["context"].as_str().unwrap_or("-"),
                e["site"].as_str().unwrap(),
                e["via"].as_str().unwrap()
            )
        })
        .collect()
}

fn wanted(expected: &Expected) -> Vec<String> {
    expected
        .denied
        .iter()
        .map(|e| format!("{} {} {} {} {}", e.call, e.class, e.context, e.site, e.via))
        .collect()
}

#[test]
fn every_zoo_test_is_in_the_table_and_the_table_in_the_zoo() {
    let report = report("check");
    let mut ran: Vec<&str> = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut table: Vec<&str> = EXPECTED.iter().map(|e| e.test).collect();
    ran.sort_unstable();
    table.sort_unstable();
    assert_eq!(ran, table);
}

#[test]
fn check_mode_reports_exactly_the_blocking_inside_task_polls() {
    let report = report("check");
    for expected in EXPECTED {
        let test = test_of(report, expected.test);
        assert_eq!(
            denied(test),
            wanted(expected),
            "{}: {test:#}",
            expected.test
        );
        let outcome = if expected.denied.is_empty() {
            "pass"
        } else {
            "blocked"
        };
        assert_eq!(test["outcome"], outcome, "{}: {test:#}", expected.test);
    }
}

#[test]
fn the_executors_own_waits_are_allowed_with_the_rule_named() {
    let report = report("check");
    let mut machinery = 0;
    for test in report["tests"].as_array().unwrap() {
        for event in test["blocking"].as_array().unwrap() {
            if event["rule_id"]
                .as_str()
                .is_some_and(|r| r.starts_with("executors:machinery["))
            {
                assert_eq!(event["verdict"], "allowed", "{event:#}");
                assert!(!event["rule"].as_str().unwrap().is_empty(), "{event:#}");
                machinery += 1;
            }
        }
    }
    // Every calm test waits through its executor at least once.
    assert!(machinery >= EXPECTED.iter().filter(|e| e.denied.is_empty()).count());
}

#[test]
fn audit_mode_keeps_every_outcome_as_plain_cargo_test_gives_it() {
    let report = report("audit");
    for expected in EXPECTED {
        let test = test_of(report, expected.test);
        assert_eq!(test["outcome"], "pass", "{}: {test:#}", expected.test);
        assert_eq!(
            denied(test),
            wanted(expected),
            "{}: {test:#}",
            expected.test
        );
    }
}

#[test]
fn deny_mode_stops_each_blocking_test_at_its_first_denied_call() {
    let report = report("deny");
    for expected in EXPECTED {
        let test = test_of(report, expected.test);
        let outcome = if expected.denied.is_empty() {
            "pass"
        } else {
            "blocked"
        };
        assert_eq!(test["outcome"], outcome, "{}: {test:#}", expected.test);
        let first = wanted(expected).into_iter().take(1).collect::<Vec<_>>();
        assert_eq!(denied(test), first, "{}: {test:#}", expected.test);
    }
}
