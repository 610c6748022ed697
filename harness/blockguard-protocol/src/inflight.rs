//! The in-flight file: which guarded calls are running right now.
//!
//! The test's process (the one that wrote the trace's capabilities line)
//! maps a small file beside the trace, [`path`], holding [`SLOTS`]
//! per-thread slots. Before a guarded call runs, the runtime stores the
//! `seq` of that call's event line in its thread's slot; when the call
//! returns it clears the slot. So when a test times out, the runner reads
//! the file and knows which calls the test is stuck in, if any.
//!
//! Layout, little-endian: [`MAGIC`] (u32), the slot count (u32), then one
//! u64 per slot: 0 when the thread is in no guarded call, else the event's
//! `seq`. Slot 0 is the test's own thread; farm workers follow.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The first four bytes: `BGIF`.
pub const MAGIC: u32 = u32::from_le_bytes(*b"BGIF");
/// Slots in the file: the test's thread and up to 255 farm workers.
pub const SLOTS: usize = 256;
/// Bytes before the first slot.
pub const HEADER: usize = 8;
/// The file's size.
pub const LEN: usize = HEADER + 8 * SLOTS;

/// The in-flight file of the trace at `trace`: its path plus `.inflight`.
pub fn path(trace: &Path) -> PathBuf {
    let mut p = OsString::from(trace.as_os_str());
    p.push(".inflight");
    PathBuf::from(p)
}

/// The file's bytes for these slot values (what the runtime's mapping
/// holds; for tests).
pub fn encode(slots: &[u64]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER + 8 * slots.len());
    bytes.extend_from_slice(&MAGIC.to_le_bytes());
    bytes.extend_from_slice(&(slots.len() as u32).to_le_bytes());
    for s in slots {
        bytes.extend_from_slice(&s.to_le_bytes());
    }
    bytes
}

/// The events in flight, by `seq`, the test's thread first; `None` when
/// the bytes are not a whole in-flight file (none yet, or torn).
pub fn decode(bytes: &[u8]) -> Option<Vec<u64>> {
    let mut seqs: Vec<u64> = Vec::new();
    for (_, seq) in decode_slots(bytes)? {
        if !seqs.contains(&seq) {
            seqs.push(seq);
        }
    }
    Some(seqs)
}

/// Every slot with a call in flight, as (slot, `seq`), in slot order;
/// `None` when the bytes are not a whole in-flight file.
pub fn decode_slots(bytes: &[u8]) -> Option<Vec<(usize, u64)>> {
    let word = |at: usize| -> Option<[u8; 4]> { bytes.get(at..at + 4)?.try_into().ok() };
    if u32::from_le_bytes(word(0)?) != MAGIC {
        return None;
    }
    let slots = u32::from_le_bytes(word(4)?) as usize;
    let body = bytes.get(HEADER..HEADER.checked_add(slots.checked_mul(8)?)?)?;
    let mut busy = Vec::new();
    for (slot, chunk) in body.chunks_exact(8).enumerate() {
        let seq = u64::from_le_bytes(chunk.try_into().ok()?);
        if seq != 0 {
            busy.push((slot, seq));
        }
    }
    Some(busy)
}

/// Which thread a slot is: the test's own (where its microthreads run),
/// a farm worker (bound from slot 1 up), or a thread bound from the top
/// (an executor's worker, or a test's thread in a process of many).
pub fn slot_name(slot: usize) -> String {
    match slot {
        0 => "test thread".to_owned(),
        s if s <= SLOTS / 2 => format!("farm worker {}", s - 1),
        s => format!("thread {}", SLOTS - s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_round_trip_test_thread_first_without_empties() {
        let mut slots = vec![0u64; SLOTS];
        slots[0] = 7;
        slots[3] = 2;
        slots[9] = 7;
        let bytes = encode(&slots);
        assert_eq!(bytes.len(), LEN);
        assert_eq!(decode(&bytes), Some(vec![7, 2]));
        assert_eq!(decode_slots(&bytes), Some(vec![(0, 7), (3, 2), (9, 7)]));
        assert_eq!(slot_name(0), "test thread");
        assert_eq!(slot_name(3), "farm worker 2");
        assert_eq!(slot_name(SLOTS - 1), "thread 1");
        assert_eq!(decode(&encode(&[0; SLOTS])), Some(vec![]));
    }

    #[test]
    fn a_torn_or_foreign_file_decodes_to_none() {
        let bytes = encode(&[1, 2, 3]);
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(decode(&[]), None);
        assert_eq!(decode(b"not an in-flight file"), None);
    }

    #[test]
    fn the_path_is_the_traces_plus_inflight() {
        assert_eq!(
            path(Path::new("/t/3.jsonl")),
            PathBuf::from("/t/3.jsonl.inflight")
        );
    }
}
