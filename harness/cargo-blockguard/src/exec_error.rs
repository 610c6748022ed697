//! Why `cargo blockguard exec` could not prepare the program's run.

use crate::config::WorkspaceError;
use crate::runtime_error::RuntimeError;
use blockguard_rules::RulesError;
use blockguard_runner::env::EnvError;

/// The run could not be prepared (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// Neither cargo nor the process says which package this is.
    #[error("no package folder: CARGO_MANIFEST_DIR is unset")]
    NoPackageFolder,
    /// The configuration file is ambiguous.
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    /// The configuration file does not load.
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// The environment is invalid.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// The guard runtime could not be unpacked.
    #[error("the guard runtime: {0}")]
    Runtime(#[from] RuntimeError),
    /// This program's own path is unknown.
    #[error("cannot find this program: {0}")]
    CurrentExe(std::io::Error),
}
