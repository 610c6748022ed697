//! Every hook, as the table the `hook!` macro builds lists them: their real
//! functions resolved up front, and a hook found by name.

use super::macros::{Entry, HOOKS};
use super::sync;

fn entries() -> impl Iterator<Item = &'static Entry> {
    HOOKS.iter()
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
