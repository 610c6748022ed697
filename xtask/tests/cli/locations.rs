//! The locations fixture (`fixtures/locations`) through `xtask run-suite`,
//! against its table of expected sites: each blocking call of the code
//! under test is found at its file and line, keyed by location (two calls
//! at two lines are two entries), named through the API at the boundary
//! it called; `--guard tasks` keeps only the calls inside task polls.

#[path = "../../../fixtures/locations/expected.rs"]
pub(crate) mod expected;

use crate::run_suite::{Run, run_suite, scratch};
use crate::support::root;
use expected::{CALM, EXPECTED, Site, line_of};
use serde_json::Value;
use std::sync::OnceLock;

/// The fixture run once per scope: its report.
fn run(scope: &'static str) -> &'static Run {
    static RUNS: [OnceLock<Run>; 2] = [OnceLock::new(), OnceLock::new()];
    let slot = usize::from(scope == "tasks");
    RUNS[slot].get_or_init(|| {
        let dir = scratch(&format!("locations-{scope}"));
        run_suite(
            &dir,
            &["fixtures/locations.toml", "--guard", scope, "-j", "2"],
            &[("INSTA_UPDATE", "no")],
        )
    })
}

fn entries<'a>(run: &'a Run, test: &str) -> Vec<&'a Value> {
    let report = run.report.as_ref().expect("a report");
    let entry = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["binary"] == "located" && t["name"] == test)
        .unwrap_or_else(|| panic!("located::{test} is not in the report:\n{}", run.explain()));
    entry["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == "denied")
        .collect()
}

/// The line the table's marker is on.
fn expected_line(site: &Site) -> u64 {
    let path = root().join("fixtures/locations/app").join(site.file);
    let text = std::fs::read_to_string(&path).unwrap();
    u64::from(line_of(&text, site.marker))
}

fn assert_found(run: &Run, site: &Site) {
    let line = expected_line(site);
    let found = entries(run, site.test);
    let hit = found.iter().find(|c| c["line"] == line).unwrap_or_else(|| {
        panic!(
            "located::{} has no denied call at {}:{line} ({}):\n{found:#?}",
            site.test, site.file, site.marker
        )
    });
    assert_eq!(hit["file"], site.file, "{hit:#}");
    assert_eq!(hit["call"], site.call, "{hit:#}");
    assert_eq!(hit["class"], site.class, "{hit:#}");
    assert_eq!(hit["via"], site.via, "{hit:#}");
    assert_eq!(hit["context"], site.context, "{hit:#}");
    assert!(hit["column"].as_u64().is_some_and(|c| c >= 1), "{hit:#}");
    let chain: Vec<&str> = hit["chain"]
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert_eq!(chain.first(), hit["site"].as_str().as_ref(), "{hit:#}");
    assert_eq!(chain.last(), Some(&site.call), "{hit:#}");
}

#[test]
fn every_site_is_at_its_line_through_the_api_it_called() {
    let run = run("test");
    for site in EXPECTED {
        assert_found(run, site);
    }
    // Nothing else: each test's denied entries are exactly its table's.
    for test in EXPECTED.iter().map(|s| s.test) {
        let expected = EXPECTED.iter().filter(|s| s.test == test).count();
        assert_eq!(
            entries(run, test).len(),
            expected,
            "located::{test}: {:#?}",
            entries(run, test)
        );
    }
    for test in CALM {
        assert!(entries(run, test).is_empty(), "located::{test}");
    }
}

#[test]
fn a_dependencys_wait_is_the_code_under_tests_site_with_the_chain_through_it() {
    let run = run("test");
    let site = EXPECTED
        .iter()
        .find(|s| s.test == "through_the_dependency")
        .unwrap();
    let found = entries(run, site.test);
    let chain: Vec<&str> = found[0]["chain"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(found[0]["site"], "app::wait_for_pool");
    assert!(
        chain
            .windows(2)
            .any(|w| w == ["app::wait_for_pool", "syncpool::Pool::wait_ready"]),
        "{chain:?}"
    );
    assert!(
        chain.iter().any(|f| f.starts_with("std::sync::Condvar::")),
        "std's frame by its public path: {chain:?}"
    );
}

#[test]
fn tasks_scope_keeps_only_the_calls_inside_task_polls() {
    let run = run("tasks");
    for site in EXPECTED {
        if site.in_task {
            assert_found(run, site);
        } else {
            assert!(
                entries(run, site.test).is_empty(),
                "located::{} is outside any task: {:#?}",
                site.test,
                entries(run, site.test)
            );
        }
    }
}
