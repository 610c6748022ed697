//! The in-flight slots (`blockguard_protocol::inflight`): which guarded
//! call each thread is in right now, in a file the runner reads when the
//! test times out.
//!
//! Only the test's own process maps the file. A thread that makes judged
//! calls (the test's thread, farm workers) is bound to one slot; around
//! each call [`enter`] stores the call's event `seq` there and the guard it
//! returns puts the previous value back (a hook reached from inside a
//! judged call nests). That is a thread-local read and two stores.
//!
//! # Safety
//! The mapping lives as long as the process (`shared_map`), so a slot
//! pointer stays valid. Each slot is written only by the thread bound to
//! it.
#![allow(unsafe_code)]

use crate::shared_map::SharedMap;
use crate::tally::{self, Timed};
use blockguard_protocol::inflight::{self, HEADER, LEN, MAGIC, SLOTS};
use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The mapping, unmade when this process keeps no slots.
static MAP: SharedMap = SharedMap::new(LEN);

thread_local! {
    /// This thread's slot, or null.
    static SLOT: Cell<*const AtomicU64> = const { Cell::new(std::ptr::null()) };
}

/// Creates and maps the in-flight file beside the trace at `trace`. A
/// failure only means timeouts name calls the old way.
pub fn create(trace: &Path) {
    MAP.create(&inflight::path(trace), MAGIC, SLOTS as u32);
}

/// Binds the calling thread to slot `index` (0: the test's thread).
pub fn bind(index: usize) {
    let map = MAP.get();
    if map.is_null() || index >= SLOTS {
        return;
    }
    // SAFETY: slot `index` lies inside the mapping, 8-byte aligned (the
    // mapping is page-aligned and HEADER is 8).
    let slot = unsafe { map.add(HEADER + 8 * index) }.cast::<AtomicU64>();
    SLOT.with(|s| s.set(slot));
}

/// Binds the calling thread to the next free slot from the top (executor
/// worker threads; the low slots are the test's thread and farm workers').
pub fn bind_next() {
    static NEXT_FROM_TOP: AtomicUsize = AtomicUsize::new(1);
    let taken = NEXT_FROM_TOP.fetch_add(1, Ordering::Relaxed);
    if let Some(index) = SLOTS.checked_sub(taken) {
        bind(index);
    }
}

/// A call in flight on this thread; dropping it ends the call, and adds
/// it to the tally.
#[must_use]
pub struct InFlight {
    slot: *const AtomicU64,
    prev: u64,
    _timed: Timed,
}

impl InFlight {
    /// Nothing recorded.
    pub const NONE: InFlight = InFlight {
        slot: std::ptr::null(),
        prev: 0,
        _timed: Timed::NONE,
    };
}

/// Marks the call whose event line is `seq` as in flight on this thread
/// (no slot for 0, or on a thread without one) and times it.
#[inline(always)]
pub fn enter(seq: u64) -> InFlight {
    let mut in_flight = mark(seq);
    in_flight._timed = tally::start(seq);
    in_flight
}

/// Marks the call as in flight without timing it: a farm worker's run of
/// a call that its microthread times, waiting.
#[inline(always)]
pub fn mark(seq: u64) -> InFlight {
    let slot = SLOT.with(Cell::get);
    if slot.is_null() || seq == 0 {
        return InFlight::NONE;
    }
    // SAFETY: see the module note: the slot is live and this thread's own.
    let slot_ref = unsafe { &*slot };
    let prev = slot_ref.load(Ordering::Relaxed);
    slot_ref.store(seq, Ordering::Release);
    InFlight {
        slot,
        prev,
        _timed: Timed::NONE,
    }
}

impl Drop for InFlight {
    #[inline(always)]
    fn drop(&mut self) {
        if !self.slot.is_null() {
            // SAFETY: as in `enter`.
            unsafe { &*self.slot }.store(self.prev, Ordering::Release);
        }
    }
}
