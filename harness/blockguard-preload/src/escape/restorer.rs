//! Where the kernel's signal restorer is, so that stack frames inside it
//! are told apart: they belong to a signal handler, not to the code it
//! interrupted. Set once by the backstop at load; read by the symbolizer.

use std::sync::atomic::{AtomicUsize, Ordering};

static RESTORER: AtomicUsize = AtomicUsize::new(0);

/// Records the restorer's address.
pub fn set(addr: usize) {
    RESTORER.store(addr, Ordering::Relaxed);
}

/// True for a return address inside the signal restorer.
pub fn is_signal_return(ip: usize) -> bool {
    let r = RESTORER.load(Ordering::Relaxed);
    r != 0 && (r..r + 16).contains(&ip)
}
