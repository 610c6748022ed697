//! The gate's two comparisons: audit against plain `cargo test` (every test
//! ends as it does without the guards), and check against the reviewed
//! expectations (every denied call expected, every expected one seen).

use super::crate_file::Expected;
use super::libtest_output::{PlainOutcome, PlainOutcomes, normalized};
use crate::schema::{Outcome, Report};
use blockguard_protocol::Verdict;
use std::collections::BTreeSet;

/// A test that ended otherwise under audit than under plain `cargo test`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// `binary::name`.
    pub test: String,
    /// What plain `cargo test` said (`None`: it did not run the test).
    pub plain: Option<PlainOutcome>,
    /// What audit said (`None`: it did not run the test).
    pub audit: Option<Outcome>,
}

/// Every test whose end differs. Binaries that print no libtest lines
/// (`harness = false`) are left out: plain `cargo test` says nothing of
/// them test by test.
pub fn transparency(plain: &PlainOutcomes, silent: &[String], audit: &Report) -> Vec<Difference> {
    let mut differences = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in &audit.tests {
        let key = (normalized(&entry.key.binary), entry.key.name.clone());
        if silent.contains(&key.0) {
            continue;
        }
        let plainly = plain.get(&key).copied();
        seen.insert(key);
        if !same_end(plainly, entry.outcome) {
            differences.push(Difference {
                test: entry.key.to_string(),
                plain: plainly,
                audit: Some(entry.outcome),
            });
        }
    }
    for ((binary, name), outcome) in plain {
        if !seen.contains(&(binary.clone(), name.clone())) {
            differences.push(Difference {
                test: format!("{binary}::{name}"),
                plain: Some(*outcome),
                audit: None,
            });
        }
    }
    differences
}

/// Audit never changes what a test does: a retried pass counts as a pass,
/// any way of not passing as a failure.
fn same_end(plain: Option<PlainOutcome>, audit: Outcome) -> bool {
    match plain {
        None => false,
        Some(PlainOutcome::Pass) => matches!(audit, Outcome::Pass | Outcome::Flaky),
        Some(PlainOutcome::Ignored) => audit == Outcome::Ignored,
        Some(PlainOutcome::Fail) => audit.is_failure() || audit == Outcome::Suppressed,
    }
}

/// A denied call of the check run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Denial {
    /// `binary::name`.
    pub test: String,
    /// The function or syscall.
    pub call: String,
    /// The innermost frame of the code under test.
    pub site: String,
    /// Whether a run reaches it only when another thread holds what it
    /// waits for (a park, a channel's wait, a spin): its expectation says
    /// `sometimes`.
    pub timing: bool,
}

/// Every distinct denied call of a check run, and apart from them the
/// denied lock waits that found their lock contended: whether a run meets
/// contention is timing, so those are counted, never expected.
pub fn denials(check: &Report) -> (BTreeSet<Denial>, BTreeSet<Denial>) {
    let mut denied = BTreeSet::new();
    let mut contended = BTreeSet::new();
    for entry in &check.tests {
        for b in entry
            .blocking
            .iter()
            .filter(|b| b.event.verdict == Verdict::Denied)
        {
            let denial = Denial {
                test: entry.key.to_string(),
                call: b.event.call.clone(),
                site: b.event.site.clone(),
                timing: b.event.class.reached_only_under_contention(&b.event.call),
            };
            if b.event.contended {
                contended.insert(denial);
            } else {
                denied.insert(denial);
            }
        }
    }
    // A site seen both ways is the contended kind.
    denied.retain(|d| !contended.contains(d));
    (denied, contended)
}

/// How the check run drifted from the expectations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    /// Denied, and expected by no entry.
    pub unexpected: Vec<Denial>,
    /// Expected every time, and not denied.
    pub missing: Vec<Expected>,
    /// Expected sometimes, and denied this time.
    pub sometimes_seen: usize,
}

impl Drift {
    /// Nothing drifted.
    pub fn is_empty(&self) -> bool {
        self.unexpected.is_empty() && self.missing.is_empty()
    }
}

/// Compares the denials with the expectations.
pub fn drift(denied: &BTreeSet<Denial>, expected: &[Expected]) -> Drift {
    let matches = |d: &Denial, e: &Expected| {
        wildcard(&e.test, &d.test) && wildcard(&e.call, &d.call) && wildcard(&e.site, &d.site)
    };
    Drift {
        unexpected: denied
            .iter()
            .filter(|d| !expected.iter().any(|e| matches(d, e)))
            .cloned()
            .collect(),
        missing: expected
            .iter()
            .filter(|e| !e.sometimes && !denied.iter().any(|d| matches(d, e)))
            .cloned()
            .collect(),
        sometimes_seen: expected
            .iter()
            .filter(|e| e.sometimes && denied.iter().any(|d| matches(d, e)))
            .count(),
    }
}

