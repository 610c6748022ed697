//! Why the guard runtime could not be unpacked.

use std::path::PathBuf;

/// The runtime's files could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// No variable names a cache folder.
    #[error("no cache folder: set BLOCKGUARD_CACHE_DIR or HOME")]
    NoCacheFolder,
    /// A folder or file of the runtime could not be written.
    #[error("{}: {source}", path.display())]
    Write {
        /// The folder, or the file being replaced.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
