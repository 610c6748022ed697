//! How a test process ends when calls were denied.
//!
//! # Safety
//! `_exit` and `fflush` are called with valid arguments; `atexit` is given a
//! handler with the C ABI that never unwinds.
#![allow(unsafe_code)]

use blockguard_protocol::exit::BLOCKED;
use std::sync::atomic::{AtomicUsize, Ordering};

static DENIED: AtomicUsize = AtomicUsize::new(0);

/// Counts a denied call, for the exit status of check mode.
pub fn note_denied() {
    DENIED.fetch_add(1, Ordering::Relaxed);
}

/// Ends the process at once with the blocked code, after flushing stdio so
/// what the test printed so far is kept.
pub fn blocked_now() -> ! {
    // The flush is not the test's blocking: its hooks pass it through.
    std::mem::forget(crate::context::enter_guard());
    // SAFETY: fflush(NULL) flushes every stream; _exit never returns.
    unsafe {
        libc::fflush(std::ptr::null_mut());
        libc::_exit(BLOCKED)
    }
}

extern "C" fn at_exit() {
    if DENIED.load(Ordering::Relaxed) > 0 {
        blocked_now();
    }
}

/// Bad input from the runner: says what is wrong and ends the process.
pub fn bad_input(message: impl std::fmt::Display) -> ! {
    crate::trace::write_stderr(format!("blockguard: {message}\n").as_bytes());
    // SAFETY: _exit has no preconditions; at load the test has not
    // started, so nothing is lost by skipping the process's exit handlers.
    unsafe { libc::_exit(blockguard_protocol::exit::BAD_INPUT) }
}

/// In check mode: when the process exits normally, exit with the blocked
/// code instead if any call was denied. Registered at load, so it runs
/// after every handler the test registers.
pub fn install_check_mode_exit() {
    // SAFETY: at_exit is an extern "C" fn that cannot unwind.
    unsafe { libc::atexit(at_exit) };
}
