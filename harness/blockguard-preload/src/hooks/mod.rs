//! The interposed libc entry points, by class (DESIGN §3's table).
//!
//! # Safety
//! Every exported function here has the exact C signature of the glibc
//! function it replaces and forwards its arguments unchanged to that
//! function, resolved with `dlsym(RTLD_NEXT)`.
#![allow(unsafe_code)]

mod macros;
mod support;

pub mod disposition;
pub mod dl;
pub mod dns;
pub mod fds;
pub mod fs;
pub mod io;
pub mod poll;
pub mod process;
pub mod raw;
pub mod signal;
pub mod sleep;
pub mod sync;
pub mod thread;

fn entries() -> impl Iterator<Item = &'static macros::Entry> {
    macros::HOOKS.iter()
}

/// Resolves every real function now, so no hook resolves lazily later.
pub fn resolve_all() {
    for entry in entries() {
        entry.real.try_addr();
    }
    sync::resolve();
}

/// The guarded stand-in for `name` when `addr` is its real libc function.
pub fn stand_in(name: &[u8], addr: usize) -> Option<usize> {
    entries()
        .find(|e| e.name.as_bytes() == name && e.real.try_addr() == Some(addr))
        .map(|e| (e.escaped)())
}

/// The exported hook's address for `name`, for the load-time self-test.
pub fn hook_address(name: &[u8]) -> Option<usize> {
    entries()
        .find(|e| e.name.as_bytes() == name)
        .map(|e| (e.hook)())
}
