//! Report: the JSON report (DESIGN §7), JUnit XML, and the closing summary.

pub mod json;
mod junit;
mod summary;

pub use json::{ReportError, to_json, write_atomically};
pub use junit::{escape as xml_escape, junit};
pub use summary::{Closing, summary};
