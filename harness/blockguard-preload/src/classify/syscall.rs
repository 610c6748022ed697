//! Syscalls by number: for `syscall(2)` and for raw syscalls caught by the
//! escape backstop. Arguments are the six raw register values.
//!
//! # Safety
//! Timeout arguments are pointers supplied by the caller for the syscall
//! it is making; they are read only when non-null, exactly as the kernel
//! is about to read them.
#![allow(unsafe_code)]

use super::{Call, io_class, open_class, spin};
use blockguard_protocol::Class;

const FUTEX_CMD_MASK: usize =
    !(libc::FUTEX_PRIVATE_FLAG as usize | libc::FUTEX_CLOCK_REALTIME as usize);
const FUTEX_LOCK_PI2: usize = 13;
const SYS_FUTEX_WAITV: i64 = 449;
const SYS_EPOLL_PWAIT2: i64 = 441;
const F_OFD_SETLKW: usize = 38;

/// The name of syscall `nr`, for calls that have one worth reporting.
pub fn name(nr: i64) -> &'static str {
    match nr {
        libc::SYS_read => "read",
        libc::SYS_write => "write",
        libc::SYS_pread64 => "pread64",
        libc::SYS_pwrite64 => "pwrite64",
        libc::SYS_readv => "readv",
        libc::SYS_writev => "writev",
        libc::SYS_preadv => "preadv",
        libc::SYS_pwritev => "pwritev",
        libc::SYS_preadv2 => "preadv2",
        libc::SYS_pwritev2 => "pwritev2",
        libc::SYS_nanosleep => "nanosleep",
        libc::SYS_clock_nanosleep => "clock_nanosleep",
        libc::SYS_pause => "pause",
        libc::SYS_rt_sigsuspend => "rt_sigsuspend",
        libc::SYS_rt_sigtimedwait => "rt_sigtimedwait",
        libc::SYS_futex => "futex_wait",
        SYS_FUTEX_WAITV => "futex_waitv",
        libc::SYS_accept => "accept",
        libc::SYS_accept4 => "accept4",
        libc::SYS_connect => "connect",
        libc::SYS_sendto => "sendto",
        libc::SYS_recvfrom => "recvfrom",
        libc::SYS_sendmsg => "sendmsg",
        libc::SYS_recvmsg => "recvmsg",
        libc::SYS_sendmmsg => "sendmmsg",
        libc::SYS_recvmmsg => "recvmmsg",
        libc::SYS_fsync => "fsync",
        libc::SYS_fdatasync => "fdatasync",
        libc::SYS_flock => "flock",
        libc::SYS_fcntl => "fcntl",
        libc::SYS_wait4 => "wait4",
        libc::SYS_waitid => "waitid",
        libc::SYS_poll => "poll",
        libc::SYS_ppoll => "ppoll",
        libc::SYS_select => "select",
        libc::SYS_pselect6 => "pselect6",
        libc::SYS_epoll_wait => "epoll_wait",
        libc::SYS_epoll_pwait => "epoll_pwait",
        SYS_EPOLL_PWAIT2 => "epoll_pwait2",
        libc::SYS_sched_yield => "sched_yield",
        libc::SYS_open => "open",
        libc::SYS_openat => "openat",
        _ => "syscall",
    }
}

/// True when a `timespec` pointer is non-null and zero.
pub fn zero_timespec(ts: usize) -> bool {
    if ts == 0 {
        return false;
    }
    // SAFETY: see the module's safety note.
    let ts = unsafe { &*(ts as *const libc::timespec) };
    ts.tv_sec == 0 && ts.tv_nsec == 0
}

/// True when a `timeval` pointer is non-null and zero.
pub fn zero_timeval(tv: usize) -> bool {
    if tv == 0 {
        return false;
    }
    // SAFETY: see the module's safety note.
    let tv = unsafe { &*(tv as *const libc::timeval) };
    tv.tv_sec == 0 && tv.tv_usec == 0
}

