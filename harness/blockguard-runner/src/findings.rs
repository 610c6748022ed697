//! What a run-suite report found, counted per test: denied calls per class
//! and the sites that come up in the most tests. The table and the nightly
//! report both read reports through these.

use crate::schema::Report;
use blockguard_protocol::{Class, Verdict};
use std::collections::{BTreeMap, BTreeSet};

/// A blocking site and how many tests reached it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteCount {
    /// The libc call.
    pub call: String,
    /// The event's site: the innermost frame of the code under test.
    pub site: String,
    /// Tests with at least one denied call here.
    pub tests: usize,
}

impl SiteCount {
    /// `futex_wait at crossbeam_channel::context::Context::wait_until`.
    pub fn label(&self) -> String {
        format!("{} at {}", self.call, self.site)
    }
}

/// Per class, the number of tests with at least one denied call of it.
pub fn denied_tests_by_class(report: &Report) -> BTreeMap<Class, usize> {
    let mut by_class = BTreeMap::new();
    for test in &report.tests {
        let classes: BTreeSet<Class> = test
            .blocking
            .iter()
            .filter(|c| c.event.verdict == Verdict::Denied)
            .map(|c| c.event.class)
            .collect();
        for class in classes {
            *by_class.entry(class).or_insert(0) += 1;
        }
    }
    by_class
}

/// Per context (`microthread`, `tokio-worker`, …), the number of tests
/// with at least one denied call judged there. Events from before contexts
/// existed count as `microthread`.
pub fn denied_tests_by_context(report: &Report) -> BTreeMap<String, usize> {
    let mut by_context = BTreeMap::new();
    for test in &report.tests {
        let contexts: BTreeSet<&str> = test
            .blocking
            .iter()
            .filter(|c| c.event.verdict == Verdict::Denied)
            .map(|c| {
                c.event
                    .context
                    .as_deref()
                    .unwrap_or(blockguard_protocol::trace::MICROTHREAD)
            })
            .collect();
        for context in contexts {
            *by_context.entry(context.to_owned()).or_insert(0) += 1;
        }
    }
    by_context
}

/// The `n` denied (call, site) pairs reached by the most tests; ties go
/// by name, so the order is stable.
pub fn top_sites(report: &Report, n: usize) -> Vec<SiteCount> {
    let mut tests: BTreeMap<(String, String), usize> = BTreeMap::new();
    for test in &report.tests {
        let sites: BTreeSet<(String, String)> = test
            .blocking
            .iter()
            .filter(|c| c.event.verdict == Verdict::Denied)
            .map(|c| (c.event.call.clone(), c.event.site.clone()))
            .collect();
        for site in sites {
            *tests.entry(site).or_insert(0) += 1;
        }
    }
    let mut sites: Vec<SiteCount> = tests
        .into_iter()
        .map(|((call, site), tests)| SiteCount { call, site, tests })
        .collect();
    sites.sort_by(|a, b| {
        b.tests
            .cmp(&a.tests)
            .then_with(|| a.label().cmp(&b.label()))
    });
    sites.truncate(n);
    sites
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(tests: serde_json::Value) -> Report {
        serde_json::from_value(serde_json::json!({
            "schema": "blockguard-report/1",
            "suite": {"name": "s", "crate": "s", "version": "1.0.0", "source": "crates.io"},
            "mode": "check", "toolchain": "rustc", "capabilities": null,
            "build": {"status": "ok", "message": null},
            "tests": tests,
            "summary": {"pass": 0, "fail": 0, "blocked": 0, "timeout": 0, "crash": 0, "suppressed": 0, "ignored": 0},
            "stale_rules": []
        }))
        .unwrap()
    }

    fn call(call: &str, class: &str, verdict: &str, site: &str) -> serde_json::Value {
        serde_json::json!({"call": call, "class": class, "verdict": verdict, "escaped": false,
                           "site": site, "via": "v", "rule": null, "count": 3})
    }

    fn test(name: &str, calls: Vec<serde_json::Value>) -> serde_json::Value {
        serde_json::json!({"binary": "b", "name": name, "outcome": "blocked", "duration_ms": 1,
                           "message": null, "rule": null, "snapshot": null, "blocking": calls})
    }

    #[test]
    fn classes_and_sites_count_tests_not_calls() {
        let r = report(serde_json::json!([
            test(
                "one",
                vec![
                    call("futex_wait", "sync", "denied", "a::f"),
                    call("futex_wait", "sync", "denied", "a::g"),
                    call("read", "net", "allowed", "a::h"),
                ]
            ),
            test(
                "two",
                vec![
                    call("futex_wait", "sync", "denied", "a::g"),
                    call("clock_nanosleep", "sleep", "denied", "a::s"),
                ]
            ),
        ]));
        let classes: Vec<(Class, usize)> = denied_tests_by_class(&r).into_iter().collect();
        assert_eq!(classes, [(Class::Sleep, 1), (Class::Sync, 2)]);
        let labels: Vec<(String, usize)> = top_sites(&r, 2)
            .iter()
            .map(|s| (s.label(), s.tests))
            .collect();
        assert_eq!(
            labels,
            [
                ("futex_wait at a::g".to_owned(), 2),
                ("clock_nanosleep at a::s".to_owned(), 1)
            ]
        );
    }
}
