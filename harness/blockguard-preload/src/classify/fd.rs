//! The state of a file descriptor: its type and its `O_NONBLOCK` flag.
//!
//! # Safety
//! `fstat`, `fstatfs` and `fcntl(F_GETFL)` are given a plain integer descriptor and a
//! buffer of the right size; on a bad descriptor they fail with EBADF.
#![allow(unsafe_code)]

use super::fd_kind::FdKind;
use super::{Call, fd_cache};
use crate::real::Real;
use blockguard_protocol::Class;

/// The guard exports `fcntl`; the real one is used here.
// SAFETY: glibc's fcntl, called with F_GETFL and one word for its
// unused argument, as this file always has (see `nonblocking`).
static FCNTL: Real<FcntlFn> = unsafe { Real::new(c"fcntl") };
type FcntlFn = unsafe extern "C" fn(libc::c_int, libc::c_int, usize) -> libc::c_int;

/// The descriptor's kind and whether it is non-blocking; `None` if it is
/// not open. Remembered where that is safe (see [`fd_cache`]).
pub fn state(fd: i32) -> Option<(FdKind, bool)> {
    match fd_cache::lookup(fd) {
        fd_cache::Lookup::Known(kind, nonblocking) => Some((kind, nonblocking)),
        fd_cache::Lookup::Flags(kind) => Some((kind, nonblocking(fd)?)),
        fd_cache::Lookup::Ask(ticket) => {
            let (kind, nonblocking) = ask_kernel(fd)?;
            fd_cache::remember(ticket, kind, nonblocking);
            Some((kind, nonblocking))
        }
    }
}

/// Whether `fd` has `O_NONBLOCK` now; `None` if it is not open.
fn nonblocking(fd: i32) -> Option<bool> {
    // SAFETY: FCNTL is libc's fcntl; F_GETFL takes no argument.
    let flags = unsafe { FCNTL.get()(fd, libc::F_GETFL, 0) };
    (flags >= 0).then_some(flags & libc::O_NONBLOCK != 0)
}

fn ask_kernel(fd: i32) -> Option<(FdKind, bool)> {
    // SAFETY: all zeroes is a valid `stat` (plain integers).
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: st is a valid stat buffer.
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return None;
    }
    let kind = match st.st_mode & libc::S_IFMT {
        libc::S_IFSOCK => FdKind::Socket,
        libc::S_IFREG if on_pseudo_filesystem(fd) => FdKind::Pseudo,
        libc::S_IFREG | libc::S_IFBLK => FdKind::File,
        libc::S_IFDIR => FdKind::Directory,
        0 => FdKind::AnonWait,
        _ => FdKind::Pipe,
    };
    if matches!(kind, FdKind::File | FdKind::Pseudo) {
        // O_NONBLOCK has no effect on regular files.
        return Some((kind, false));
    }
    Some((kind, nonblocking(fd).unwrap_or(false)))
}

/// Whether `fd` is a file of procfs, sysfs or cgroupfs (v1 or v2), whose
/// reads the kernel answers from memory: `available_parallelism` reading
/// the cgroup's CPU quota, a runtime reading `/proc/self/…`.
fn on_pseudo_filesystem(fd: i32) -> bool {
    const PSEUDO: [libc::c_long; 4] = [
        libc::PROC_SUPER_MAGIC as libc::c_long,
        libc::SYSFS_MAGIC as libc::c_long,
        libc::CGROUP_SUPER_MAGIC as libc::c_long,
        libc::CGROUP2_SUPER_MAGIC as libc::c_long,
    ];
    // SAFETY: all zeroes is a valid `statfs` (plain integers).
    let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: fs is a valid statfs buffer; a bad descriptor fails with EBADF.
    if unsafe { libc::fstatfs(fd, &mut fs) } != 0 {
        return false;
    }
    PSEUDO.contains(&(fs.f_type as libc::c_long))
}

/// The class of a read, write, send or receive on `fd`, or `None` when it
/// cannot block. `dontwait` is true when the call's flags carry MSG_DONTWAIT.
pub fn io_class(name: &'static str, fd: i32, dontwait: bool) -> Option<Call> {
    let (kind, nonblocking) = state(fd)?;
    let class = match kind {
        FdKind::File => Class::Fs,
        FdKind::Directory | FdKind::Pseudo => return None,
        _ if nonblocking || dontwait => return None,
        FdKind::Socket => Class::Net,
        FdKind::Pipe | FdKind::AnonWait => Class::Pipe,
    };
    Some(Call::on_fd(name, class, fd))
}

/// The class of stdio I/O on `stream`.
pub fn stream_class(name: &'static str, stream: *mut libc::FILE) -> Option<Call> {
    if stream.is_null() {
        // fflush(NULL) flushes every output stream.
        return Some(Call::new(name, Class::Fs));
    }
    // SAFETY: the caller passes the stream it is about to use; fileno only reads it.
    let fd = unsafe { libc::fileno(stream) };
    if fd < 0 {
        return None;
    }
    io_class(name, fd, false)
}

/// Opening a FIFO without O_NONBLOCK waits for the other end.
pub fn open_class(
    name: &'static str,
    dirfd: i32,
    path: *const libc::c_char,
    flags: i32,
) -> Option<Call> {
    if path.is_null() || flags & libc::O_NONBLOCK != 0 {
        return None;
    }
    // SAFETY: all zeroes is a valid `stat` (plain integers).
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: path is the NUL-terminated path the caller is about to open;
    // st is a valid buffer.
    if unsafe { libc::fstatat(dirfd, path, &mut st, 0) } != 0 {
        return None;
    }
    (st.st_mode & libc::S_IFMT == libc::S_IFIFO).then(|| Call::new(name, Class::Pipe))
}
