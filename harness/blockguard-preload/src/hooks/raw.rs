//! Syscalls the runtime answers itself however they arrive: through
//! libc's `syscall()`, or as a raw instruction the backstop trapped. They
//! touch what the runtime keeps from the test: its trace descriptor
//! (close, close_range, dup2, dup3) and its SIGSYS handler (rt_sigaction).
//!
//! # Safety
//! The pointer arguments are the caller's own for the syscall it makes.
#![allow(unsafe_code)]

use super::fds;
use crate::classify::fd_cache;
use crate::escape::chain::{self, KernelAction};
use crate::trace::file::is_trace;

/// The result in libc's convention (-1 and errno) when the runtime must
/// answer syscall `nr` itself; `None` to make it as it is.
#[inline(always)]
pub fn answer(nr: i64, a: [usize; 6]) -> Option<i64> {
    let int = |i: usize| a[i] as i32;
    forget_what_it_changes(nr, a);
    let r = match nr {
        libc::SYS_close if is_trace(int(0)) => fds::close(int(0)),
        libc::SYS_dup2 if is_trace(int(0)) || is_trace(int(1)) => fds::dup2(int(0), int(1)),
        libc::SYS_dup3 if is_trace(int(0)) || is_trace(int(1)) => fds::dup3(int(0), int(1), int(2)),
        libc::SYS_close_range => fds::close_range(a[0] as u32, a[1] as u32, int(2)),
        libc::SYS_rt_sigaction if int(0) == libc::SIGSYS && chain::active() => {
            // SAFETY: the caller's own pointers for this syscall.
            return Some(unsafe {
                chain::rt_sigaction(a[1] as *const KernelAction, a[2] as *mut KernelAction, a[3])
            });
        }
        _ => return None,
    };
    Some(i64::from(r))
}

/// A raw close, dup onto a number, or change of flags makes the classifier
/// forget what it remembered, as the libc entry points do. Forgetting
/// before the call is as good as after: a lookup racing with it is the
/// test's own race on that descriptor.
fn forget_what_it_changes(nr: i64, a: [usize; 6]) {
    match nr {
        libc::SYS_close => fd_cache::forget(a[0] as i32),
        libc::SYS_dup2 | libc::SYS_dup3 => fd_cache::forget(a[1] as i32),
        libc::SYS_fcntl if a[1] as i32 == libc::F_SETFL => fd_cache::forget_all(),
        libc::SYS_ioctl if a[1] as libc::c_ulong == libc::FIONBIO => fd_cache::forget_all(),
        _ => {}
    }
}
