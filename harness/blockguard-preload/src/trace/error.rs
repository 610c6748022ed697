//! Why the trace file could not be opened.

use std::path::PathBuf;

/// The trace file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum TraceOpenError {
    /// The path cannot be handed to the kernel.
    #[error("trace path has a NUL byte")]
    NulByte,
    /// The kernel refused it.
    #[error("cannot open the trace file {}: {source}", path.display())]
    Open {
        /// The trace's path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
