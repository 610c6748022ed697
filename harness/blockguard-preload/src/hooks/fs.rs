//! `fs`: regular-file I/O through stdio, syncs, and file locks; `pipe`:
//! opening a FIFO. stdio streams are classed by their descriptor.
#![allow(unsafe_code)]

use super::macros::hook;
use crate::classify::fd_cache;
use crate::classify::{Call, open_class, stream_class};
use blockguard_protocol::Class::Fs;
use libc::{FILE, c_char, c_int, c_ulong, c_void, size_t, ssize_t};

hook! {
    /// fsync(2)
    fn fsync(fd: c_int) -> c_int => |fd| Some(Call::on_fd("fsync", Fs, fd));
    /// fdatasync(2)
    fn fdatasync(fd: c_int) -> c_int => |fd| Some(Call::on_fd("fdatasync", Fs, fd));
    /// flock(2); LOCK_NB is calm.
    fn flock(fd: c_int, op: c_int) -> c_int
        => |fd, op| (op & libc::LOCK_NB == 0).then(|| Call::on_fd("flock", Fs, fd));
    /// fread(3)
    fn fread(ptr: *mut c_void, size: size_t, n: size_t, stream: *mut FILE) -> size_t
        => |_, _, _, s| stream_class("fread", s);
    /// fread_unlocked(3)
    fn fread_unlocked(ptr: *mut c_void, size: size_t, n: size_t, stream: *mut FILE) -> size_t
        => |_, _, _, s| stream_class("fread", s);
    /// fread(3), fortified
    fn __fread_chk(ptr: *mut c_void, len: size_t, size: size_t, n: size_t, stream: *mut FILE) -> size_t
        => |_, _, _, _, s| stream_class("fread", s);
    /// fwrite(3)
    fn fwrite(ptr: *const c_void, size: size_t, n: size_t, stream: *mut FILE) -> size_t
        => |_, _, _, s| stream_class("fwrite", s);
    /// fwrite_unlocked(3)
    fn fwrite_unlocked(ptr: *const c_void, size: size_t, n: size_t, stream: *mut FILE) -> size_t
        => |_, _, _, s| stream_class("fwrite", s);
    /// fgets(3)
    fn fgets(buf: *mut c_char, n: c_int, stream: *mut FILE) -> *mut c_char
        => |_, _, s| stream_class("fgets", s);
    /// fgets_unlocked(3)
    fn fgets_unlocked(buf: *mut c_char, n: c_int, stream: *mut FILE) -> *mut c_char
        => |_, _, s| stream_class("fgets", s);
    /// fgets(3), fortified
    fn __fgets_chk(buf: *mut c_char, len: size_t, n: c_int, stream: *mut FILE) -> *mut c_char
        => |_, _, _, s| stream_class("fgets", s);
    /// fputs(3)
    fn fputs(text: *const c_char, stream: *mut FILE) -> c_int => |_, s| stream_class("fputs", s);
    /// fflush(3)
    fn fflush(stream: *mut FILE) -> c_int => |s| stream_class("fflush", s);
    /// fflush_unlocked(3)
    fn fflush_unlocked(stream: *mut FILE) -> c_int => |s| stream_class("fflush", s);
    /// getline(3)
    fn getline(line: *mut *mut c_char, n: *mut size_t, stream: *mut FILE) -> ssize_t
        => |_, _, s| stream_class("getline", s);
    /// getdelim(3)
    fn getdelim(line: *mut *mut c_char, n: *mut size_t, delim: c_int, stream: *mut FILE) -> ssize_t
        => |_, _, _, s| stream_class("getdelim", s);
    /// open(2), fortified form without a mode
    fn __open_2(path: *const c_char, flags: c_int) -> c_int
        => |p, f| open_class("open", libc::AT_FDCWD, p, f);
    /// open64(2), fortified form without a mode
    fn __open64_2(path: *const c_char, flags: c_int) -> c_int
        => |p, f| open_class("open", libc::AT_FDCWD, p, f);
}

const F_OFD_SETLKW: c_int = 38;

fn lock_wait(name: &'static str, fd: c_int, cmd: c_int) -> Option<Call> {
    (cmd == libc::F_SETLKW || cmd == F_OFD_SETLKW).then(|| Call::on_fd(name, Fs, fd))
}

/// Setting a descriptor's flags may change whether it blocks, for it and
/// every descriptor that shares them: the classifier asks again.
fn flags_set(ret: c_int, cmd: c_int) {
    if ret >= 0 && cmd == libc::F_SETFL {
        fd_cache::forget_all();
    }
}

/// A stream about to be closed (or reopened) inside libc, where no `close`
/// hook sees it: its descriptor is forgotten first.
fn forget_stream<T>(stream: *mut FILE) -> Option<T> {
    if !stream.is_null() {
        // SAFETY: the caller's own stream, which it is about to close;
        // fileno only reads it.
        fd_cache::forget(unsafe { libc::fileno(stream) });
    }
    None
}

fn nonblocking_set(ret: c_int, request: c_ulong) {
    if ret >= 0 && request == libc::FIONBIO {
        fd_cache::forget_all();
    }
}

hook! {
    /// fcntl(2): F_SETLKW and F_OFD_SETLKW wait for the lock.
    fn fcntl(fd: c_int, cmd: c_int; arg) -> c_int => |fd, cmd, _| lock_wait("fcntl", fd, cmd)
        , after |ret, _, cmd, _| flags_set(ret, cmd);
    /// fcntl64(2)
    fn fcntl64(fd: c_int, cmd: c_int; arg) -> c_int => |fd, cmd, _| lock_wait("fcntl", fd, cmd)
        , after |ret, _, cmd, _| flags_set(ret, cmd);
    /// fclose(3): closes its descriptor inside libc.
    fn fclose(stream: *mut FILE) -> c_int, answer |s| forget_stream(s) => |_| None;
    /// freopen(3): closes the stream's descriptor inside libc, then opens anew.
    fn freopen(path: *const c_char, mode: *const c_char, stream: *mut FILE) -> *mut FILE,
        answer |_, _, s| forget_stream(s) => |_, _, _| None;
    /// freopen64(3)
    fn freopen64(path: *const c_char, mode: *const c_char, stream: *mut FILE) -> *mut FILE,
        answer |_, _, s| forget_stream(s) => |_, _, _| None;
    /// fcloseall(3): closes every stream's descriptor inside libc.
    fn fcloseall() -> c_int, answer || { fd_cache::forget_all(); None } => || None;
    /// ioctl(2): never waits itself, but FIONBIO sets O_NONBLOCK.
    fn ioctl(fd: c_int, request: c_ulong; arg) -> c_int => |_, _, _| None
        , after |ret, _, request, _| nonblocking_set(ret, request);
    /// open(2): opening a FIFO without O_NONBLOCK waits for its peer.
    fn open(path: *const c_char, flags: c_int; mode) -> c_int
        => |p, f, _| open_class("open", libc::AT_FDCWD, p, f);
    /// open64(2)
    fn open64(path: *const c_char, flags: c_int; mode) -> c_int
        => |p, f, _| open_class("open", libc::AT_FDCWD, p, f);
    /// openat(2)
    fn openat(dirfd: c_int, path: *const c_char, flags: c_int; mode) -> c_int
        => |d, p, f, _| open_class("openat", d, p, f);
    /// openat64(2)
    fn openat64(dirfd: c_int, path: *const c_char, flags: c_int; mode) -> c_int
        => |d, p, f, _| open_class("openat", d, p, f);
}
