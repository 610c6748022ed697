//! Where a suite's crate came from.

use serde::{Deserialize, Serialize};

/// Where the suite's crate came from, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceKind {
    /// Downloaded from crates.io.
    #[serde(rename = "crates.io")]
    CratesIo,
    /// A local folder.
    #[serde(rename = "path")]
    Path,
}
