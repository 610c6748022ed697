//! `sleep`: timed sleeps and signal waits. A zero duration is still a sleep.
#![allow(unsafe_code)]

use super::macros::hook;
use crate::classify::Call;
use blockguard_protocol::Class::Sleep;
use libc::{c_int, c_uint, clockid_t, siginfo_t, sigset_t, timespec, useconds_t};

hook! {
    /// sleep(3)
    fn sleep(secs: c_uint) -> c_uint => |_| Some(Call::new("sleep", Sleep));
    /// usleep(3)
    fn usleep(usecs: useconds_t) -> c_int => |_| Some(Call::new("usleep", Sleep));
    /// nanosleep(2)
    fn nanosleep(req: *const timespec, rem: *mut timespec) -> c_int
        => |_, _| Some(Call::new("nanosleep", Sleep));
    /// clock_nanosleep(2)
    fn clock_nanosleep(clock: clockid_t, flags: c_int, req: *const timespec, rem: *mut timespec) -> c_int
        => |_, _, _, _| Some(Call::new("clock_nanosleep", Sleep));
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
