//! fixtures/budgets: a call over its rule's `under`, a test over its
//! blocked-time budget, and lock waits on a lock another thread holds.

use crate::run_suite::{Run, run_suite, scratch};
use serde_json::Value;
use std::sync::OnceLock;

/// The suite, run once in check mode.
fn budgets() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = scratch("budgets");
        run_suite(&dir, &["fixtures/budgets.toml"], &[("INSTA_UPDATE", "no")])
    })
}

fn test<'a>(run: &'a Run, name: &str) -> &'a Value {
    let report = run.report.as_ref().expect("a report");
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the report:\n{}", run.explain()))
}

fn message(t: &Value) -> &str {
    t["message"].as_str().unwrap_or_default()
}

#[test]
fn a_call_over_its_rules_under_is_denied_and_one_within_is_allowed() {
    let run = budgets();
    let within = test(run, "under::nap_within");
    assert_eq!(within["outcome"], "pass", "{within:#}");
    let over = test(run, "under::nap_over");
    assert_eq!(over["outcome"], "blocked", "{over:#}");
    assert!(message(over).contains("over budget: "), "{over:#}");
    assert!(message(over).contains(" > 20 ms"), "{over:#}");
    let denied = over["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["verdict"] == "denied")
        .unwrap_or_else(|| panic!("no denied call: {over:#}"));
    assert!(
        denied["rule"]
            .as_str()
            .unwrap()
            .starts_with("over budget: ")
    );
}

#[test]
fn a_test_over_its_blocked_time_budget_is_blocked_and_the_report_says_by_how_much() {
    let run = budgets();
    let within = test(run, "total::within_the_suites_budget");
    assert_eq!(within["outcome"], "pass", "{within:#}");
    assert_eq!(within["budget"]["budget_ns"], 100_000_000);
    let over = test(run, "total::over_its_own_budget");
    assert_eq!(over["outcome"], "blocked", "{over:#}");
    assert_eq!(over["budget"]["budget_ns"], 15_000_000);
    assert!(over["budget"]["blocked_ns"].as_u64().unwrap() >= 30_000_000);
    let m = message(over);
    assert!(m.contains("blocked in all > 15 ms budget"), "{m}");
    assert!(m.contains("clock_nanosleep at budgets::total::naps"), "{m}");
}

#[test]
fn a_contended_lock_wait_is_marked_and_contended_allow_lets_it_through() {
    let run = budgets();
    let allowed = test(run, "contended::allowed_by_a_rule");
    assert_eq!(allowed["outcome"], "pass", "{allowed:#}");
    let wait = &allowed["blocking"][0];
    assert_eq!(wait["call"], "futex_wait", "{allowed:#}");
    assert_eq!(wait["contended"], true, "{allowed:#}");
    assert_eq!(wait["verdict"], "allowed", "{allowed:#}");
    let judged = test(run, "contended::judged_as_any_call");
    assert_eq!(judged["outcome"], "blocked", "{judged:#}");
    assert!(
        message(judged).contains("1 contended lock wait"),
        "{judged:#}"
    );
}
