//! `poll`: readiness waits. A zero timeout is calm.
#![allow(unsafe_code)]

use super::macros::hook;
use crate::classify::Call;
use crate::classify::syscall::{zero_timespec, zero_timeval};
use blockguard_protocol::Class::Poll;
use libc::{c_int, epoll_event, fd_set, nfds_t, pollfd, sigset_t, size_t, timespec, timeval};

fn unless(name: &'static str, zero: bool) -> Option<Call> {
    (!zero).then(|| Call::new(name, Poll))
}

hook! {
    /// poll(2)
    fn poll(fds: *mut pollfd, n: nfds_t, timeout: c_int) -> c_int => |_, _, t| unless("poll", t == 0);
    /// poll(2), fortified
    fn __poll_chk(fds: *mut pollfd, n: nfds_t, timeout: c_int, len: size_t) -> c_int
        => |_, _, t, _| unless("poll", t == 0);
    /// ppoll(2)
    fn ppoll(fds: *mut pollfd, n: nfds_t, timeout: *const timespec, mask: *const sigset_t) -> c_int
        => |_, _, t: *const timespec, _| unless("ppoll", zero_timespec(t as usize));
    /// select(2)
    fn select(n: c_int, r: *mut fd_set, w: *mut fd_set, e: *mut fd_set, timeout: *mut timeval) -> c_int
        => |_, _, _, _, t: *mut timeval| unless("select", zero_timeval(t as usize));
    /// pselect(2)
    fn pselect(n: c_int, r: *mut fd_set, w: *mut fd_set, e: *mut fd_set, timeout: *const timespec, mask: *const sigset_t) -> c_int
        => |_, _, _, _, t: *const timespec, _| unless("pselect", zero_timespec(t as usize));
    /// epoll_wait(2)
    fn epoll_wait(epfd: c_int, events: *mut epoll_event, max: c_int, timeout: c_int) -> c_int
        => |_, _, _, t| unless("epoll_wait", t == 0);
    /// epoll_pwait(2)
    fn epoll_pwait(epfd: c_int, events: *mut epoll_event, max: c_int, timeout: c_int, mask: *const sigset_t) -> c_int
        => |_, _, _, t, _| unless("epoll_pwait", t == 0);
    /// epoll_pwait2(2)
    fn epoll_pwait2(epfd: c_int, events: *mut epoll_event, max: c_int, timeout: *const timespec, mask: *const sigset_t) -> c_int
        => |_, _, _, t: *const timespec, _| unless("epoll_pwait2", zero_timespec(t as usize));
}
