//! The report's schema (`blockguard-report/1`, DESIGN §7) and the
//! vocabulary it is written in: what every reader of a report (the
//! nightly, the live dashboard's saved runs, the findings, stability runs
//! and the suites table) imports, instead of reaching into `run_suite`.
//!
//! The outcomes are declared where the runner judges them and re-exported
//! here; the report's shape and the build's status are declared here.

mod build;
mod report;

pub use crate::run_suite::runner::outcome::{Attempt, BlockingCall, Outcome};
pub use crate::run_suite::snapshot::SnapshotState;
pub use build::BuildStatus;
pub use report::{BuildInfo, Report, SuiteInfo, Summary, TestEntry, Timing};
