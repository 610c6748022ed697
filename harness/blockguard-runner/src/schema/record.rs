//! Everything recorded about one test: what the runner's stream carries
//! when a test finishes, and what the report's entry is made from.

use super::blocked_budget::BlockedBudget;
use super::blocking::BlockingCall;
use super::outcome::{Attempt, Outcome};
use super::snapshot_state::SnapshotState;
use blockguard_protocol::{Capabilities, TestKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::time::Duration;

/// Everything known about one test after it ran (or was ignored).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestRecord {
    /// Which test.
    pub key: TestKey,
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
    /// Its budget of blocked time and what it used, when it has one.
    #[serde(default)]
    pub budget: Option<BlockedBudget>,
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
    pub fn ignored(key: TestKey) -> TestRecord {
        TestRecord {
            key,
            outcome: Outcome::Ignored,
            duration: Duration::ZERO,
            message: None,
            rule: None,
            snapshot: None,
            snapshot_failed: false,
            blocking: Vec::new(),
            budget: None,
            capabilities: None,
            matched_rules: BTreeSet::new(),
            leaked: Vec::new(),
            attempts: Vec::new(),
        }
    }

    /// How it shows in the dashboard and libtest: a failing snapshot
    /// fails an otherwise passing test.
    pub fn shown_outcome(&self) -> Outcome {
        match self.outcome {
            o if !o.is_failure() && self.snapshot_failed => Outcome::Fail,
            o => o,
        }
    }
}
