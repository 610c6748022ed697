//! std's items by the paths users write them with.
//!
//! A frame names the module an item is defined in, and std defines most of
//! its public items in private modules that the public one re-exports:
//! `std::thread::sleep` is `std::thread::functions::sleep`,
//! `std::sync::Mutex` is `std::sync::poison::mutex::Mutex`. [`public_path`]
//! folds those modules away, everywhere in a name (inside `<T as Trait>`
//! and generic arguments too), from one table, [`PRIVATE_MODULES`].

/// What a private module of std becomes in a public path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// Its items are re-exported by this module.
    Into(&'static str),
    /// Nothing of it is public: a name in it has no public path.
    Private,
}

/// std's private modules (and `mpmc`, which `std::sync::mpsc` is built
/// on), with what each becomes. The longest module that a path starts
/// with decides. Modules not listed are public and kept as they are
/// (`std::fs`, `std::process`, `std::env`, `std::sync::mpsc`, …).
pub const PRIVATE_MODULES: &[(&str, Fold)] = &[
    // std::thread
    ("std::thread::functions", Fold::Into("std::thread")),
    ("std::thread::current", Fold::Into("std::thread")),
    ("std::thread::thread", Fold::Into("std::thread")),
    ("std::thread::join_handle", Fold::Into("std::thread")),
    ("std::thread::builder", Fold::Into("std::thread")),
    ("std::thread::scoped", Fold::Into("std::thread")),
    ("std::thread::local", Fold::Into("std::thread")),
    ("std::thread::id", Fold::Into("std::thread")),
    ("std::thread::lifecycle", Fold::Private),
    ("std::thread::spawnhook", Fold::Private),
    ("std::thread::main_thread", Fold::Private),
    // std::sync: today's layout, then the one before `poison` existed.
    ("std::sync::poison::condvar", Fold::Into("std::sync")),
    ("std::sync::poison::mutex", Fold::Into("std::sync")),
    ("std::sync::poison::rwlock", Fold::Into("std::sync")),
    ("std::sync::poison::once", Fold::Into("std::sync")),
    ("std::sync::poison", Fold::Into("std::sync")),
    (
        "std::sync::nonpoison::condvar",
        Fold::Into("std::sync::nonpoison"),
    ),
    (
        "std::sync::nonpoison::mutex",
        Fold::Into("std::sync::nonpoison"),
    ),
    (
        "std::sync::nonpoison::rwlock",
        Fold::Into("std::sync::nonpoison"),
    ),
    ("std::sync::condvar", Fold::Into("std::sync")),
    ("std::sync::mutex", Fold::Into("std::sync")),
    ("std::sync::rwlock", Fold::Into("std::sync")),
    ("std::sync::once", Fold::Into("std::sync")),
    ("std::sync::barrier", Fold::Into("std::sync")),
    ("std::sync::once_lock", Fold::Into("std::sync")),
    ("std::sync::lazy_lock", Fold::Into("std::sync")),
    ("std::sync::reentrant_lock", Fold::Into("std::sync")),
    // mpsc's channels are mpmc's; users write mpsc.
    ("std::sync::mpmc::array", Fold::Private),
    ("std::sync::mpmc::context", Fold::Private),
    ("std::sync::mpmc::counter", Fold::Private),
    ("std::sync::mpmc::list", Fold::Private),
    ("std::sync::mpmc::select", Fold::Private),
    ("std::sync::mpmc::utils", Fold::Private),
    ("std::sync::mpmc::waker", Fold::Private),
    ("std::sync::mpmc::zero", Fold::Private),
    ("std::sync::mpmc", Fold::Into("std::sync::mpsc")),
    // std::io
    ("std::io::stdio", Fold::Into("std::io")),
    ("std::io::buffered::bufreader", Fold::Into("std::io")),
    ("std::io::buffered::bufwriter", Fold::Into("std::io")),
    ("std::io::buffered::linewriter", Fold::Into("std::io")),
    ("std::io::buffered::linewritershim", Fold::Private),
    ("std::io::buffered", Fold::Into("std::io")),
    ("std::io::copy", Fold::Into("std::io")),
    ("std::io::cursor", Fold::Into("std::io")),
    ("std::io::error", Fold::Into("std::io")),
    ("std::io::impls", Fold::Into("std::io")),
    ("std::io::pipe", Fold::Into("std::io")),
    ("std::io::util", Fold::Into("std::io")),
    // std::net and std::os
    ("std::net::tcp", Fold::Into("std::net")),
    ("std::net::udp", Fold::Into("std::net")),
    ("std::net::socket_addr", Fold::Into("std::net")),
    ("std::net::ip_addr", Fold::Into("std::net")),
    ("std::os::unix::net::addr", Fold::Into("std::os::unix::net")),
    (
        "std::os::unix::net::ancillary",
        Fold::Into("std::os::unix::net"),
    ),
    (
        "std::os::unix::net::datagram",
        Fold::Into("std::os::unix::net"),
    ),
    (
        "std::os::unix::net::listener",
        Fold::Into("std::os::unix::net"),
    ),
    (
        "std::os::unix::net::stream",
        Fold::Into("std::os::unix::net"),
    ),
    ("std::os::fd::owned", Fold::Into("std::os::fd")),
    ("std::os::fd::raw", Fold::Into("std::os::fd")),
    // The platform layer: no item of it is public.
    ("std::sys", Fold::Private),
    ("std::sys_common", Fold::Private),
];

