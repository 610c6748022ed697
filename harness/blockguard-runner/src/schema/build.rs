//! Whether a suite built.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The report's `build.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BuildStatus {
    /// `ok`: the suite built.
    Ok,
    /// `failed`: the compiler stopped it (`build.message` says why).
    Failed,
}

impl BuildStatus {
    /// The lowercase name, as the report has it.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildStatus::Ok => "ok",
            BuildStatus::Failed => "failed",
        }
    }

    /// The build failed.
    pub fn failed(self) -> bool {
        self == BuildStatus::Failed
    }
}

impl fmt::Display for BuildStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::BuildStatus;

    #[test]
    fn the_status_is_written_as_before() {
        assert_eq!(serde_json::to_string(&BuildStatus::Ok).unwrap(), "\"ok\"");
        assert_eq!(
            serde_json::to_string(&BuildStatus::Failed).unwrap(),
            "\"failed\""
        );
        let back: BuildStatus = serde_json::from_str("\"failed\"").unwrap();
        assert_eq!(back, BuildStatus::Failed);
    }
}