/// True when `clock_nanosleep`'s `flags` and `req` ask for no wait: a
/// relative sleep of zero (an absolute one in the past is left a sleep).
pub fn relative_zero(flags: usize, req: usize) -> bool {
    flags as i32 & libc::TIMER_ABSTIME == 0 && zero_timespec(req)
}

/// The blocking call syscall `nr` with arguments `a` makes, if any.
pub fn classify(nr: i64, a: [usize; 6]) -> Option<Call> {
    let n = name(nr);
    let fd = a[0] as i32;
    let dontwait = |flags: usize| flags as i32 & libc::MSG_DONTWAIT != 0;
    match nr {
        libc::SYS_read
        | libc::SYS_write
        | libc::SYS_pread64
        | libc::SYS_pwrite64
        | libc::SYS_readv
        | libc::SYS_writev
        | libc::SYS_preadv
        | libc::SYS_pwritev => io_class(n, fd, false),
        libc::SYS_preadv2 | libc::SYS_pwritev2 => {
            io_class(n, fd, a[5] as i32 & libc::RWF_NOWAIT != 0)
        }
        libc::SYS_sched_yield => spin::yielded(n),
        libc::SYS_nanosleep => spin::sleep(n, zero_timespec(a[0])),
        libc::SYS_clock_nanosleep => spin::sleep(n, relative_zero(a[1], a[2])),
        libc::SYS_pause | libc::SYS_rt_sigsuspend | libc::SYS_rt_sigtimedwait => {
            Some(Call::new(n, Class::Sleep))
        }
        libc::SYS_futex => {
            let cmd = a[1] & FUTEX_CMD_MASK;
            let waits = [
                libc::FUTEX_WAIT as usize,
                libc::FUTEX_WAIT_BITSET as usize,
                libc::FUTEX_LOCK_PI as usize,
                libc::FUTEX_WAIT_REQUEUE_PI as usize,
                FUTEX_LOCK_PI2,
            ];
            waits.contains(&cmd).then(|| Call::new(n, Class::Sync))
        }
        SYS_FUTEX_WAITV => Some(Call::new(n, Class::Sync)),
        libc::SYS_accept | libc::SYS_accept4 | libc::SYS_connect => io_class(n, fd, false),
        libc::SYS_sendto | libc::SYS_recvfrom | libc::SYS_sendmmsg | libc::SYS_recvmmsg => {
            io_class(n, fd, dontwait(a[3]))
        }
        libc::SYS_sendmsg | libc::SYS_recvmsg => io_class(n, fd, dontwait(a[2])),
        libc::SYS_fsync | libc::SYS_fdatasync => Some(Call::on_fd(n, Class::Fs, fd)),
        libc::SYS_flock => {
            (a[1] as i32 & libc::LOCK_NB == 0).then(|| Call::on_fd(n, Class::Fs, fd))
        }
        libc::SYS_fcntl => (a[1] == libc::F_SETLKW as usize || a[1] == F_OFD_SETLKW)
            .then(|| Call::on_fd(n, Class::Fs, fd)),
        libc::SYS_wait4 => (a[2] as i32 & libc::WNOHANG == 0).then(|| Call::new(n, Class::Process)),
        libc::SYS_waitid => {
            (a[3] as i32 & libc::WNOHANG == 0).then(|| Call::new(n, Class::Process))
        }
        libc::SYS_poll => (a[2] as i32 != 0).then(|| Call::new(n, Class::Poll)),
        libc::SYS_ppoll => (!zero_timespec(a[2])).then(|| Call::new(n, Class::Poll)),
        libc::SYS_select => (!zero_timeval(a[4])).then(|| Call::new(n, Class::Poll)),
        libc::SYS_pselect6 => (!zero_timespec(a[4])).then(|| Call::new(n, Class::Poll)),
        libc::SYS_epoll_wait | libc::SYS_epoll_pwait => {
            (a[3] as i32 != 0).then(|| Call::new(n, Class::Poll))
        }
        SYS_EPOLL_PWAIT2 => (!zero_timespec(a[3])).then(|| Call::new(n, Class::Poll)),
        libc::SYS_open => open_class(n, libc::AT_FDCWD, a[0] as *const libc::c_char, a[1] as i32),
        libc::SYS_openat => open_class(n, a[0] as i32, a[1] as *const libc::c_char, a[2] as i32),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn futex_wake_is_calm_and_wait_is_sync() {
        let wake = libc::FUTEX_WAKE as usize | libc::FUTEX_PRIVATE_FLAG as usize;
        assert_eq!(classify(libc::SYS_futex, [0, wake, 1, 0, 0, 0]), None);
        let wait = libc::FUTEX_WAIT_BITSET as usize | libc::FUTEX_PRIVATE_FLAG as usize;
        assert_eq!(
            classify(libc::SYS_futex, [0, wait, 1, 0, 0, 0]).map(|c| c.class),
            Some(Class::Sync)
        );
    }

    #[test]
    fn zero_timeouts_are_calm() {
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let p = &zero as *const _ as usize;
        assert_eq!(classify(libc::SYS_ppoll, [0, 0, p, 0, 0, 0]), None);
        assert!(classify(libc::SYS_ppoll, [0, 0, 0, 0, 0, 0]).is_some());
        assert_eq!(classify(libc::SYS_poll, [0, 0, 0, 0, 0, 0]), None);
        assert!(classify(libc::SYS_poll, [0, 0, 5, 0, 0, 0]).is_some());
    }

    #[test]
    fn yields_and_zero_sleeps_count_toward_a_spin() {
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let p = &zero as *const _ as usize;
        spin::new_turn();
        let calls: Vec<_> = (0..10)
            .filter_map(|i| {
                let call = match i % 3 {
                    0 => classify(libc::SYS_sched_yield, [0; 6]),
                    1 => classify(libc::SYS_nanosleep, [p, 0, 0, 0, 0, 0]),
                    _ => classify(libc::SYS_clock_nanosleep, [0, 0, p, 0, 0, 0]),
                };
                spin::classified();
                call
            })
            .collect();
        assert_eq!(calls, [Call::new("sched_yield", Class::Spin)]);
        let abs = libc::TIMER_ABSTIME as usize;
        let past = classify(libc::SYS_clock_nanosleep, [0, abs, p, 0, 0, 0]);
        assert_eq!(past.map(|c| c.class), Some(Class::Sleep));
    }

    #[test]
    fn wnohang_and_lock_nb_are_calm() {
        assert_eq!(
            classify(libc::SYS_wait4, [0, 0, libc::WNOHANG as usize, 0, 0, 0]),
            None
        );
        assert!(classify(libc::SYS_wait4, [0, 0, 0, 0, 0, 0]).is_some());
        let nb = (libc::LOCK_EX | libc::LOCK_NB) as usize;
        assert_eq!(classify(libc::SYS_flock, [0, nb, 0, 0, 0, 0]), None);
    }

    #[test]
    fn io_depends_on_the_descriptor() {
        let mut fds = [0; 2];
        // SAFETY: fds has room for two descriptors.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let read = classify(libc::SYS_read, [fds[0] as usize, 0, 0, 0, 0, 0]);
        assert_eq!(read.map(|c| c.class), Some(Class::Pipe));
        // SAFETY: fds[0] is our open pipe.
        unsafe { libc::fcntl(fds[0], libc::F_SETFL, libc::O_NONBLOCK) };
        assert_eq!(
            classify(libc::SYS_read, [fds[0] as usize, 0, 0, 0, 0, 0]),
            None
        );
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        let read = classify(libc::SYS_read, [file.as_raw_fd() as usize, 0, 0, 0, 0, 0]);
        assert_eq!(read.map(|c| c.class), Some(Class::Fs));
        // procfs answers from memory: no read of it waits.
        let proc = std::fs::File::open("/proc/self/stat").unwrap();
        let read = classify(libc::SYS_read, [proc.as_raw_fd() as usize, 0, 0, 0, 0, 0]);
        assert_eq!(read.map(|c| c.class), None);
        // SAFETY: closing our own pipe.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
    }
}
