//! Why a suite could not be resolved. Every variant is bad input or a
//! setup problem: exit code 2, nothing runs.

use blockguard_rules::{NameError, RulesError};
use std::path::PathBuf;

/// Resolving the suite failed.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// A rules or suite file is malformed.
    #[error("{0}")]
    Rules(#[from] RulesError),
    /// Neither a crate, a suite nor `--path` was given.
    #[error(
        "name a crate (`name` or `name@version`), a suite in suites/, a suite file, or --path DIR"
    )]
    NothingToRun,
    /// A suite file that defines no `[suite]`.
    #[error(
        "{0}: no [suite] table, so it names no crate; name the crate on the command line and give this file with --rules"
    )]
    NoSuiteTable(PathBuf),
    /// A suite file path that does not exist.
    #[error("{0}: no such suite file")]
    NoSuiteFile(PathBuf),
    /// `name@version` that cannot be a crates.io crate (nor is a suite).
    #[error("{spec:?} is neither a suite in suites/ nor a crate (`name` or `name@version`): {why}")]
    BadCrateSpec {
        /// What was given.
        spec: String,
        /// What is wrong with it.
        why: NameError,
    },
    /// cargo could not get the crate.
    #[error("cannot get `{name} {requirement}` from crates.io: {message}")]
    Fetch {
        /// The crate.
        name: String,
        /// The version requirement.
        requirement: String,
        /// cargo's error.
        message: String,
    },
    /// `--path DIR` is not a package cargo can read.
    #[error("{dir}: not a cargo package: {message}")]
    NotAPackage {
        /// The directory.
        dir: PathBuf,
        /// Why.
        message: String,
    },
    /// `-p` named a package the workspace does not have.
    #[error("{}: the workspace has no package `{name}` (its members: {})", dir.display(), members.join(", "))]
    UnknownPackage {
        /// The package asked for.
        name: String,
        /// The workspace's folder.
        dir: PathBuf,
        /// Its members.
        members: Vec<String>,
    },
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

impl ResolveError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ResolveError {
        let path = path.into();
        move |source| ResolveError::Io { path, source }
    }
}
