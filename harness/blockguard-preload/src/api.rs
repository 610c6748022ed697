//! The C ABI of the scheduler, for the `blockguard` API crate (which finds
//! it with `dlsym(RTLD_DEFAULT, ...)`) and any code that drives the
//! scheduler while running under the guard runtime. Version
//! [`ABI_VERSION`]. Every function is safe to call from anywhere: off a
//! microthread it does nothing and says so, and no panic crosses it.
//!
//! # Safety
//! String arguments must be NUL-terminated and valid for the call; `entry`
//! must be safe to call once with `arg` on a microthread.
#![allow(unsafe_code)]

use crate::scheduler::{self, Resume, Scope};
use crate::{context, trace};
use blockguard_protocol::Class;
use libc::{c_char, c_int, c_void};
use std::ffi::CStr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

/// The ABI's version: functions are only ever added.
pub const ABI_VERSION: u32 = 1;

/// Runs `f`, or returns `fallback` if it panics.
fn guarded<R>(fallback: R, f: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// A C string argument, lossily; empty for NULL.
fn text(s: *const c_char) -> String {
    if s.is_null() {
        return String::new();
    }
    // SAFETY: the caller passes a NUL-terminated string (module safety note).
    unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
}

fn resumed(r: Option<Resume>) -> c_int {
    match r {
        Some(Resume::Go) => 0,
        Some(Resume::Deadlock) => 1,
        None => -1,
    }
}

/// The ABI version.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_abi_version() -> u32 {
    ABI_VERSION
}

/// Yields the current microthread to the scheduler. Returns 0, or -1 when
/// the caller is not on a microthread.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_yield_now() -> c_int {
    guarded(-1, || if scheduler::yield_now() { 0 } else { -1 })
}

/// Returns 1 on the test's microthreads, 0 elsewhere.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_on_microthread() -> c_int {
    context::on_test_microthread() as c_int
}

/// Starts a microthread that calls `entry(arg)` once; `name` names it in
/// reports. Returns its id (1 or more), or 0 off a microthread or when no
/// stack can be had (then `entry` is never called).
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_spawn(
    entry: extern "C" fn(*mut c_void),
    arg: *mut c_void,
    name: *const c_char,
) -> u64 {
    guarded(0, || {
        if !context::on_test_microthread() {
            return 0;
        }
        let arg = arg as usize;
        scheduler::spawn(text(name), Box::new(move || entry(arg as *mut c_void))).unwrap_or(0)
    })
}

/// The running microthread's id (0 is the test's own), or -1 off one.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_current() -> i64 {
    guarded(-1, || scheduler::current().map_or(-1, |id| id as i64))
}

/// Waits for microthread `id` to end: 0 when it has, 1 when it never can
/// (a deadlock; see [`blockguard_deadlock_report`]), -1 off a microthread.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_join(id: u64) -> c_int {
    guarded(-1, || resumed(scheduler::join(id)))
}

/// Parks the running microthread until [`blockguard_unpark`]; `what` says
/// where it waits. 0 when woken, 1 on a deadlock, -1 off a microthread.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_park(what: *const c_char) -> c_int {
    guarded(-1, || resumed(scheduler::park(text(what))))
}

/// Wakes microthread `id` (or makes its next park return at once):
/// 0, or -1 when there is no such microthread.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_unpark(id: u64) -> c_int {
    guarded(-1, || if scheduler::unpark(id) { 0 } else { -1 })
}

/// Sleeps the running microthread for `nanos` while the others run: 0, or
/// -1 off a microthread.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_sleep_ns(nanos: u64) -> c_int {
    guarded(-1, || {
        if scheduler::sleep(Duration::from_nanos(nanos)) {
            0
        } else {
            -1
        }
    })
}

/// Copies the last deadlock's report (NUL-terminated, cut to fit) into
/// `buf`; returns its full length in bytes.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_deadlock_report(buf: *mut c_char, len: usize) -> usize {
    guarded(0, || {
        let report = scheduler::deadlock_report();
        if !buf.is_null() && len > 0 {
            let n = report.len().min(len - 1);
            // SAFETY: the caller's buffer holds `len` bytes; n + 1 <= len.
            unsafe {
                std::ptr::copy_nonoverlapping(report.as_ptr(), buf.cast::<u8>(), n);
                *buf.add(n) = 0;
            }
        }
        report.len()
    })
}

/// Opens an allowance on the running microthread: blocking calls until
/// [`blockguard_scope_end`] are allowed, with `reason` as their rule.
/// 0, or -1 off a microthread.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_allow_begin(reason: *const c_char) -> c_int {
    guarded(-1, || {
        if !context::on_test_microthread() {
            return -1;
        }
        scheduler::open_scope(Scope::Allow(text(reason)));
        0
    })
}

/// Opens an expectation of a blocking call of `class` (`sleep`, `sync`,
/// `net`, `pipe`, `fs`, `process`, `dns`, `poll`); such calls are allowed
/// and counted until [`blockguard_scope_end`]. 0, -1 off a microthread, -2
/// for an unknown class.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_expect_begin(class: *const c_char) -> c_int {
    guarded(-1, || {
        if !context::on_test_microthread() {
            return -1;
        }
        let Ok(class) = text(class).parse::<Class>() else {
            return -2;
        };
        scheduler::open_scope(Scope::Expect { class, seen: 0 });
        0
    })
}

/// Closes the innermost scope: for an expectation, the number of calls of
/// its class attempted in it; 0 for an allowance; -1 when none is open.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_scope_end() -> i64 {
    guarded(-1, || match scheduler::close_scope() {
        Some(Scope::Expect { seen, .. }) => i64::try_from(seen).unwrap_or(i64::MAX),
        Some(Scope::Allow(_)) => 0,
        None => -1,
    })
}

/// Fails the test now: writes `message` to stderr and ends the process
/// with libtest's failure status (101). For a panic in a microthread the
/// test did not spawn through libtest, which no harness would catch.
#[unsafe(no_mangle)]
pub extern "C" fn blockguard_fail(message: *const c_char) -> ! {
    let line = format!("blockguard: {}\n", text(message));
    trace::write_stderr(line.as_bytes());
    // SAFETY: fflush(NULL) flushes every stream; _exit never returns.
    unsafe {
        libc::fflush(std::ptr::null_mut());
        libc::_exit(101)
    }
}
