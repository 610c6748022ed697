//! One row of the table: a suite under nextest, audit and check.

use super::nextest::Baseline;
use crate::findings::{SiteCount, denied_tests_by_class, top_sites};
use crate::schema::Report;
use blockguard_protocol::Class;
use std::collections::BTreeMap;

/// Sites shown per suite.
const TOP: usize = 3;

/// A suite's results, as the table shows them.
#[derive(Debug, Clone)]
pub struct Row {
    /// The suite's name.
    pub suite: String,
    /// The crate's version, when it resolved.
    pub version: Option<String>,
    /// Plain `cargo nextest run`.
    pub nextest: Baseline,
    /// run-suite in audit mode.
    pub audit: Side,
    /// run-suite in check mode.
    pub check: Side,
}

/// One run-suite run's report, or why there is none.
#[derive(Debug, Clone)]
pub enum Side {
    /// The run wrote its report.
    Report(Box<Report>),
    /// It could not run.
    Error(String),
}

impl Row {
    /// A suite that could not even be resolved.
    pub fn unresolved(suite: &str, why: String) -> Row {
        Row {
            suite: suite.to_owned(),
            version: None,
            nextest: Baseline::Failed(why.clone()),
            audit: Side::Error(why.clone()),
            check: Side::Error(why),
        }
    }

    /// Tests passing under nextest, or why none ran.
    pub fn nextest_cell(&self) -> String {
        match &self.nextest {
            Baseline::Ran { passed, run, .. } => format!("{passed} of {run}"),
            Baseline::Failed(why) => format!("did not run: {why}"),
        }
    }

    /// Tests passing under audit, with suppressed races apart.
    pub fn audit_cell(&self) -> String {
        match self.audit_report() {
            Some(r) if r.build.status.failed() => format!("build failed: {}", build_cause(r)),
            Some(r) => {
                let s = &r.summary;
                let ran = s.pass + s.fail + s.blocked + s.timeout + s.crash + s.suppressed;
                let mut cell = format!("{} of {ran}", s.pass);
                if s.suppressed > 0 {
                    cell.push_str(&format!(" (+{} suppressed)", s.suppressed));
                }
                if !self.transparent() {
                    cell.push_str(" ⚠ differs from nextest");
                }
                cell
            }
            None => self.error_of(&self.audit),
        }
    }

    /// Whether audit passed exactly the tests nextest passed, counting a
    /// suppressed race as either.
    pub fn transparent(&self) -> bool {
        match (&self.nextest, self.audit_report()) {
            (Baseline::Ran { passed, .. }, Some(r)) => {
                (r.summary.pass..=r.summary.pass + r.summary.suppressed).contains(passed)
            }
            (Baseline::Failed(_), Some(r)) => r.build.status.failed(),
            _ => false,
        }
    }

    /// Tests with denied calls in check mode, per class.
    pub fn denied_cell(&self) -> String {
        let Side::Report(r) = &self.check else {
            return self.error_of(&self.check);
        };
        if r.build.status.failed() {
            return "—".to_owned();
        }
        let by_class: BTreeMap<Class, usize> = denied_tests_by_class(r);
        if by_class.is_empty() {
            return "none".to_owned();
        }
        by_class
            .iter()
            .map(|(class, n)| format!("{class} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The three sites most tests were denied at.
    pub fn sites(&self) -> Vec<SiteCount> {
        match &self.check {
            Side::Report(r) => top_sites(r, TOP),
            Side::Error(_) => Vec::new(),
        }
    }

    /// audit's run phase over nextest's.
    pub fn ratio(&self) -> Option<(f64, u64, u64)> {
        let (Baseline::Ran { run_ms: base, .. }, Some(r)) = (&self.nextest, self.audit_report())
        else {
            return None;
        };
        let ours = r.timing.run_ms;
        (*base > 0 && ours > 0).then(|| (ours as f64 / *base as f64, ours, *base))
    }

    fn audit_report(&self) -> Option<&Report> {
        match &self.audit {
            Side::Report(r) => Some(r),
            Side::Error(_) => None,
        }
    }

    fn error_of(&self, side: &Side) -> String {
        match side {
            Side::Error(why) => format!("error: {why}"),
            Side::Report(_) => String::new(),
        }
    }
}

/// The first line of a failed build's message: what did not compile.
fn build_cause(r: &Report) -> String {
    r.build
        .message
        .as_deref()
        .and_then(|m| m.lines().next())
        .unwrap_or("no message")
        .trim_end_matches(':')
        .to_owned()
}
