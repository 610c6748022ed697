//! What can go wrong in `suites-table`.

use std::path::PathBuf;

/// A suite's nextest baseline could not be taken, or the table written.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// `cargo metadata` failed on the suite.
    #[error("cargo metadata: {0}")]
    Metadata(#[from] cargo_metadata::Error),
    /// The suite's manifest names no package.
    #[error("cargo metadata names no package")]
    NoPackage,
    /// The README could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The README.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The README has no place for the table.
    #[error("{}: needs the lines `{begin}` and `{end}` around the table", path.display())]
    NoMarkers {
        /// The README.
        path: PathBuf,
        /// The opening marker.
        begin: &'static str,
        /// The closing marker.
        end: &'static str,
    },
}
