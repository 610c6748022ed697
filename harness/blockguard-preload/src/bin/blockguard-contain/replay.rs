//! Ending the launcher exactly as the test ended.

use crate::sys;
use std::process::ExitCode;

/// Exits with the test's code, or dies of the test's signal.
pub fn exit_as(wait_status: i32) -> ExitCode {
    if libc::WIFEXITED(wait_status) {
        return ExitCode::from(libc::WEXITSTATUS(wait_status) as u8);
    }
    if libc::WIFSIGNALED(wait_status) {
        let signal = libc::WTERMSIG(wait_status);
        sys::raise_default(signal);
        // Only a signal that does not terminate gets here.
        return ExitCode::from(128u8.wrapping_add(signal as u8));
    }
    ExitCode::from(127)
}
