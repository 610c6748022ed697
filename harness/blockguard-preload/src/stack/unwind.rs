//! Capturing return addresses without allocating.

/// Frames kept per call; deeper stacks are cut (the site is near the top).
pub const MAX_FRAMES: usize = 48;

/// Fills `out` with the return addresses of the current stack, innermost
/// first, stopping at the edge of the stack `[lo, hi)` (the microthread's),
/// and returns how many were written.
pub fn capture(out: &mut [usize; MAX_FRAMES], (lo, hi): (usize, usize)) -> usize {
    let mut n = 0;
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
            out[n] = frame.ip() as usize;
            n += 1;
            n < MAX_FRAMES
        });
    }
    n
}
