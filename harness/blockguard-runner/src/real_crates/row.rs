//! One crate's result: what each of the three runs said, and what the
//! gate makes of it.

use super::compare::{Difference, Drift};
use super::plain::PlainRun;
use crate::schema::{Outcome, Report};
use std::time::Duration;

/// One crate's three runs.
#[derive(Debug)]
pub struct Row {
    /// `name version`.
    pub label: String,
    /// executor, pool, channel, ...
    pub kind: String,
    /// What went wrong before anything could be compared.
    pub error: Option<String>,
    /// Plain `cargo test`.
    pub plain: Option<PlainRun>,
    /// `cargo blockguard test --mode audit`.
    pub audit: Option<Report>,
    /// `cargo blockguard test --mode check`.
    pub check: Option<Report>,
    /// Tests that ended otherwise under audit.
    pub differences: Vec<Difference>,
    /// The check run against the expectations.
    pub drift: Drift,
    /// Expectations in the crate's file.
    pub expected: usize,
    /// Distinct denied calls of the check run (contended lock waits
    /// apart).
    pub denied: usize,
    /// Distinct denied lock waits that found their lock contended.
    pub contended: usize,
    /// Wall time of each run: plain, audit, check.
    pub times: [Duration; 3],
}

impl Row {
    /// A crate that could not be run.
    pub fn failed(label: String, kind: String, error: String) -> Row {
        Row {
            label,
            kind,
            error: Some(error),
            plain: None,
            audit: None,
            check: None,
            differences: Vec::new(),
            drift: Drift::default(),
            expected: 0,
            denied: 0,
            contended: 0,
            times: [Duration::ZERO; 3],
        }
    }

    /// The gate holds for this crate.
    pub fn holds(&self) -> bool {
        self.error.is_none() && self.differences.is_empty() && self.drift.is_empty()
    }

    /// `N pass, N fail, N ignored` of plain `cargo test`.
    pub fn plain_cell(&self) -> String {
        let Some(plain) = &self.plain else {
            return "—".to_owned();
        };
        use super::libtest_output::PlainOutcome::*;
        let count = |o| plain.outcomes.values().filter(|v| **v == o).count();
        format!(
            "{} pass, {} fail, {} ignored",
            count(Pass),
            count(Fail),
            count(Ignored)
        )
    }

    /// Whether audit ended every test as plain `cargo test` did.
    pub fn audit_cell(&self) -> String {
        let Some(audit) = &self.audit else {
            return "—".to_owned();
        };
        let s = &audit.summary;
        let same = if self.differences.is_empty() {
            "same".to_owned()
        } else {
            format!("**{} differ**", self.differences.len())
        };
        format!(
            "{same}: {} pass, {} not, {} ignored",
            s.pass + s.flaky,
            not_passed(audit),
            s.ignored
        )
    }

    /// Tests blocked in check mode, and the denied calls against the
    /// expectations.
    pub fn check_cell(&self) -> String {
        let Some(check) = &self.check else {
            return "—".to_owned();
        };
        let drift = if self.drift.is_empty() {
            "as expected".to_owned()
        } else {
            format!(
                "**{} unexpected, {} missing**",
                self.drift.unexpected.len(),
                self.drift.missing.len()
            )
        };
        let contended = match self.contended {
            0 => String::new(),
            n => format!("; {n} contended lock waits"),
        };
        format!(
            "{} tests blocked; {} denied calls, {} expected: {drift}{contended}",
            check.summary.blocked, self.denied, self.expected
        )
    }

    /// Guarded time over plain time, for the runs (build included in
    /// plain's when it built first).
    pub fn times_cell(&self) -> String {
        let [plain, audit, check] = self.times.map(|t| t.as_secs_f64());
        if plain == 0.0 {
            return "—".to_owned();
        }
        format!("{plain:.0} s / {audit:.0} s / {check:.0} s")
    }
}

/// Tests that did not pass (failed, timed out, crashed, ...).
fn not_passed(report: &Report) -> usize {
    report
        .tests
        .iter()
        .filter(|t| !matches!(t.outcome, Outcome::Pass | Outcome::Flaky | Outcome::Ignored))
        .count()
}
