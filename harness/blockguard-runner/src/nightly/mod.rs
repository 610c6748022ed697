//! `cargo xtask nightly` and `cargo xtask merge-reports`: every suite ×
//! toolchain under the guards, a verdict per crate, regressions against
//! the last report, and the report in four formats (DESIGN §7).
//!
//! folder (new, or an earlier report's, never anything else) → run (one
//! run-suite child per suite × toolchain) → entries (one file each, under
//! `suites/`) → results → regressions → render. Everything after the run
//! is a pure function of the entries, the date and the baseline, so shards
//! merged render exactly what one run would, an empty shard included.

mod baseline;
mod command;
mod date;
mod entry;
mod error;
mod folder;
mod folder_error;
mod merge;
pub mod partition;
mod publish;
mod regressions;
mod render;
mod results;
mod schema;
mod toolchain;

pub use command::run;
pub use error::NightlyError;
pub use merge::run as merge_reports;
pub use partition::Partition;
