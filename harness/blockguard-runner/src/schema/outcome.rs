//! What became of a test, and of each run of a retried one.

use serde::{Deserialize, Serialize};
use std::fmt;

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
