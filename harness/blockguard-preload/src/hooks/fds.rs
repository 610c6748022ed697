//! `close`, `close_range`, `closefrom`, `dup2`, `dup3`: a test that closes
//! or replaces descriptors it never opened (every one from 3 up, say) must
//! not take the runtime's trace descriptor with them. Each also makes the
//! classifier forget what it remembered about the numbers it frees.
//!
//! The trace is moved off the numbers the call names, then the call runs
//! exactly as asked. Where no number is free (`close_range(3, ~0)`), the
//! call runs around the trace's descriptor. Towards the trace's number
//! itself the test sees what it would see without the runtime, where that
//! number is not open: EBADF.
//!
//! # Safety
//! Each hook has its glibc function's C signature and passes plain
//! integers to the real one.
#![allow(unsafe_code)]

use crate::classify::fd_cache;
use crate::errno;
use crate::real::Real;
use crate::trace::file::{current, is_trace, move_off, real_close};
use libc::{c_int, c_uint};

// SAFETY: each type is glibc's prototype of the function named.
static CLOSE_RANGE: Real<unsafe extern "C" fn(c_uint, c_uint, c_int) -> c_int> =
    unsafe { Real::new(c"close_range") };
// SAFETY: as for CLOSE_RANGE.
static CLOSEFROM: Real<unsafe extern "C" fn(c_int)> = unsafe { Real::new(c"closefrom") };
// SAFETY: as for CLOSE_RANGE.
static DUP2: Real<unsafe extern "C" fn(c_int, c_int) -> c_int> = unsafe { Real::new(c"dup2") };
// SAFETY: as for CLOSE_RANGE.
static DUP3: Real<unsafe extern "C" fn(c_int, c_int, c_int) -> c_int> =
    unsafe { Real::new(c"dup3") };

/// Resolves the real functions now, so no hook resolves lazily later.
pub fn resolve() {
    crate::trace::file::resolve();
    for f in [
        CLOSE_RANGE.symbol(),
        CLOSEFROM.symbol(),
        DUP2.symbol(),
        DUP3.symbol(),
    ] {
        f.try_addr();
    }
}

fn ebadf<T: From<i8>>() -> T {
    errno::set(libc::EBADF);
    T::from(-1)
}

/// close(2)
#[unsafe(no_mangle)]
pub extern "C" fn close(fd: c_int) -> c_int {
    if !is_trace(fd) {
        let r = real_close(fd);
        fd_cache::forget(fd);
        return r;
    }
    if move_off(fd as c_uint, fd as c_uint) && !is_trace(fd) {
        // The old number held only the trace; it is free now, as the
        // test believes it always was.
        real_close(fd);
    }
    ebadf()
}

/// close_range(2)
#[unsafe(no_mangle)]
pub extern "C" fn close_range(first: c_uint, last: c_uint, flags: c_int) -> c_int {
    let real = |first, last| {
        // SAFETY: CLOSE_RANGE is libc's close_range; plain integers.
        let r = unsafe { CLOSE_RANGE.get()(first, last, flags) };
        fd_cache::forget_range(first, last);
        r
    };
    let fd = current();
    // Only closing reaches the trace: CLOEXEC leaves it as it is (already
    // close-on-exec), and a bad call fails before closing anything.
    let closes = flags & !(libc::CLOSE_RANGE_UNSHARE as c_int) == 0;
    if fd < 0 || !closes || first > last || !(first..=last).contains(&(fd as c_uint)) {
        return real(first, last);
    }
    if move_off(first, last) && !(first..=last).contains(&(current() as c_uint)) {
        return real(first, last);
    }
    // Nowhere to move it: close the rest of the range around it.
    let fd = fd as c_uint;
    let below = if fd > first { real(first, fd - 1) } else { 0 };
    if below != 0 || fd == last {
        return below;
    }
    real(fd + 1, last)
}

/// closefrom(3)
#[unsafe(no_mangle)]
pub extern "C" fn closefrom(lowfd: c_int) {
    let fd = current();
    if fd < 0 || fd < lowfd || close_range(lowfd.max(0) as c_uint, c_uint::MAX, 0) != 0 {
        // SAFETY: CLOSEFROM is libc's closefrom.
        unsafe { CLOSEFROM.get()(lowfd) }
        fd_cache::forget_range(lowfd.max(0) as c_uint, c_uint::MAX);
    }
}

/// Runs `dup` (a dup2 or dup3 onto `new`) with the trace moved off `new`.
fn onto(old: c_int, new: c_int, dup: impl FnOnce() -> c_int) -> c_int {
    let r = onto_keeping_the_trace(old, new, dup);
    fd_cache::forget(new);
    r
}

fn onto_keeping_the_trace(old: c_int, new: c_int, dup: impl FnOnce() -> c_int) -> c_int {
    if is_trace(old) {
        return ebadf();
    }
    if !is_trace(new) || old == new {
        return dup();
    }
    let moved = move_off(new as c_uint, new as c_uint) && !is_trace(new);
    let r = dup();
    if r < 0 && moved {
        // It failed without touching `new`, which holds only the trace's
        // old copy: free it, as the test believes it always was.
        let _errno = errno::Saved::now();
        real_close(new);
    }
    r
}

/// dup2(2)
#[unsafe(no_mangle)]
pub extern "C" fn dup2(old: c_int, new: c_int) -> c_int {
    // SAFETY: DUP2 is libc's dup2; plain integers.
    onto(old, new, || unsafe { DUP2.get()(old, new) })
}

/// dup3(2)
#[unsafe(no_mangle)]
pub extern "C" fn dup3(old: c_int, new: c_int, flags: c_int) -> c_int {
    // SAFETY: DUP3 is libc's dup3; plain integers.
    onto(old, new, || unsafe { DUP3.get()(old, new, flags) })
}