/// `pattern` matches `text` whole, `*` standing for any run of
/// characters (the only wildcard: sites are full of `{`, `<` and `[`).
fn wildcard(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denial(test: &str, call: &str, site: &str) -> Denial {
        Denial {
            test: test.to_owned(),
            call: call.to_owned(),
            site: site.to_owned(),
            timing: false,
        }
    }

    fn expected(test: &str, call: &str, site: &str, sometimes: bool) -> Expected {
        Expected {
            test: test.to_owned(),
            call: call.to_owned(),
            site: site.to_owned(),
            why: "reviewed".to_owned(),
            sometimes,
        }
    }

    #[test]
    fn a_new_denial_and_a_vanished_one_both_drift() {
        let denied: BTreeSet<Denial> = [
            denial("t::a", "read", "x::a"),
            denial("t::b", "futex_wait", "x::b"),
        ]
        .into();
        let drift = drift(
            &denied,
            &[
                expected("t::a", "read", "x::a", false),
                expected("t::c", "write", "x::c", false),
            ],
        );
        assert_eq!(drift.unexpected, [denial("t::b", "futex_wait", "x::b")]);
        assert_eq!(drift.missing.len(), 1);
        assert_eq!(drift.missing[0].test, "t::c");
        assert!(!drift.is_empty());
    }

    #[test]
    fn a_star_stands_for_any_run_of_characters_and_nothing_else_is_special() {
        assert!(wildcard("array::*", "array::drops"));
        assert!(wildcard("*", ""));
        assert!(wildcard(
            "unblock::chan::{{closure}}",
            "unblock::chan::{{closure}}"
        ));
        assert!(wildcard(
            "<x::Y<*> as *>::poll",
            "<x::Y<T> as z::Future>::poll"
        ));
        assert!(!wildcard("array::*", "list::drops"));
        assert!(!wildcard("a*b*c", "abx"));
        assert!(!wildcard("ab*ba", "aba"));
        assert!(!wildcard("exact", "exactly"));
    }

    #[test]
    fn one_expectation_with_a_star_covers_a_reviewed_pattern() {
        let denied: BTreeSet<Denial> = [
            denial("array::a", "pthread_join", "array::a"),
            denial("array::b", "pthread_join", "array::b"),
        ]
        .into();
        let drift = drift(
            &denied,
            &[expected("array::*", "pthread_join", "array::*", false)],
        );
        assert!(drift.is_empty(), "{drift:?}");
    }

    #[test]
    fn a_sometimes_expectation_may_be_absent_and_is_counted_when_seen() {
        let expect = [expected("t::a", "futex_wait", "x::a", true)];
        assert!(drift(&BTreeSet::new(), &expect).is_empty());
        let seen: BTreeSet<Denial> = [denial("t::a", "futex_wait", "x::a")].into();
        let drift = drift(&seen, &expect);
        assert!(drift.is_empty());
        assert_eq!(drift.sometimes_seen, 1);
    }

    #[test]
    fn contended_lock_waits_are_counted_apart_from_the_denials() {
        let call = |call: &str, site: &str, contended: bool| {
            serde_json::json!({
                "call": call, "class": "sync", "verdict": "denied", "escaped": false,
                "site": site, "via": "std::sync::Mutex<T>::lock", "rule": null,
                "contended": contended, "count": 1
            })
        };
        let report: Report = serde_json::from_value(serde_json::json!({
            "schema": "blockguard-report/1",
            "suite": {"name": "x", "crate": "x", "version": "1.0.0", "source": "path"},
            "mode": "check", "toolchain": "rustc", "capabilities": null,
            "build": {"status": "ok", "message": null},
            "tests": [{
                "package": "x", "binary": "t", "name": "a", "outcome": "blocked",
                "duration_ms": 1, "message": null, "rule": null, "snapshot": null,
                "blocking": [
                    call("futex_wait", "x::pool", true),
                    call("read", "x::a", false),
                    call("futex_wait", "x::lock", false),
                    call("futex_wait", "x::lock", true),
                ]
            }],
            "summary": {"pass": 0, "fail": 0, "blocked": 1, "timeout": 0, "crash": 0,
                        "limit": 0, "suppressed": 0, "flaky": 0, "ignored": 0},
            "stale_rules": []
        }))
        .unwrap();
        let (denied, contended) = denials(&report);
        // A sync wait: reached only under contention, so a timing one.
        let read = Denial {
            timing: true,
            ..denial("t::a", "read", "x::a")
        };
        assert_eq!(denied.into_iter().collect::<Vec<_>>(), [read]);
        assert_eq!(contended.len(), 2);
    }

    #[test]
    fn audit_is_transparent_when_each_test_ends_as_it_does_plainly() {
        assert!(same_end(Some(PlainOutcome::Pass), Outcome::Pass));
        assert!(same_end(Some(PlainOutcome::Pass), Outcome::Flaky));
        assert!(!same_end(Some(PlainOutcome::Pass), Outcome::Timeout));
        assert!(same_end(Some(PlainOutcome::Fail), Outcome::Crash));
        assert!(!same_end(Some(PlainOutcome::Fail), Outcome::Pass));
        assert!(!same_end(Some(PlainOutcome::Ignored), Outcome::Pass));
        assert!(!same_end(None, Outcome::Pass));
    }
}
