//! The verdict of one suite × toolchain (DESIGN §7).

use crate::schema::{Outcome, Report};
use blockguard_protocol::Verdict as CallVerdict;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a suite's run under the scheduler amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every test passed (or was a suppressed race, or ignored) and no
    /// call was denied.
    Compatible,
    /// Nothing failed, but tests made denied calls.
    Blocking,
    /// A test failed, timed out or crashed.
    Failing,
    /// The suite did not build.
    BuildFailed,
    /// It could not be run: a missing toolchain, an unresolvable crate.
    Error,
}

impl Verdict {
    /// All verdicts, best first.
    pub const ALL: [Verdict; 5] = [
        Verdict::Compatible,
        Verdict::Blocking,
        Verdict::Failing,
        Verdict::BuildFailed,
        Verdict::Error,
    ];

    /// The name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Compatible => "compatible",
            Verdict::Blocking => "blocking",
            Verdict::Failing => "failing",
            Verdict::BuildFailed => "build-failed",
            Verdict::Error => "error",
        }
    }

    /// Of a run-suite report.
    pub fn of(report: &Report) -> Verdict {
        if report.build.status.failed() {
            return Verdict::BuildFailed;
        }
        let failing = report.tests.iter().any(|t| {
            matches!(
                t.outcome,
                Outcome::Fail | Outcome::Timeout | Outcome::Crash | Outcome::Limit
            )
        });
        if failing {
            return Verdict::Failing;
        }
        let blocking = report.tests.iter().any(|t| {
            t.outcome == Outcome::Blocked
                || t.blocking
                    .iter()
                    .any(|c| c.event.verdict == CallVerdict::Denied)
        });
        if blocking {
            Verdict::Blocking
        } else {
            Verdict::Compatible
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
