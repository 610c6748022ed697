//! Why a test binary's `--list` gave no tests.

/// The binary ran, but did not list its tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListFailed {
    /// It exited with a status other than 0.
    #[error("`--list` exited with status {code}: {last_line}")]
    Exited {
        /// The status.
        code: i32,
        /// The last line of its stderr.
        last_line: String,
    },
    /// A signal killed it.
    #[error("`--list` was killed by signal {0}")]
    Signaled(i32),
    /// It ran past the listing's bound.
    #[error("`--list` did not finish; is this a libtest harness?")]
    TimedOut,
}
