//! The tally (`blockguard_protocol::tally`): every judged call adds one
//! to its event's count and the time it spent in the call, in a shared
//! mapping the runner reads while the test runs.
//!
//! That is two clock reads (the vDSO, no syscall) and two relaxed atomic
//! adds per call; nothing is written out, the mapping is the file.
//!
//! # Safety
//! The mapping lives as long as the process (`shared_map`), so every
//! counter's address stays valid. Counters are only touched through
//! atomics.
#![allow(unsafe_code)]

use crate::shared_map::SharedMap;
use blockguard_protocol::tally::{self, CAPACITY, LEN, MAGIC};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The mapping, unmade when this process keeps no tally.
static MAP: SharedMap = SharedMap::new(LEN);

/// Creates and maps the tally file beside the trace at `trace`.
pub fn create(trace: &Path) {
    MAP.create(&tally::path(trace), MAGIC, CAPACITY as u32);
}

/// The counters of event `seq`, if they are kept.
fn counters(seq: u64) -> Option<(&'static AtomicU64, &'static AtomicU64)> {
    let map = MAP.get();
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
    if seq == 0 || MAP.get().is_null() {
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
