//! `dns`: name resolution, which may read files and talk to resolvers.
#![allow(unsafe_code)]

use super::macros::hook;
use crate::classify::Call;
use blockguard_protocol::Class::Dns;
use libc::{addrinfo, c_char, c_int, c_uchar, c_void, hostent, size_t, sockaddr, socklen_t};

hook! {
    /// getaddrinfo(3)
    fn getaddrinfo(node: *const c_char, service: *const c_char, hints: *const addrinfo, res: *mut *mut addrinfo) -> c_int
        => |_, _, _, _| Some(Call::new("getaddrinfo", Dns));
    /// getnameinfo(3)
    fn getnameinfo(addr: *const sockaddr, len: socklen_t, host: *mut c_char, hostlen: socklen_t, serv: *mut c_char, servlen: socklen_t, flags: c_int) -> c_int
        => |_, _, _, _, _, _, _| Some(Call::new("getnameinfo", Dns));
    /// gethostbyname(3)
    fn gethostbyname(name: *const c_char) -> *mut hostent => |_| Some(Call::new("gethostbyname", Dns));
    /// gethostbyname2(3)
    fn gethostbyname2(name: *const c_char, af: c_int) -> *mut hostent
        => |_, _| Some(Call::new("gethostbyname2", Dns));
    /// gethostbyname_r(3)
    fn gethostbyname_r(name: *const c_char, ret: *mut hostent, buf: *mut c_char, len: size_t, result: *mut *mut hostent, err: *mut c_int) -> c_int
        => |_, _, _, _, _, _| Some(Call::new("gethostbyname_r", Dns));
    /// gethostbyname2_r(3)
    fn gethostbyname2_r(name: *const c_char, af: c_int, ret: *mut hostent, buf: *mut c_char, len: size_t, result: *mut *mut hostent, err: *mut c_int) -> c_int
        => |_, _, _, _, _, _, _| Some(Call::new("gethostbyname2_r", Dns));
    /// gethostbyaddr(3)
    fn gethostbyaddr(addr: *const c_void, len: socklen_t, kind: c_int) -> *mut hostent
        => |_, _, _| Some(Call::new("gethostbyaddr", Dns));
    /// res_query(3)
    fn res_query(dname: *const c_char, class: c_int, kind: c_int, answer: *mut c_uchar, anslen: c_int) -> c_int
        => |_, _, _, _, _| Some(Call::new("res_query", Dns));
    /// res_search(3)
    fn res_search(dname: *const c_char, class: c_int, kind: c_int, answer: *mut c_uchar, anslen: c_int) -> c_int
        => |_, _, _, _, _| Some(Call::new("res_search", Dns));
    /// res_query(3), as resolv.h spells it
    fn __res_query(dname: *const c_char, class: c_int, kind: c_int, answer: *mut c_uchar, anslen: c_int) -> c_int
        => |_, _, _, _, _| Some(Call::new("res_query", Dns));
    /// res_search(3), as resolv.h spells it
    fn __res_search(dname: *const c_char, class: c_int, kind: c_int, answer: *mut c_uchar, anslen: c_int) -> c_int
        => |_, _, _, _, _| Some(Call::new("res_search", Dns));
    /// res_send(3)
    fn res_send(msg: *const c_uchar, msglen: c_int, answer: *mut c_uchar, anslen: c_int) -> c_int
        => |_, _, _, _| Some(Call::new("res_send", Dns));
    /// res_send(3), as resolv.h spells it
    fn __res_send(msg: *const c_uchar, msglen: c_int, answer: *mut c_uchar, anslen: c_int) -> c_int
        => |_, _, _, _| Some(Call::new("res_send", Dns));
}
