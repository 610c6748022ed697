//! The tally (`blockguard_protocol::tally`): every judged call adds one
//! to its event's count and the time it spent in the call, in a shared
//! mapping the runner reads while the test runs.
//!
//! That is two clock reads (the vDSO, no syscall) and two relaxed atomic
//! adds per call; nothing is written out, the mapping is the file.
//!
//! # Safety
//! The mapping is made once at load and never unmapped (a forked child
//! swaps it for private memory at the same address), so every counter's
//! address stays valid for the life of the process. Counters are only
//! touched through atomics.
#![allow(unsafe_code)]

use blockguard_protocol::tally::{self, CAPACITY, LEN, MAGIC};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::time::Instant;

/// The mapping, or null when this process keeps no tally.
static MAP: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());

/// Creates and maps the tally file beside the trace at `trace`. A failure
/// only means the live figures are missing.
pub fn create(trace: &Path) {
    let Ok(path) = CString::new(tally::path(trace).as_os_str().as_bytes()) else {
        return;
    };
    let flags = libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC;
    // SAFETY: a NUL-terminated path; the descriptor is closed below, the
    // mapping outlives it.
    unsafe {
        let fd = libc::open(path.as_ptr(), flags, 0o644);
        if fd < 0 {
            return;
        }
        let map = if libc::ftruncate(fd, LEN as libc::off_t) == 0 {
            libc::mmap(
                std::ptr::null_mut(),
                LEN,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd,
                0,
            )
        } else {
            libc::MAP_FAILED
        };
        libc::close(fd);
        if map == libc::MAP_FAILED {
            return;
        }
        let map = map.cast::<u8>();
        map.cast::<u32>().write(MAGIC);
        map.add(4).cast::<u32>().write(CAPACITY as u32);
        MAP.store(map, Ordering::Release);
        libc::pthread_atfork(None, None, Some(forked));
    }
}

/// A forked child is not the test's process: its counters become private
/// memory, so nothing it does shows in the parent's file.
extern "C" fn forked() {
    let map = MAP.load(Ordering::Acquire);
    if map.is_null() {
        return;
    }
    // SAFETY: replaces exactly this process's own mapping, at its address.
    unsafe {
        libc::mmap(
            map.cast(),
            LEN,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
            -1,
            0,
        );
    }
}

/// The counters of event `seq`, if they are kept.
fn counters(seq: u64) -> Option<(&'static AtomicU64, &'static AtomicU64)> {
    let map = MAP.load(Ordering::Relaxed);
    if map.is_null() {
        return None;
    }
    let at = tally::offset(seq)?;
    // SAFETY: `offset` keeps `at + 16` inside the mapping, 8-byte aligned
    // (page-aligned mapping, HEADER and ENTRY multiples of 8); see the
    // module note for its lifetime.
    unsafe {
        let calls = &*map.add(at).cast::<AtomicU64>();
        let nanos = &*map.add(at + 8).cast::<AtomicU64>();
        Some((calls, nanos))
    }
}

/// Adds one call of event `seq` that took `nanos`.
#[inline]
pub fn add(seq: u64, nanos: u64) {
    if let Some((calls, blocked)) = counters(seq) {
        calls.fetch_add(1, Ordering::Relaxed);
        blocked.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// A judged call being timed; dropping it adds the call to the tally.
#[must_use]
pub struct Timed {
    seq: u64,
    start: Option<Instant>,
}

impl Timed {
    /// Nothing timed.
    pub const NONE: Timed = Timed {
        seq: 0,
        start: None,
    };
}

/// Starts timing a call of event `seq` (nothing for 0: not judged, or a
/// process that keeps no tally).
#[inline]
pub fn start(seq: u64) -> Timed {
    if seq == 0 || MAP.load(Ordering::Relaxed).is_null() {
        return Timed::NONE;
    }
    Timed {
        seq,
        start: Some(Instant::now()),
    }
}

impl Drop for Timed {
    #[inline]
    fn drop(&mut self) {
        if let Some(start) = self.start {
            let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
            add(self.seq, nanos);
        }
    }
}
