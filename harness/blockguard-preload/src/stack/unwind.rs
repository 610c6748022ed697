//! Capturing the return addresses of the microthread's stack without
//! allocating.
//!
//! The first time a stack shape is seen, libgcc's unwinder walks it and,
//! for every return address, the distance from the stack pointer at that
//! point to the frame's canonical frame address (CFA) is remembered. Rust
//! frames keep a fixed size at each call site, so later walks over known
//! return addresses need only one load per frame: the return address just
//! below the CFA (see [`crate::arch`]), and `sp = cfa`. An address never seen, or a walk that leaves the microthread
//! stack, falls back to the full unwinder, which also checks and relearns.
//! A wrong remembered offset can only produce a chain that matches nothing
//! seen before, which sends the call down the slow, exact path.
//!
//! # Safety
//! The fast walk reads only machine words inside `[lo, hi)`: the
//! microthread's own mapped and writable stack, or the calling thread's
//! own stack as `pthread_getattr_np` reports it (an executor's worker).
#![allow(unsafe_code)]

use crate::arch::RETURN_ADDRESS_BELOW_CFA;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Frames kept per call; deeper stacks are cut (the site is near the top).
pub const MAX_FRAMES: usize = 48;

/// The return address in libtest's short-backtrace marker: every frame
/// beyond it is libtest and thread start-up, the same for every call of
/// the test, so unwinding stops there.
static TEST_ENTRY: AtomicUsize = AtomicUsize::new(0);

/// Remembers the test entry frame once it has been symbolized.
pub fn set_test_entry(ip: usize) {
    TEST_ENTRY.store(ip, Ordering::Relaxed);
}

/// True for a frame of a short-backtrace marker, libtest's or std's, with
/// or without its generic arguments
/// (`test::__rust_begin_short_backtrace::<R, fn() -> R>`).
pub fn is_test_entry(name: &str) -> bool {
    let path = name.split("::<").next().unwrap_or(name);
    path.ends_with("::__rust_begin_short_backtrace")
}

/// Return address → CFA minus the stack pointer at that address.
pub type Offsets = FxHashMap<usize, usize>;

pub use crate::arch::here;

/// Fills `out` with the return addresses outward from the frame where
/// `at` = [`here`] was taken, stopping at the edge of `[lo, hi)`, at the
/// test entry, or at [`MAX_FRAMES`]; returns how many were written.
/// `fast` allows the remembered-offset walk (not across signal frames).
#[inline(always)]
pub fn capture(
    out: &mut [usize; MAX_FRAMES],
    offsets: &mut Offsets,
    at: (usize, usize),
    bounds: (usize, usize),
    fast: bool,
) -> usize {
    if fast
        && bounds.1 != 0
        && let Some(n) = walk_known(out, offsets, at, bounds)
    {
        return n;
    }
    walk_and_learn(out, offsets, at, bounds)
}

fn walk_known(
    out: &mut [usize; MAX_FRAMES],
    offsets: &Offsets,
    (mut ip, mut sp): (usize, usize),
    (lo, hi): (usize, usize),
) -> Option<usize> {
    let entry = TEST_ENTRY.load(Ordering::Relaxed);
    let mut n = 0;
    while n < MAX_FRAMES {
        let offset = *offsets.get(&ip)?;
        if offset == OUTERMOST {
            break;
        }
        let cfa = sp.checked_add(offset)?;
        if out_of_bounds(cfa, (lo, hi)) {
            break;
        }
        // SAFETY: the return slot lies inside the walked stack (module note).
        let ret = unsafe { ((cfa - RETURN_ADDRESS_BELOW_CFA) as *const usize).read() };
        out[n] = ret;
        n += 1;
        if ret == entry {
            break;
        }
        (ip, sp) = (ret, cfa);
    }
    Some(n)
}

fn out_of_bounds(cfa: usize, (lo, hi): (usize, usize)) -> bool {
    hi != 0 && (cfa < lo + RETURN_ADDRESS_BELOW_CFA || cfa > hi)
}

/// The exact walk, by libgcc's unwinder. Each step reports a frame's CFA
/// and the return address stored just below it (into the frame's caller);
/// the output mirrors [`walk_known`], starting with the frame that holds `at`.
fn walk_and_learn(
    out: &mut [usize; MAX_FRAMES],
    offsets: &mut Offsets,
    (ip0, sp0): (usize, usize),
    bounds: (usize, usize),
) -> usize {
    let entry = TEST_ENTRY.load(Ordering::Relaxed);
    let mut n = 0;
    // The previous step's return address (a point in this frame) and CFA.
    let mut prev: Option<(usize, usize)> = None;
    // SAFETY: libgcc's unwinder is thread-safe, and the guard's state lock
    // (held by the caller) serialises the offsets map.
    unsafe {
        backtrace::trace_unsynchronized(|frame| {
            let (ret, cfa) = (frame.ip() as usize, frame.sp() as usize);
            let (at_ip, at_sp) = match prev {
                // Frames deeper than the capture point are the unwinder's.
                None if cfa <= sp0 => return true,
                None => (ip0, sp0),
                Some(p) => p,
            };
            offsets.insert(at_ip, cfa.wrapping_sub(at_sp));
            if out_of_bounds(cfa, bounds) {
                return false;
            }
            out[n] = ret;
            n += 1;
            prev = Some((ret, cfa));
            ret != entry && n < MAX_FRAMES
        });
    }
    // The unwinder ended at the thread's first frame: the fast walk may
    // stop there too instead of finding it unknown.
    if let Some((last, _)) = prev
        && n < MAX_FRAMES
        && last != entry
    {
        offsets.entry(last).or_insert(OUTERMOST);
    }
    n
}

/// The offset recorded for a thread's outermost frame, which has no caller.
const OUTERMOST: usize = usize::MAX;

thread_local! {
    /// This thread's own stack, once asked for.
    static THREAD_STACK: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
}

/// The calling thread's stack as `(lowest, highest)` address, for the fast
/// walk on threads other than the microthread's; `(0, 0)` if unknown.
pub fn thread_stack() -> (usize, usize) {
    let known = THREAD_STACK.with(std::cell::Cell::get);
    if known.1 != 0 {
        return known;
    }
    // SAFETY: attr is initialised by pthread_getattr_np before it is read
    // and destroyed after; the out-pointers are locals.
    let bounds = unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return (0, 0);
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let got = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        if got != 0 {
            return (0, 0);
        }
        (addr as usize, addr as usize + size)
    };
    THREAD_STACK.with(|c| c.set(bounds));
    bounds
}

#[cfg(test)]
mod tests {
    use super::is_test_entry;

    #[test]
    fn the_short_backtrace_markers_are_test_entries_generic_or_not() {
        assert!(is_test_entry(
            "test::__rust_begin_short_backtrace::<core::result::Result<(), alloc::string::String>, fn() -> core::result::Result<(), alloc::string::String>>"
        ));
        assert!(is_test_entry(
            "std::sys::backtrace::__rust_begin_short_backtrace::<test::run_test::{closure#1}, ()>"
        ));
        assert!(is_test_entry("test::__rust_begin_short_backtrace"));
        assert!(!is_test_entry(
            "mycrate::__rust_begin_short_backtrace_helper"
        ));
        assert!(!is_test_entry(
            "<fn() -> core::result::Result<(), alloc::string::String> as core::ops::function::FnOnce<()>>::call_once"
        ));
    }
}
