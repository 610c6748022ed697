//! What changed since the baseline, per suite × toolchain present in both:
//! verdicts and tests that got worse or better, and denied sites that are
//! new. Tests and suites new tonight have nothing to compare with.
//!
//! A wait reached only under contention (a futex wait, a contended lock)
//! comes in some runs and not in others, so it neither makes a test newly
//! blocking nor counts as a new site: only calls every run makes do.

use super::entry::Entry;
use crate::schema::{Outcome, Report, TestEntry, TestKey};
use blockguard_protocol::Verdict as CallVerdict;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The regressions section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regressions {
    /// Suites and tests that make denied calls now and did not.
    pub newly_blocking: Vec<Change>,
    /// Suites and tests that fail now and did not.
    pub newly_failing: Vec<Change>,
    /// Suites and tests that are better now.
    pub fixed: Vec<Change>,
    /// Denied sites a suite reaches now and did not.
    pub new_sites: Vec<NewSite>,
}

impl Regressions {
    /// Whether anything got worse.
    pub fn any(&self) -> bool {
        !(self.newly_blocking.is_empty()
            && self.newly_failing.is_empty()
            && self.new_sites.is_empty())
    }
}

/// A suite (no `test`) or a test whose standing changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The suite.
    pub suite: String,
    /// The toolchain.
    pub toolchain: String,
    /// `binary::test`, or none for the suite's verdict.
    pub test: Option<String>,
    /// Before: a verdict, or a test's outcome.
    pub was: String,
    /// Now.
    pub now: String,
}

/// A denied site that is new in a suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSite {
    /// The suite.
    pub suite: String,
    /// The toolchain.
    pub toolchain: String,
    /// `call at site`.
    pub site: String,
}

/// How a test stands, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Standing {
    Clean,
    Blocking,
    Failing,
}

/// `denied`: the test made a denied call that every run makes. A test
/// blocked only by a contention wait stands clean.
fn standing(outcome: Outcome, denied: bool) -> Standing {
    match outcome {
        Outcome::Fail | Outcome::Timeout | Outcome::Crash | Outcome::Limit => Standing::Failing,
        _ if denied => Standing::Blocking,
        _ => Standing::Clean,
    }
}

/// Compares tonight's entries with the baseline's.
pub fn compare(now: &[Entry], before: &[Entry]) -> Regressions {
    let before: BTreeMap<String, &Entry> = before.iter().map(|e| (e.key(), e)).collect();
    let mut r = Regressions::default();
    for entry in now {
        let Some(old) = before.get(&entry.key()) else {
            continue;
        };
        let (was, is) = (old.verdict(), entry.verdict());
        let flaky: BTreeSet<TestKey> = flaky_tests(old)
            .union(&flaky_tests(entry))
            .cloned()
            .collect();
        let (then, now) = (steady_rank(old, &flaky), steady_rank(entry, &flaky));
        let change = |test: Option<&TestKey>, was: String, now: String| Change {
            suite: entry.suite.clone(),
            toolchain: entry.toolchain.clone(),
            test: test.map(TestKey::to_string),
            was,
            now,
        };
        if now != then {
            let c = change(None, was.to_string(), is.to_string());
            match now {
                _ if now < then => r.fixed.push(c),
                Standing::Blocking => r.newly_blocking.push(c),
                _ => r.newly_failing.push(c),
            }
        }
        let (Some(new_report), Some(old_report)) = (&entry.report, &old.report) else {
            continue;
        };
        let old_tests = tests(old_report);
        for (key, (outcome, standing_now)) in tests(new_report) {
            let Some((old_outcome, standing_then)) = old_tests.get(&key) else {
                continue;
            };
            let c = change(Some(&key), old_outcome.to_string(), outcome.to_string());
            if standing_now > *standing_then {
                match standing_now {
                    Standing::Blocking => r.newly_blocking.push(c),
                    _ => r.newly_failing.push(c),
                }
            } else if standing_now < *standing_then {
                r.fixed.push(c);
            }
        }
        let old_sites = sites(old_report);
        for site in sites(new_report).difference(&old_sites) {
            r.new_sites.push(NewSite {
                suite: entry.suite.clone(),
                toolchain: entry.toolchain.clone(),
                site: site.clone(),
            });
        }
    }
    r
}

/// A suite's standing: its verdict, with contention waits left out, and
/// the tests in `flaky` (flaky on either night) left out of it.
fn steady_rank(entry: &Entry, flaky: &BTreeSet<TestKey>) -> Standing {
    use crate::schema::Verdict;
    match (entry.verdict(), &entry.report) {
        (Verdict::BuildFailed | Verdict::Error, _) | (_, None) => Standing::Failing,
        (_, Some(report)) => tests(report)
            .into_iter()
            .filter(|(key, _)| !flaky.contains(key))
            .map(|(_, (_, standing))| standing)
            .max()
            .unwrap_or(Standing::Clean),
    }
}

