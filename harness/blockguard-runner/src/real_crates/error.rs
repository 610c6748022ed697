//! What stops `cargo xtask real-crates` before it can compare.

use std::path::PathBuf;

/// A setup error: the list does not read, or a tool does not run.
#[derive(Debug, thiserror::Error)]
pub enum RealCratesError {
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A crate file is wrong.
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    /// `--crate NAME` names no file of the list.
    #[error("no crate named `{name}` in {}", dir.display())]
    Unknown { name: String, dir: PathBuf },
    /// `cargo-blockguard` did not build.
    #[error("cargo-blockguard did not build:\n{0}")]
    Build(String),
}
