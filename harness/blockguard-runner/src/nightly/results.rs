//! `results.json` (DESIGN §7): one entry per suite × toolchain with its
//! verdict, counts, denied calls per class and top sites, plus the
//! regressions. No durations: the same runs give the same file.

use super::entry::Entry;
use super::regressions::Regressions;
use super::schema::SCHEMA;
use crate::findings::{denied_tests_by_class, denied_tests_by_context, top_sites};
use crate::schema::Summary;
use crate::schema::Verdict;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Sites listed per suite.
pub const TOP_SITES: usize = 5;

/// The whole `results.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    /// Always `blockguard-nightly/1`.
    pub schema: String,
    /// The night's date, `YYYY-MM-DD`.
    pub date: String,
    /// The report compared with (its folder name), if any.
    pub baseline: Option<String>,
    /// One per suite × toolchain, by suite then toolchain.
    pub suites: Vec<SuiteResult>,
    /// Changes since the baseline.
    pub regressions: Regressions,
}

/// One suite under one toolchain.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SuiteResult {
    /// The suite's name.
    pub suite: String,
    /// The crate.
    #[serde(rename = "crate")]
    pub krate: String,
    /// Its version.
    pub version: String,
    /// The toolchain as asked for.
    pub toolchain: String,
    /// Its `rustc --version`.
    pub rustc: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why it is `error` or `build-failed`.
    pub message: Option<String>,
    /// Tests per outcome.
    pub summary: Summary,
    /// Per class, the tests with at least one denied call of it.
    pub blocking_by_class: BTreeMap<String, usize>,
    /// Per context (where the calls were judged: `microthread`,
    /// `tokio-current-thread`, `tokio-multi-thread`, `tokio-worker`, `smol`,
    /// `futures`, ...), the tests
    /// with at least one denied call there.
    #[serde(default)]
    pub blocking_by_context: BTreeMap<String, usize>,
    /// The denied sites most tests reached: `call at site`.
    pub top_sites: Vec<String>,
}

impl SuiteResult {
    /// Tests with denied calls per class, `sleep 3, sync 24`; empty for none.
    pub fn classes_text(&self) -> String {
        self.blocking_by_class
            .iter()
            .map(|(class, n)| format!("{class} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Of one entry.
    pub fn of(entry: &Entry) -> SuiteResult {
        let report = entry.report.as_ref().filter(|_| entry.error.is_none());
        let message = match (&entry.error, report) {
            (Some(error), _) => Some(error.clone()),
            (None, Some(r)) if r.build.status.failed() => r.build.message.clone(),
            _ => None,
        };
        SuiteResult {
            suite: entry.suite.clone(),
            krate: entry.krate.clone(),
            version: report.map_or_else(|| entry.version.clone(), |r| r.suite.version.clone()),
            toolchain: entry.toolchain.clone(),
            rustc: entry.rustc.clone(),
            verdict: entry.verdict(),
            message,
            summary: report.map(|r| r.summary.clone()).unwrap_or_default(),
            blocking_by_class: report
                .map(|r| {
                    denied_tests_by_class(r)
                        .into_iter()
                        .map(|(class, n)| (class.to_string(), n))
                        .collect()
                })
                .unwrap_or_default(),
            blocking_by_context: report.map(denied_tests_by_context).unwrap_or_default(),
            top_sites: report
                .map(|r| top_sites(r, TOP_SITES).iter().map(|s| s.label()).collect())
                .unwrap_or_default(),
        }
    }
}

/// The results of a night.
pub fn results(
    date: &str,
    baseline: Option<String>,
    entries: &[Entry],
    regressions: Regressions,
) -> Results {
    Results {
        schema: SCHEMA.to_owned(),
        date: date.to_owned(),
        baseline,
        suites: entries.iter().map(SuiteResult::of).collect(),
        regressions,
    }
}
