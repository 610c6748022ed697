//! A small C ABI for code that drives the scheduler while running under
//! the guard runtime (found with `dlsym(RTLD_DEFAULT, ...)`).
#![allow(unsafe_code)]

use crate::{context, scheduler};

/// Yields the current microthread to the scheduler. Returns 0, or -1 when
/// the caller is not on a microthread.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_yield_now() -> libc::c_int {
    if scheduler::yield_now() { 0 } else { -1 }
}

/// Returns 1 on the test's microthread, 0 elsewhere.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_on_microthread() -> libc::c_int {
    context::on_test_microthread() as libc::c_int
}
