//! Why `run` could not run the program to its end.

use std::path::PathBuf;

/// The program could not be started or waited for (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunProgramError {
    /// The scratch folder for its trace could not be made.
    #[error("{}: {source}", dir.display())]
    Scratch {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The signals to pass on could not be caught.
    #[error("cannot catch signals: {0}")]
    Signals(std::io::Error),
    /// The program could not be started.
    #[error("cannot run {}: {source}", program.display())]
    Start {
        /// The program as given.
        program: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Waiting for the program failed.
    #[error("waiting for the program: {0}")]
    Wait(std::io::Error),
}
