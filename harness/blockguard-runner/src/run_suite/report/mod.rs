//! Report: the JSON report (DESIGN §7), JUnit XML, and the closing summary.

pub mod json;
mod junit;
pub mod model;
mod summary;

pub use json::{ReportError, to_json, write_atomically};
pub use junit::{escape as xml_escape, junit};
pub use model::{BuildInfo, Report, SuiteInfo, Summary, TestEntry, Timing};
pub use summary::summary;
