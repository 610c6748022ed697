//! How a test's calls compare with its accepted snapshot.

use serde::{Deserialize, Serialize};

/// The report's `snapshot` and `contention_snapshot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotState {
    /// Same calls as accepted.
    Match,
    /// No accepted snapshot yet.
    New,
    /// Different calls from the accepted snapshot.
    Changed,
}