/// `name` (a demangled frame) with every std path in it written as users
/// write it; `None` when it names a private item of std, which has no
/// public path (`std::sys::…`): the caller shows the nearest public frame.
/// Names outside std come back as they are.
pub fn public_path(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = next_std_path(rest) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match private_module(rest) {
            Some((module, Fold::Into(public))) => {
                out.push_str(public);
                rest = &rest[module.len()..];
            }
            Some((_, Fold::Private)) => return None,
            None => {
                out.push_str("std::");
                rest = &rest["std::".len()..];
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

/// True when `name` names an item of std that has no public path.
pub fn is_private(name: &str) -> bool {
    public_path(name).is_none()
}

/// Where the next path that starts at `std::` begins in `text`: at its
/// start, or after a character that cannot be part of a path.
fn next_std_path(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find("std::").map(|i| i + from) {
        let before = text[..i].chars().next_back();
        if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':')) {
            return Some(i);
        }
        from = i + "std::".len();
    }
    None
}

/// The longest module of [`PRIVATE_MODULES`] that the path at the start of
/// `path` is inside (the module followed by `::`).
fn private_module(path: &str) -> Option<(&'static str, Fold)> {
    PRIVATE_MODULES
        .iter()
        .filter(|(module, _)| {
            path.strip_prefix(module)
                .is_some_and(|after| after.starts_with("::"))
        })
        .max_by_key(|(module, _)| module.len())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(name: &str) -> String {
        public_path(name).unwrap_or_else(|| panic!("{name} has no public path"))
    }

    #[test]
    fn every_entry_of_the_table_folds_its_items() {
        for &(module, fold) in PRIVATE_MODULES {
            let item = format!("{module}::Item::f");
            let qualified = format!("<{module}::Item as std::io::Read>::read");
            match fold {
                Fold::Into(parent) => {
                    assert_eq!(public(&item), format!("{parent}::Item::f"), "{module}");
                    assert_eq!(
                        public(&qualified),
                        format!("<{parent}::Item as std::io::Read>::read"),
                        "{module}"
                    );
                }
                Fold::Private => {
                    assert_eq!(public_path(&item), None, "{module}");
                    assert!(is_private(&qualified), "{module}");
                }
            }
        }
    }

    #[test]
    fn the_names_users_complained_of_read_as_they_write_them() {
        let cases = [
            ("std::thread::functions::sleep", "std::thread::sleep"),
            (
                "std::sync::poison::condvar::Condvar::wait_timeout_while",
                "std::sync::Condvar::wait_timeout_while",
            ),
            (
                "std::sync::poison::mutex::Mutex<T>::lock",
                "std::sync::Mutex<T>::lock",
            ),
            (
                "<std::io::stdio::Stdout as std::io::Write>::write",
                "<std::io::Stdout as std::io::Write>::write",
            ),
            (
                "std::net::tcp::TcpStream::connect",
                "std::net::TcpStream::connect",
            ),
            (
                "<std::net::tcp::TcpListener>::accept",
                "<std::net::TcpListener>::accept",
            ),
            (
                "std::sync::mpmc::Receiver<T>::recv",
                "std::sync::mpsc::Receiver<T>::recv",
            ),
            (
                "std::sync::mpsc::Receiver<T>::recv",
                "std::sync::mpsc::Receiver<T>::recv",
            ),
            (
                "std::thread::join_handle::JoinHandle<T>::join",
                "std::thread::JoinHandle<T>::join",
            ),
            ("std::thread::current::current", "std::thread::current"),
            (
                "<std::sync::barrier::Barrier>::wait",
                "<std::sync::Barrier>::wait",
            ),
            (
                "<(&str, u16) as std::net::socket_addr::ToSocketAddrs>::to_socket_addrs",
                "<(&str, u16) as std::net::ToSocketAddrs>::to_socket_addrs",
            ),
        ];
        for (demangled, written) in cases {
            assert_eq!(public(demangled), written);
        }
    }

    #[test]
    fn public_modules_and_other_crates_are_kept() {
        for name in [
            "std::fs::read",
            "std::fs::read::inner",
            "std::fs::File::open",
            "<std::process::Command>::status",
            "std::process::Child::wait",
            "std::env::var",
            "std::io::Read::read_exact",
            "core::ops::function::FnOnce::call_once",
            "parking_lot::condvar::Condvar::wait_until",
            "mystd::sys::thing",
            "my::std::sys::thing",
            "nanosleep",
        ] {
            assert_eq!(public(name), name);
        }
    }

    #[test]
    fn a_module_folds_only_at_a_whole_segment() {
        // `std::io::copy` the function is not inside `std::io::copy::`.
        assert_eq!(public("std::io::copy"), "std::io::copy");
        assert_eq!(public("std::io::copy::copy"), "std::io::copy");
        assert_eq!(public("std::system::x"), "std::system::x");
        assert_eq!(public("std::sync::oncelock::x"), "std::sync::oncelock::x");
    }

    #[test]
    fn every_path_in_a_name_is_folded() {
        assert_eq!(
            public(
                "<std::sync::once_lock::OnceLock<std::sync::poison::mutex::Mutex<std::io::buffered::bufreader::BufReader<std::io::stdio::StdinRaw>>>>::initialize"
            ),
            "<std::sync::OnceLock<std::sync::Mutex<std::io::BufReader<std::io::StdinRaw>>>>::initialize"
        );
        assert_eq!(
            public("<&std::io::stdio::Stdout as std::io::Write>::flush"),
            "<&std::io::Stdout as std::io::Write>::flush"
        );
    }

    #[test]
    fn std_sys_is_private_anywhere_in_a_name() {
        for name in [
            "std::sys::pal::unix::thread::Thread::sleep",
            "<std::sys::net::connection::socket::TcpStream>::connect::inner",
            "<std::sys::sync::mutex::futex::Mutex>::lock_contended",
            "std::sync::mpmc::list::Channel<T>::recv",
            "std::sys_common::net::TcpStream::connect",
        ] {
            assert!(is_private(name), "{name}");
        }
    }
}
