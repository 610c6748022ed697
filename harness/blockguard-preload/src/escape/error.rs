//! Why the escape backstop does not work in this process.

/// The backstop could not be installed, or did not trap.
#[derive(Debug, thiserror::Error)]
pub enum BackstopError {
    /// The SIGSYS handler could not be installed.
    #[error("sigaction(SIGSYS): {0}")]
    Sigaction(std::io::Error),
    /// The kernel refused Syscall User Dispatch.
    #[error("prctl(PR_SET_SYSCALL_USER_DISPATCH): {0}")]
    Dispatch(std::io::Error),
    /// A raw syscall was not trapped and performed as it should be.
    #[error(
        "a raw getppid trapped {trapped} times and returned {got} (expected 1 trap and {want})"
    )]
    Probe {
        /// Traps taken.
        trapped: usize,
        /// What the raw syscall returned.
        got: i64,
        /// The parent's pid.
        want: i64,
    },
}
