//! Why run-suite could not do its job.

use super::build::BuildError;
use super::preload::PreloadError;
use super::report::ReportError;
use super::resolve::ResolveError;
use crate::process::SpawnError;

/// run-suite could not do its job (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunSuiteError {
    /// The libtest flags after `--` do not parse.
    #[error("the libtest flags after `--`: {0}")]
    LibtestArgs(String),
    /// The suite could not be resolved.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The guard runtime could not be built.
    #[error(transparent)]
    Preload(#[from] PreloadError),
    /// cargo could not be run.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// A test binary could not be started to list its tests.
    #[error("cannot list the tests: {0}")]
    List(#[from] SpawnError),
    /// A report could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// An output path cannot be written.
    #[error(transparent)]
    Output(#[from] crate::outputs::OutputError),
    /// The sandbox was wanted and cannot be made.
    #[error("{0}")]
    Sandbox(crate::sandbox::SandboxError),
    /// The sandbox was wanted and no test launcher was built to make it.
    #[error("the sandbox needs the test launcher, and none was built")]
    NoLauncher,
    /// The rules file could not be copied to where the sandbox reads it.
    #[error("cannot pass the rules file in: {0}")]
    RulesNotPassedIn(std::io::Error),
}
