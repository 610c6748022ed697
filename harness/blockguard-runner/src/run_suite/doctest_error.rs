//! Why a package's doctests gave no records.

use std::path::PathBuf;

/// A package's doctests could not be run, or their records did not add up.
#[derive(Debug, thiserror::Error)]
pub enum DoctestError {
    /// rustc could not be run to learn the host's target.
    #[error("cannot run rustc: {0}")]
    Rustc(std::io::Error),
    /// `rustc -vV` has no `host:` line.
    #[error("rustc -vV named no host")]
    NoHost,
    /// cargo could not be started.
    #[error("cannot run `cargo test --doc`: {0}")]
    Cargo(std::io::Error),
    /// The record folder could not be written.
    #[error("{}: {source}", path.display())]
    Records {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// rustdoc ran other doctests than the runner recorded.
    #[error(
        "{package}'s doctests: rustdoc ran {ran:?} but the runner recorded {recorded:?}; rustdoc said:\n{said}"
    )]
    Mismatch {
        /// The package.
        package: String,
        /// What rustdoc says it ran.
        ran: Vec<String>,
        /// What the runner recorded.
        recorded: Vec<String>,
        /// The end of rustdoc's stderr.
        said: String,
    },
    /// The thread running a shard of the doctests panicked.
    #[error("a shard of the doctests stopped unexpectedly")]
    ShardPanicked,
}
