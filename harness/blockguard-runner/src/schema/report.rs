//! The report's shape, field for field as DESIGN §7 has it.

use super::blocked_budget::BlockedBudget;
use super::blocking::BlockingCall;
use super::build::BuildStatus;
use super::outcome::{Attempt, Outcome};
use super::record::TestRecord;
use super::snapshot_state::SnapshotState;
use super::source_kind::SourceKind;
use super::stale_rule::StaleRule;
use blockguard_protocol::{Capabilities, GuardScope, Mode, TestKey};
use serde::{Deserialize, Serialize};

/// `blockguard-report/1`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Always `blockguard-report/1`.
    pub schema: String,
    /// Which suite.
    pub suite: SuiteInfo,
    /// The guard mode.
    pub mode: Mode,
    /// Which contexts were guarded (absent in reports made before
    /// `--guard`: the test's body).
    #[serde(default)]
    pub guard: GuardScope,
    /// `rustc --version` in the crate's folder.
    pub toolchain: String,
    /// What the guard runtime proved about itself (from the first trace).
    pub capabilities: Option<Capabilities>,
    /// Whether the suite built.
    pub build: BuildInfo,
    /// One entry per test that ran or was ignored.
    pub tests: Vec<TestEntry>,
    /// Tests per outcome.
    pub summary: Summary,
    /// Rules that matched nothing (checked in unfiltered runs only).
    pub stale_rules: Vec<StaleRule>,
    /// Wall time of the phases, for comparisons with other runners.
    #[serde(default)]
    pub timing: Timing,
    /// Why the suite's doctests did not run, when they did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doctests_not_run: Option<String>,
    /// The suite's waits reached only under contention against
    /// `contention_waits.snap`; null when no snapshot was taken.
    #[serde(default)]
    pub contention_snapshot: Option<SnapshotState>,
}

/// Wall-clock milliseconds per phase (not part of DESIGN §7's minimum).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Timing {
    /// `cargo test --no-run`, including the guard runtime's build.
    pub build_ms: u64,
    /// From the first test started to the last one judged, listing excluded.
    pub run_ms: u64,
}

/// The suite's identity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SuiteInfo {
    /// The suite's name.
    pub name: String,
    /// The crate.
    #[serde(rename = "crate")]
    pub krate: String,
    /// A workspace's packages that ran, `name version` each (absent for
    /// one crate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
    /// Its version.
    pub version: String,
    /// `crates.io` or `path`.
    pub source: SourceKind,
}

/// The build's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildInfo {
    /// `ok` or `failed`.
    pub status: BuildStatus,
    /// The compiler's first error lines, when it failed.
    pub message: Option<String>,
}

/// One test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestEntry {
    /// The package, the binary's cargo target name and the libtest name
    /// (`package`, `binary`, `name`).
    #[serde(flatten)]
    pub key: TestKey,
    /// Its outcome.
    pub outcome: Outcome,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// Why it did not pass.
    pub message: Option<String>,
    /// The reason of the suppress rule that matched.
    pub rule: Option<String>,
    /// `match`, `new` or `changed`; null when no snapshot was taken.
    pub snapshot: Option<SnapshotState>,
    /// Its distinct blocking calls, each with the calls made.
    pub blocking: Vec<BlockingCall>,
    /// Its budget of blocked time and what it used, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<BlockedBudget>,
    /// Processes it left running after it exited (`pid: command line`),
    /// which the runner killed; the outcome is kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaked: Vec<String>,
    /// Every run, in order, when it was retried (`--retries`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
}

/// Tests per outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// `pass`.
    pub pass: usize,
    /// `fail`.
    pub fail: usize,
    /// `blocked`.
    pub blocked: usize,
    /// `timeout`.
    pub timeout: usize,
    /// `crash`.
    pub crash: usize,
    /// `limit` (absent in reports made before the sandbox's limits).
    #[serde(default)]
    pub limit: usize,
    /// `suppressed`.
    pub suppressed: usize,
    /// `flaky` (absent in reports made before retries).
    #[serde(default)]
    pub flaky: usize,
    /// `ignored`.
    pub ignored: usize,
    /// Tests of any outcome that left processes running (leaky).
    #[serde(default)]
    pub leaky: usize,
}

impl Summary {
    /// Counts the records' outcomes.
    pub fn of(records: &[TestRecord]) -> Summary {
        let mut s = Summary::default();
        for r in records {
            *s.slot(r.outcome) += 1;
            s.leaky += usize::from(!r.leaked.is_empty());
        }
        s
    }

    fn slot(&mut self, outcome: Outcome) -> &mut usize {
        match outcome {
            Outcome::Pass => &mut self.pass,
            Outcome::Fail => &mut self.fail,
            Outcome::Blocked => &mut self.blocked,
            Outcome::Timeout => &mut self.timeout,
            Outcome::Crash => &mut self.crash,
            Outcome::Limit => &mut self.limit,
            Outcome::Suppressed => &mut self.suppressed,
            Outcome::Flaky => &mut self.flaky,
            Outcome::Ignored => &mut self.ignored,
        }
    }

    /// The count of one outcome.
    pub fn get(&self, outcome: Outcome) -> usize {
        match outcome {
            Outcome::Pass => self.pass,
            Outcome::Fail => self.fail,
            Outcome::Blocked => self.blocked,
            Outcome::Timeout => self.timeout,
            Outcome::Crash => self.crash,
            Outcome::Limit => self.limit,
            Outcome::Suppressed => self.suppressed,
            Outcome::Flaky => self.flaky,
            Outcome::Ignored => self.ignored,
        }
    }
}

impl TestEntry {
    /// The report entry of a record.
    pub fn of(r: &TestRecord) -> TestEntry {
        TestEntry {
            key: r.key.clone(),
            outcome: r.outcome,
            duration_ms: u64::try_from(r.duration.as_millis()).unwrap_or(u64::MAX),
            message: r.message.clone(),
            rule: r.rule.clone(),
            snapshot: r.snapshot,
            blocking: r.blocking.clone(),
            budget: r.budget,
            leaked: r.leaked.clone(),
            attempts: r.attempts.clone(),
        }
    }
}
