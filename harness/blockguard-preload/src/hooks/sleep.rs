//! `sleep`: timed sleeps and signal waits; and yields. A sleep of zero
//! length waits for nothing: like `sched_yield` it counts toward a `spin`
//! (see [`crate::classify::spin`]), and alone it is no finding.
#![allow(unsafe_code)]

use super::macros::hook;
use crate::classify::Call;
use crate::classify::spin;
use crate::classify::syscall::{relative_zero, zero_timespec};
use blockguard_protocol::Class::Sleep;
use libc::{c_int, c_uint, clockid_t, siginfo_t, sigset_t, timespec, useconds_t};

hook! {
    /// sleep(3)
    fn sleep(secs: c_uint) -> c_uint => |secs| spin::sleep("sleep", secs == 0);
    /// usleep(3)
    fn usleep(usecs: useconds_t) -> c_int => |usecs| spin::sleep("usleep", usecs == 0);
    /// nanosleep(2)
    fn nanosleep(req: *const timespec, rem: *mut timespec) -> c_int
        => |req, _| spin::sleep("nanosleep", zero_timespec(req as usize));
    /// clock_nanosleep(2)
    fn clock_nanosleep(clock: clockid_t, flags: c_int, req: *const timespec, rem: *mut timespec) -> c_int
        => |_, flags, req, _| spin::sleep("clock_nanosleep", relative_zero(flags as usize, req as usize));
    /// sched_yield(2): a yield waits for nothing; many in a row are a spin.
    @thread_bound fn sched_yield() -> c_int => || spin::yielded("sched_yield");
    /// pause(2)
    @thread_bound fn pause() -> c_int => || Some(Call::new("pause", Sleep));
    /// sigsuspend(2)
    @thread_bound fn sigsuspend(mask: *const sigset_t) -> c_int => |_| Some(Call::new("sigsuspend", Sleep));
    /// sigtimedwait(2)
    @thread_bound fn sigtimedwait(set: *const sigset_t, info: *mut siginfo_t, timeout: *const timespec) -> c_int
        => |_, _, _| Some(Call::new("sigtimedwait", Sleep));
    /// sigwaitinfo(2)
    @thread_bound fn sigwaitinfo(set: *const sigset_t, info: *mut siginfo_t) -> c_int
        => |_, _| Some(Call::new("sigwaitinfo", Sleep));
    /// sigwait(3)
    @thread_bound fn sigwait(set: *const sigset_t, sig: *mut c_int) -> c_int => |_, _| Some(Call::new("sigwait", Sleep));
}
