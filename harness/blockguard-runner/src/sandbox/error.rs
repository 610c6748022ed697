//! Why the run's sandbox cannot be made.

use std::path::PathBuf;

/// How every message ends: the way out.
const WAY_OUT: &str = "or run with --no-sandbox to run the suite's code unsandboxed";

/// The sandbox cannot be made here; each message names the way out.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A folder the tests write could not be made.
    #[error("the sandbox cannot be made here: {}: {source}; {WAY_OUT}", dir.display())]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The launcher could not be started.
    #[error("the sandbox cannot be made here: {}: {source}; {WAY_OUT}", launcher.display())]
    Launcher {
        /// The launcher.
        launcher: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The launcher could not make it, and said why.
    #[error("the sandbox cannot be made here: {why}; {WAY_OUT}")]
    Refused {
        /// What the launcher printed, trimmed: what to change.
        why: String,
    },
}
