//! The scheduler: runs a thread's body as the main microthread, a stackful
//! coroutine on its own guarded stack, on the thread's own OS thread, and
//! any microthreads the test spawns beside it (through the `blockguard`
//! API crate), round-robin, on that same thread.
//!
//! Stack layout of the test's thread while the test runs:
//!
//! ```text
//!   OS thread stack (libtest's)          microthread stacks (mmap, guard page below each)
//!   +---------------------------+        +---------------------------+ <- base
//!   | pthread start             |        | coroutine entry           |
//!   | trampoline (thread hook)  |        | std thread_start closure  |
//!   | run(): the loop     ------+------->| libtest's test closure    |
//!   |   pick a ready one        |<-------+-- suspend (yield, sleep,  |
//!   |   idle_wait when none     |        |   park, farm, stop)       |
//!   +---------------------------+        | test fn ... hook          |
//!                                        +---------------------------+ <- limit
//!                                        | guard page (PROT_NONE)    |
//!                                        +---------------------------+
//! ```
//!
//! A microthread waits in one of four ways: a timer (`sleep`), a park
//! (channels, joins: another microthread wakes it), a farmed call (a
//! worker finishes it), or a yield. When none can run, the loop sleeps in
//! [`idle_wait`] until a timer is due or a worker finishes; when every
//! microthread is parked and no timer or farmed call is pending, that is a
//! deadlock, and the main microthread's wait fails with the list of who
//! waits where.

pub mod farm;
mod handoff;
mod micro;
mod microthreads;
mod scopes;

pub use handoff::Resume;
pub use microthreads::{
    Launch, become_test_thread, current, deadlock_report, in_guard_page, join, on_thread_named,
    park, run, sleep, spawn, stack_bounds, stop, test_thread_seen, unpark, wait_farmed, yield_now,
};
pub use scopes::{Scope, active_scope, close as close_scope, count_expected, open as open_scope};

use std::time::Duration;

/// The scheduler's idle wait: the one blocking point that is always allowed
/// (named by the built-in rules): until a worker finishes a farmed call or
/// `timeout` passes.
///
/// It stays here, not beside the loop: the built-in rules name the frame
/// by its path, `blockguard_preload::scheduler::idle_wait`.
#[inline(never)]
pub fn idle_wait(seen: u64, timeout: Option<Duration>) {
    farm::wait_for_completion(seen, timeout);
}
