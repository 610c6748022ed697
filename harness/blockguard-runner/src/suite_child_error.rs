//! Why a run-suite child left no report, or its report does not read.

use crate::process::SpawnError;
use std::path::PathBuf;

/// A run-suite child left no report.
#[derive(Debug, thiserror::Error)]
pub enum SuiteRunError {
    /// This program's own path is unknown.
    #[error("cannot find xtask's own executable: {0}")]
    OwnExe(std::io::Error),
    /// The child could not be started or waited for.
    #[error("cannot run run-suite: {0}")]
    Spawn(SpawnError),
    /// It exited with the error code; its last `error:` line.
    #[error("run-suite could not run it: {0}")]
    Failed(String),
    /// It exited with the error code and printed no `error:` line.
    #[error("run-suite could not run it: see {}", log.display())]
    FailedSilently {
        /// Its log.
        log: PathBuf,
    },
    /// Its report cannot be read.
    #[error("{source}; see {}", log.display())]
    NoReport {
        /// Why.
        source: ReadReportError,
        /// Its log.
        log: PathBuf,
    },
}

/// Why a run-suite report cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadReportError {
    /// The file cannot be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The report's path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not a report.
    #[error("{}: {source}", path.display())]
    Parse {
        /// The report's path.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
}
