//! Capturing return addresses without allocating.

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

/// Fills `out` with the return addresses of the current stack, innermost
/// first, stopping at the edge of the stack `[lo, hi)` (the microthread's),
/// and returns how many were written.
#[inline(always)]
pub fn capture(out: &mut [usize; MAX_FRAMES], (lo, hi): (usize, usize)) -> usize {
    let mut n = 0;
    let entry = TEST_ENTRY.load(Ordering::Relaxed);
    // SAFETY: trace_unsynchronized requires that no other thread unwinds
    // through backtrace's own global state at once; the libgcc unwinder it
    // uses here is thread-safe, and the callback does not allocate.
    #[allow(unsafe_code)]
    unsafe {
        backtrace::trace_unsynchronized(|frame| {
            let sp = frame.sp() as usize;
            if hi != 0 && (sp < lo || sp > hi) {
                return false;
            }
            let ip = frame.ip() as usize;
            out[n] = ip;
            n += 1;
            n < MAX_FRAMES && ip != entry
        });
    }
    n
}
