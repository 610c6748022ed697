//! Why the report folder `--out` names cannot be used.

use super::schema::{MARKER, SCHEMA};
use crate::outputs::OutputError;
use std::io;
use std::path::PathBuf;

/// `--out` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// Something other than a nightly report is there.
    #[error(
        "--out {}: the folder is not empty and is not a nightly report (no {MARKER}, no results.json of schema {SCHEMA}); give a new or empty folder, or an earlier report to replace",
        .0.display()
    )]
    Foreign(PathBuf),
    /// A file is there.
    #[error("--out {}: not a folder", .0.display())]
    NotAFolder(PathBuf),
    /// The baseline is `--out` itself, whose entries are about to go.
    #[error(
        "the baseline {} is the --out folder, whose entries this run replaces; give another --out or --baseline",
        .0.display()
    )]
    BaselineIsOut(PathBuf),
    /// It cannot be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A file of the earlier report could not be removed or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}
