//! `net` and `pipe` (and `fs` on regular files): reads, writes, sends,
//! receives, accept and connect. The descriptor's live state decides.
#![allow(unsafe_code)]

use super::macros::hook;
use crate::classify::io_class;
use libc::{
    c_int, c_uint, c_void, iovec, mmsghdr, msghdr, off_t, size_t, sockaddr, socklen_t, ssize_t,
    timespec,
};

fn dontwait(flags: c_int) -> bool {
    flags & libc::MSG_DONTWAIT != 0
}

hook! {
    /// read(2)
    fn read(fd: c_int, buf: *mut c_void, n: size_t) -> ssize_t => |fd, _, _| io_class("read", fd, false);
    /// write(2)
    fn write(fd: c_int, buf: *const c_void, n: size_t) -> ssize_t => |fd, _, _| io_class("write", fd, false);
    /// readv(2)
    fn readv(fd: c_int, iov: *const iovec, n: c_int) -> ssize_t => |fd, _, _| io_class("readv", fd, false);
    /// writev(2)
    fn writev(fd: c_int, iov: *const iovec, n: c_int) -> ssize_t => |fd, _, _| io_class("writev", fd, false);
    /// pread(2)
    fn pread(fd: c_int, buf: *mut c_void, n: size_t, off: off_t) -> ssize_t
        => |fd, _, _, _| io_class("pread", fd, false);
    /// pread64(2)
    fn pread64(fd: c_int, buf: *mut c_void, n: size_t, off: off_t) -> ssize_t
        => |fd, _, _, _| io_class("pread64", fd, false);
    /// pwrite(2)
    fn pwrite(fd: c_int, buf: *const c_void, n: size_t, off: off_t) -> ssize_t
        => |fd, _, _, _| io_class("pwrite", fd, false);
    /// pwrite64(2)
    fn pwrite64(fd: c_int, buf: *const c_void, n: size_t, off: off_t) -> ssize_t
        => |fd, _, _, _| io_class("pwrite64", fd, false);
    /// preadv(2)
    fn preadv(fd: c_int, iov: *const iovec, n: c_int, off: off_t) -> ssize_t
        => |fd, _, _, _| io_class("preadv", fd, false);
    /// pwritev(2)
    fn pwritev(fd: c_int, iov: *const iovec, n: c_int, off: off_t) -> ssize_t
        => |fd, _, _, _| io_class("pwritev", fd, false);
    /// recv(2)
    fn recv(fd: c_int, buf: *mut c_void, n: size_t, flags: c_int) -> ssize_t
        => |fd, _, _, flags| io_class("recv", fd, dontwait(flags));
    /// recvfrom(2)
    fn recvfrom(fd: c_int, buf: *mut c_void, n: size_t, flags: c_int, addr: *mut sockaddr, len: *mut socklen_t) -> ssize_t
        => |fd, _, _, flags, _, _| io_class("recvfrom", fd, dontwait(flags));
    /// recvmsg(2)
    fn recvmsg(fd: c_int, msg: *mut msghdr, flags: c_int) -> ssize_t
        => |fd, _, flags| io_class("recvmsg", fd, dontwait(flags));
    /// recvmmsg(2)
    fn recvmmsg(fd: c_int, msgs: *mut mmsghdr, n: c_uint, flags: c_int, timeout: *mut timespec) -> c_int
        => |fd, _, _, flags, _| io_class("recvmmsg", fd, dontwait(flags));
    /// send(2)
    fn send(fd: c_int, buf: *const c_void, n: size_t, flags: c_int) -> ssize_t
        => |fd, _, _, flags| io_class("send", fd, dontwait(flags));
    /// sendto(2)
    fn sendto(fd: c_int, buf: *const c_void, n: size_t, flags: c_int, addr: *const sockaddr, len: socklen_t) -> ssize_t
        => |fd, _, _, flags, _, _| io_class("sendto", fd, dontwait(flags));
    /// sendmsg(2)
    fn sendmsg(fd: c_int, msg: *const msghdr, flags: c_int) -> ssize_t
        => |fd, _, flags| io_class("sendmsg", fd, dontwait(flags));
    /// sendmmsg(2)
    fn sendmmsg(fd: c_int, msgs: *mut mmsghdr, n: c_uint, flags: c_int) -> c_int
        => |fd, _, _, flags| io_class("sendmmsg", fd, dontwait(flags));
    /// accept(2)
    fn accept(fd: c_int, addr: *mut sockaddr, len: *mut socklen_t) -> c_int
        => |fd, _, _| io_class("accept", fd, false);
    /// accept4(2)
    fn accept4(fd: c_int, addr: *mut sockaddr, len: *mut socklen_t, flags: c_int) -> c_int
        => |fd, _, _, _| io_class("accept4", fd, false);
    /// connect(2)
    fn connect(fd: c_int, addr: *const sockaddr, len: socklen_t) -> c_int
        => |fd, _, _| io_class("connect", fd, false);
    /// read(2), fortified
    fn __read_chk(fd: c_int, buf: *mut c_void, n: size_t, buflen: size_t) -> ssize_t
        => |fd, _, _, _| io_class("read", fd, false);
    /// recv(2), fortified
    fn __recv_chk(fd: c_int, buf: *mut c_void, n: size_t, buflen: size_t, flags: c_int) -> ssize_t
        => |fd, _, _, _, flags| io_class("recv", fd, dontwait(flags));
    /// recvfrom(2), fortified
    fn __recvfrom_chk(fd: c_int, buf: *mut c_void, n: size_t, buflen: size_t, flags: c_int, addr: *mut sockaddr, len: *mut socklen_t) -> ssize_t
        => |fd, _, _, _, flags, _, _| io_class("recvfrom", fd, dontwait(flags));
}
