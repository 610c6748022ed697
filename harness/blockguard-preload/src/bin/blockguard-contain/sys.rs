//! Thin wrappers over the system calls the launcher makes.
//!
//! # Safety
//! Each wrapper passes only valid pointers (to locals or to data that
//! outlives the call) and owns the descriptors it creates. The launcher is
//! single-threaded, so `fork` leaves no lock held by another thread and
//! `setenv` races with no reader.
#![allow(unsafe_code)]

use std::ffi::{CString, OsStr};
use std::io;
use std::sync::atomic::{AtomicI32, Ordering};

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// SIGKILL when our parent thread dies.
pub fn die_with_parent() -> io::Result<()> {
    // SAFETY: PR_SET_PDEATHSIG takes a signal number and nothing else.
    check(unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) }).map(drop)
}

/// Our parent's pid (0 when it is outside our PID namespace).
pub fn parent() -> i32 {
    // SAFETY: getppid cannot fail.
    unsafe { libc::getppid() }
}

/// Sets `LD_PRELOAD` for the programs we exec.
pub fn set_preload(library: &OsStr) {
    // SAFETY: single-threaded: nothing reads the environment meanwhile.
    unsafe { std::env::set_var("LD_PRELOAD", library) };
}

/// `unshare(2)`.
pub fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: unshare takes flags only; we share no file table to confuse.
    check(unsafe { libc::unshare(flags) }).map(drop)
}

/// `mount(2)` with no data.
pub fn mount(source: &str, target: &str, fstype: &str, flags: libc::c_ulong) -> io::Result<()> {
    let c = |s: &str| CString::new(s).expect("no NUL in a mount argument");
    let (source, target, fstype) = (c(source), c(target), c(fstype));
    // SAFETY: three valid C strings and a null data pointer.
    check(unsafe {
        libc::mount(
            source.as_ptr(),
            target.as_ptr(),
            fstype.as_ptr(),
            flags,
            std::ptr::null(),
        )
    })
    .map(drop)
}

/// Which side of a `fork` we are on.
pub enum Fork {
    /// The child.
    Child,
    /// The parent, with the child's pid.
    Parent(i32),
}

/// `fork(2)`.
pub fn fork() -> io::Result<Fork> {
    // SAFETY: single-threaded, so the child inherits no held lock.
    match check(unsafe { libc::fork() })? {
        0 => Ok(Fork::Child),
        pid => Ok(Fork::Parent(pid)),
    }
}

/// `waitpid(2)`, retried on EINTR; `Ok(None)` for WNOHANG with nothing to reap.
pub fn waitpid(pid: i32, nohang: bool) -> io::Result<Option<(i32, i32)>> {
    let mut status = 0;
    loop {
        let flags = if nohang { libc::WNOHANG } else { 0 };
        // SAFETY: status is a valid out-pointer.
        let ret = unsafe { libc::waitpid(pid, &mut status, flags) };
        if ret > 0 {
            return Ok(Some((ret, status)));
        }
        if ret == 0 {
            return Ok(None);
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

/// Execs `argv` (searched in `PATH`); returns only on failure.
pub fn exec(argv: &[CString]) -> io::Error {
    let mut ptrs: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    ptrs.push(std::ptr::null());
    // SAFETY: a null-terminated array of valid C strings.
    unsafe { libc::execvp(ptrs[0], ptrs.as_ptr()) };
    io::Error::last_os_error()
}

/// Puts the calling process in a process group of its own.
pub fn own_process_group() {
    // SAFETY: setpgid(0, 0) only changes our own group.
    unsafe { libc::setpgid(0, 0) };
}

/// A pipe whose ends close on exec.
pub fn pipe() -> io::Result<(i32, i32)> {
    let mut fds = [0; 2];
    // SAFETY: fds is a valid two-element array.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    Ok((fds[0], fds[1]))
}

/// Writes all of `bytes` to `fd`, then closes it.
pub fn write_and_close(fd: i32, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: bytes is a live slice; fd is ours.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n <= 0 {
            break;
        }
        bytes = &bytes[n as usize..];
    }
    close(fd);
}

/// Reads `fd` to its end, then closes it.
pub fn read_and_close(fd: i32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: buf is a live buffer; fd is ours.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n > 0 {
            out.extend_from_slice(&buf[..n as usize]);
        } else if n == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            break;
        }
    }
    close(fd);
    out
}

/// Closes a descriptor we own.
pub fn close(fd: i32) {
    // SAFETY: fd is ours and used no more.
    unsafe { libc::close(fd) };
}

/// Ends the process now, without running destructors (after `fork`).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit never returns and touches no shared state.
    unsafe { libc::_exit(code) }
}

/// Re-raises `signal` on ourselves with its default action.
pub fn raise_default(signal: i32) {
    // SAFETY: plain signal calls on a valid signal number.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(signal);
    }
}

/// The signals the runner ends a test with, short of SIGKILL.
pub const ENDING: [i32; 4] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGQUIT];

/// The group [`forward_ending_signals`] passes signals to.
static FORWARD_TO: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward(signal: libc::c_int) {
    let group = FORWARD_TO.load(Ordering::Relaxed);
    if group > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { libc::kill(-group, signal) };
    }
}

extern "C" fn ignore(_: libc::c_int) {}

/// Survives the runner's ending signals (a handler, not SIG_IGN, so that
/// a program we exec starts with the default actions).
pub fn survive_ending_signals() {
    for signal in ENDING {
        set_handler(signal, ignore);
    }
}

/// Passes the runner's ending signals on to process group `group`.
pub fn forward_ending_signals(group: i32) {
    FORWARD_TO.store(group, Ordering::Relaxed);
    for signal in ENDING {
        set_handler(signal, forward);
    }
}

fn set_handler(signal: i32, handler: extern "C" fn(libc::c_int)) {
    // SAFETY: a zeroed sigaction with a valid handler and an empty mask.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler as *const () as usize;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(signal, &action, std::ptr::null_mut());
    }
}

/// Restores the default action of the ending signals (in the test, before exec).
pub fn default_ending_signals() {
    for signal in ENDING {
        // SAFETY: resetting a disposition.
        unsafe { libc::signal(signal, libc::SIG_DFL) };
    }
}

/// Sleeps `ms` milliseconds.
pub fn sleep_ms(ms: u64) {
    std::thread::sleep(std::time::Duration::from_millis(ms));
}

/// Our real user and group ids.
pub fn ids() -> (u32, u32) {
    // SAFETY: getuid and getgid cannot fail.
    unsafe { (libc::getuid(), libc::getgid()) }
}

/// Sets the sandbox's resource limits on this process (inherited by what
/// it execs). A limit the process may not set is left as it was.
pub fn set_limits(limits: blockguard_protocol::sandbox::Limits) {
    for (resource, value) in [
        (libc::RLIMIT_DATA, limits.memory),
        (libc::RLIMIT_FSIZE, limits.file_size),
        (libc::RLIMIT_NPROC, limits.processes),
    ] {
        let limit = libc::rlimit {
            rlim_cur: value,
            rlim_max: value,
        };
        // SAFETY: a valid rlimit for a valid resource; failure leaves the
        // old limit.
        unsafe { libc::setrlimit(resource, &limit) };
    }
}
