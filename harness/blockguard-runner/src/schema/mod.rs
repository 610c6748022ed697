//! The vocabulary every part of blockguard speaks, declared once: the
//! report's schema (`blockguard-report/1`), the outcomes, records and
//! verdicts, the run's events, the live API's shapes
//! (`blockguard-live/1`) and the exit codes. Readers of a report (the
//! nightly, the dashboard's saved runs, the findings, stability runs and
//! the suites table) import from here, never from `run_suite`.

mod blocked_budget;
mod blocking;
mod build;
pub mod exit;
pub mod live;
mod outcome;
mod record;
mod report;
mod run_event;
mod snapshot_state;
mod source_kind;
mod stale_rule;
mod verdict;

pub use blocked_budget::BlockedBudget;
pub use blockguard_protocol::TestKey;
pub use blocking::{BlockingCall, ObservedCall};
pub use build::BuildStatus;
pub use outcome::{Attempt, Outcome};
pub use record::TestRecord;
pub use report::{BuildInfo, Report, SuiteInfo, Summary, TestEntry, Timing};
pub use run_event::{Progress, RunEvent};
pub use snapshot_state::SnapshotState;
pub use source_kind::SourceKind;
pub use stale_rule::StaleRule;
pub use verdict::Verdict;
