//! The outcome of one test (DESIGN §4) and everything recorded about it.

use crate::run_suite::snapshot::SnapshotState;
use crate::run_suite::test_id::TestId;
use blockguard_protocol::{Capabilities, TraceEvent};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

/// What became of a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It passed, and no call was denied (or the mode ignores denials).
    Pass,
    /// It failed, or its process ended before the test body returned.
    Fail,
    /// A blocking call was denied (`deny`, `check`).
    Blocked,
    /// It ran past the timeout.
    Timeout,
    /// A signal killed it.
    Crash,
    /// It hit one of the sandbox's resource limits (memory, file size).
    Limit,
    /// It failed in a way a `[[suppress]]` rule names.
    Suppressed,
    /// It failed, then passed on a retry (`--retries`): every attempt is
    /// in the record.
    Flaky,
    /// It is `#[ignore]`d and was not asked for.
    Ignored,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 9] = [
        Outcome::Pass,
        Outcome::Fail,
        Outcome::Blocked,
        Outcome::Timeout,
        Outcome::Crash,
        Outcome::Limit,
        Outcome::Suppressed,
        Outcome::Flaky,
        Outcome::Ignored,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Blocked => "blocked",
            Outcome::Timeout => "timeout",
            Outcome::Crash => "crash",
            Outcome::Limit => "limit",
            Outcome::Suppressed => "suppressed",
            Outcome::Flaky => "flaky",
            Outcome::Ignored => "ignored",
        }
    }

    /// Outcomes that make the run fail (exit code 1).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Outcome::Fail | Outcome::Blocked | Outcome::Timeout | Outcome::Crash | Outcome::Limit
        )
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One distinct blocking call of a test, with how often the trace has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingCall {
    /// The trace event.
    #[serde(flatten)]
    pub event: TraceEvent,
    /// Trace lines that are this event.
    pub count: usize,
}

/// One run of a test that was retried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// How that run went.
    pub outcome: Outcome,
    /// Its wall time in milliseconds.
    pub duration_ms: u64,
    /// Why it did not pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Everything known about one test after it ran (or was ignored).
#[derive(Debug, Clone)]
pub struct TestRecord {
    /// The package the test binary belongs to.
    pub package: String,
    /// The test binary's cargo target name.
    pub binary: String,
    /// The libtest name within it.
    pub name: String,
    /// The outcome.
    pub outcome: Outcome,
    /// Wall time.
    pub duration: Duration,
    /// Why it did not pass, or the suppressed failure.
    pub message: Option<String>,
    /// The reason of the `[[suppress]]` rule that matched.
    pub rule: Option<String>,
    /// The snapshot's state; `None` when no snapshot was taken.
    pub snapshot: Option<SnapshotState>,
    /// A snapshot mismatch that fails the run (insta's verdict).
    pub snapshot_failed: bool,
    /// Distinct blocking calls, in the order first seen.
    pub blocking: Vec<BlockingCall>,
    /// What the guard runtime reported about itself.
    pub capabilities: Option<Capabilities>,
    /// Ids of the rules that matched (for stale-rule detection).
    pub matched_rules: BTreeSet<String>,
    /// Processes the test left running after it exited (`pid: command
    /// line`), killed by the runner: nextest calls such a test leaky.
    pub leaked: Vec<String>,
    /// Every run, when the test was retried (`--retries`); empty when it
    /// ran once.
    pub attempts: Vec<Attempt>,
}

impl TestRecord {
    /// A test that did not run because it is ignored.
    pub fn ignored(binary: &str, name: &str) -> TestRecord {
        TestRecord {
            package: String::new(),
            binary: binary.to_owned(),
            name: name.to_owned(),
            outcome: Outcome::Ignored,
            duration: Duration::ZERO,
            message: None,
            rule: None,
            snapshot: None,
            snapshot_failed: false,
            blocking: Vec::new(),
            capabilities: None,
            matched_rules: BTreeSet::new(),
            leaked: Vec::new(),
            attempts: Vec::new(),
        }
    }

    /// `binary::name`, the name the harness shows.
    pub fn full_name(&self) -> String {
        TestId::new(&self.binary, &self.name).to_string()
    }
}
