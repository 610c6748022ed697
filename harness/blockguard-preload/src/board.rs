//! The microthread board (`blockguard_protocol::board`): each
//! microthread's slot says what it is doing, in a shared mapping the
//! runner reads while the test runs. The scheduler writes a slot only when
//! a microthread starts or stops waiting, never on a yield.
//!
//! # Safety
//! The mapping lives as long as the process (`shared_map`), so a slot's
//! address stays valid. Every word is written through
//! an atomic, so two writers of one slot (a wrapped-around index) cannot
//! tear memory, only mix a slot, which its version then marks.
#![allow(unsafe_code)]

use crate::shared_map::SharedMap;
use blockguard_protocol::board::{
    self, LEN, MAGIC, MicroState, NAME_AT, SLOT, SLOTS, TEXT, WHAT_AT,
};
use std::path::Path;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};

// Both text fields fit in a slot.
const _: () = assert!(SLOT >= WHAT_AT + TEXT);

/// The mapping, unmade when this process keeps no board.
static MAP: SharedMap = SharedMap::new(LEN);

/// Creates and maps the board beside the trace at `trace`.
pub fn create(trace: &Path) {
    MAP.create(&board::path(trace), MAGIC, SLOTS as u32);
}

/// A slot for a new microthread (they are taken in turn).
pub fn take_slot() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed) % SLOTS
}

/// Now, in `CLOCK_MONOTONIC` nanoseconds (the runner reads the same clock).
pub fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to fill; CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64).saturating_mul(1_000_000_000) + ts.tv_nsec as u64
}

/// What one microthread is doing now.
pub struct Entry<'a> {
    pub id: u64,
    pub state: MicroState,
    pub arg: u64,
    pub name: &'a str,
    pub what: &'a str,
}

/// Writes `entry` into slot `index`.
pub fn write(index: usize, entry: &Entry<'_>) {
    let map = MAP.get();
    if map.is_null() {
        return;
    }
    // SAFETY: `offset` keeps the slot inside the mapping; see the module
    // note for its lifetime.
    let slot = unsafe { map.add(board::offset(index)) };
    let version = word32(slot, 0);
    version.fetch_add(1, Ordering::AcqRel);
    word32(slot, 4).store(entry.state.code(), Ordering::Relaxed);
    word64(slot, 8).store(entry.id, Ordering::Relaxed);
    word64(slot, 16).store(entry.arg, Ordering::Relaxed);
    word64(slot, 24).store(now_ns(), Ordering::Relaxed);
    for (at, text) in [(NAME_AT, entry.name), (WHAT_AT, entry.what)] {
        let mut field = [0u8; TEXT];
        board::put_text(&mut field, text);
        for (i, chunk) in field.chunks_exact(8).enumerate() {
            let value = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            word64(slot, at + 8 * i).store(value, Ordering::Relaxed);
        }
    }
    version.fetch_add(1, Ordering::Release);
}

/// The 4-byte word at `at` in a slot (`at` a multiple of 4 below SLOT).
fn word32(slot: *mut u8, at: usize) -> &'static AtomicU32 {
    debug_assert!(at.is_multiple_of(4) && at + 4 <= SLOT);
    // SAFETY: a slot of the mapping, which lives as long as the process,
    // is 8-byte aligned (page-aligned mapping, HEADER and SLOT multiples
    // of 8) and every caller passes an aligned offset inside it.
    unsafe { &*slot.add(at).cast::<AtomicU32>() }
}

/// The 8-byte word at `at` in a slot (`at` a multiple of 8 below SLOT).
fn word64(slot: *mut u8, at: usize) -> &'static AtomicU64 {
    debug_assert!(at.is_multiple_of(8) && at + 8 <= SLOT);
    // SAFETY: as in `word32`.
    unsafe { &*slot.add(at).cast::<AtomicU64>() }
}