/// The tests that were flaky in a report.
fn flaky_tests(entry: &Entry) -> BTreeSet<TestKey> {
    entry
        .report
        .iter()
        .flat_map(|r| r.tests.iter().map(move |t| (r, t)))
        .filter(|(_, t)| t.outcome == Outcome::Flaky)
        .map(|(r, t)| key(r, t))
        .collect()
}

/// A test's key; a report written before packages were named has its
/// tests in the suite's crate.
fn key(report: &Report, test: &TestEntry) -> TestKey {
    let mut key = test.key.clone();
    if key.package.is_empty() {
        key.package.clone_from(&report.suite.krate);
    }
    key
}

fn tests(report: &Report) -> BTreeMap<TestKey, (Outcome, Standing)> {
    report
        .tests
        .iter()
        // A flaky test is neither a regression nor a fix, either way.
        .filter(|t| !matches!(t.outcome, Outcome::Ignored | Outcome::Flaky))
        .map(|t| {
            let denied = t.blocking.iter().any(|c| steady_denied(&c.event));
            (key(report, t), (t.outcome, standing(t.outcome, denied)))
        })
        .collect()
}

/// Every denied `call at site` in a report.
fn sites(report: &Report) -> BTreeSet<String> {
    report
        .tests
        .iter()
        .flat_map(|t| t.blocking.iter())
        .filter(|c| steady_denied(&c.event))
        .map(|c| format!("{} at {}", c.event.call, c.event.site))
        .collect()
}

/// A denied call that every run of the test makes.
fn steady_denied(e: &blockguard_protocol::TraceEvent) -> bool {
    e.verdict == CallVerdict::Denied && !e.class.reached_only_under_contention(&e.call)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A night's entry whose one test had `outcome`.
    fn night(outcome: &str) -> Entry {
        let report: Report = serde_json::from_value(serde_json::json!({
            "schema": "blockguard-report/1",
            "suite": {"name": "s", "crate": "s", "version": "1.0.0", "source": "crates.io"},
            "mode": "check",
            "toolchain": "rustc 1.95.0",
            "capabilities": null,
            "build": {"status": "ok", "message": null},
            "tests": [{
                "binary": "s", "name": "t", "outcome": outcome, "duration_ms": 1,
                "message": null, "rule": null, "snapshot": null, "blocking": []
            }],
            "summary": {"pass": 0, "fail": 0, "blocked": 0, "timeout": 0, "crash": 0,
                        "suppressed": 0, "ignored": 0},
            "stale_rules": []
        }))
        .unwrap();
        Entry {
            suite: "s".into(),
            krate: "s".into(),
            version: "1.0.0".into(),
            toolchain: "stable".into(),
            rustc: None,
            error: None,
            report: Some(report),
        }
    }

    #[test]
    fn a_flaky_test_is_neither_a_regression_nor_a_fix() {
        for (before, now) in [
            ("fail", "flaky"),
            ("flaky", "fail"),
            ("pass", "flaky"),
            ("flaky", "pass"),
        ] {
            let r = compare(&[night(now)], &[night(before)]);
            assert!(
                r.newly_failing.is_empty() && r.newly_blocking.is_empty() && r.fixed.is_empty(),
                "{before} -> {now}: {r:?}"
            );
        }
        // Without a flaky night, the same change is news: the suite's and the test's.
        let tests: Vec<Option<String>> = compare(&[night("fail")], &[night("pass")])
            .newly_failing
            .into_iter()
            .map(|c| c.test)
            .collect();
        assert_eq!(tests, [None, Some("s::t".to_owned())]);
    }

    #[test]
    fn a_contention_wait_alone_is_no_regression() {
        assert_eq!(standing(Outcome::Blocked, false), Standing::Clean);
        assert_eq!(standing(Outcome::Blocked, true), Standing::Blocking);
        assert_eq!(standing(Outcome::Pass, true), Standing::Blocking);
        assert_eq!(standing(Outcome::Timeout, false), Standing::Failing);
        let wait = |call: &str, class| {
            blockguard_protocol::TraceEvent::new(call, class, CallVerdict::Denied, "s", "v")
        };
        use blockguard_protocol::Class;
        assert!(!steady_denied(&wait("futex_wait", Class::Sync)));
        assert!(steady_denied(&wait("pthread_join", Class::Sync)));
        assert!(steady_denied(&wait("clock_nanosleep", Class::Sleep)));
    }
}
