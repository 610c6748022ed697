//! The tally file: how often each event's call was made, and how long
//! those calls took, while the test runs.
//!
//! The trace holds each distinct event once. The test's process also maps
//! a file beside it, [`path`], and adds to it on every judged call: one
//! pair of counters per event line, indexed by the line's `seq`. The file
//! is shared memory, so the runner reads live figures at any time and the
//! last figures when the process has ended, with nothing to flush.
//!
//! Layout, little-endian: [`MAGIC`] (u32), the capacity in events (u32),
//! then per event, from `seq` 1, two u64: the calls made, and the
//! nanoseconds they spent in the call (0 for a call deny mode stopped).
//! Events past the capacity are not tallied.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The first four bytes: `BGTL`.
pub const MAGIC: u32 = u32::from_le_bytes(*b"BGTL");
/// Events tallied per process.
pub const CAPACITY: usize = 4096;
/// Bytes before the first pair of counters.
pub const HEADER: usize = 8;
/// Bytes per event.
pub const ENTRY: usize = 16;
/// The file's size.
pub const LEN: usize = HEADER + ENTRY * CAPACITY;

/// The figures of one event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Calls made.
    pub calls: u64,
    /// Nanoseconds spent in them.
    pub blocked_ns: u64,
}

/// The tally file of the trace at `trace`: its path plus `.tally`.
pub fn path(trace: &Path) -> PathBuf {
    let mut p = OsString::from(trace.as_os_str());
    p.push(".tally");
    PathBuf::from(p)
}

/// The file's bytes for figures by `seq` (what the runtime's mapping
/// holds; for tests).
pub fn encode(figures: &BTreeMap<u64, Figures>) -> Vec<u8> {
    let mut bytes = vec![0u8; LEN];
    bytes[..4].copy_from_slice(&MAGIC.to_le_bytes());
    bytes[4..8].copy_from_slice(&(CAPACITY as u32).to_le_bytes());
    for (&seq, f) in figures {
        let Some(at) = offset(seq) else { continue };
        bytes[at..at + 8].copy_from_slice(&f.calls.to_le_bytes());
        bytes[at + 8..at + 16].copy_from_slice(&f.blocked_ns.to_le_bytes());
    }
    bytes
}

/// Where the counters of `seq` start, if it is tallied.
pub fn offset(seq: u64) -> Option<usize> {
    let index = usize::try_from(seq.checked_sub(1)?).ok()?;
    (index < CAPACITY).then(|| HEADER + ENTRY * index)
}

/// The figures of every event with a call, by `seq`; `None` when the bytes
/// are not a tally file.
pub fn decode(bytes: &[u8]) -> Option<BTreeMap<u64, Figures>> {
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    if word(0)? != MAGIC {
        return None;
    }
    let capacity = word(4)? as usize;
    let body = bytes.get(HEADER..HEADER.checked_add(capacity.checked_mul(ENTRY)?)?)?;
    let mut figures = BTreeMap::new();
    for (index, entry) in body.chunks_exact(ENTRY).enumerate() {
        let calls = u64::from_le_bytes(entry[..8].try_into().ok()?);
        if calls == 0 {
            continue;
        }
        let blocked_ns = u64::from_le_bytes(entry[8..].try_into().ok()?);
        figures.insert(index as u64 + 1, Figures { calls, blocked_ns });
    }
    Some(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_round_trip_by_seq_and_silent_events_are_left_out() {
        let mut figures = BTreeMap::new();
        figures.insert(
            1,
            Figures {
                calls: 3,
                blocked_ns: 1_500,
            },
        );
        figures.insert(
            7,
            Figures {
                calls: 1,
                blocked_ns: 0,
            },
        );
        figures.insert(
            CAPACITY as u64,
            Figures {
                calls: 2,
                blocked_ns: 9,
            },
        );
        let bytes = encode(&figures);
        assert_eq!(bytes.len(), LEN);
        assert_eq!(decode(&bytes), Some(figures));
    }

    #[test]
    fn seqs_outside_the_table_have_no_place() {
        assert_eq!(offset(0), None);
        assert_eq!(offset(1), Some(HEADER));
        assert_eq!(offset(CAPACITY as u64 + 1), None);
    }

    #[test]
    fn a_foreign_or_short_file_decodes_to_none() {
        assert_eq!(decode(b"BGIF\0\0\0\0"), None);
        assert_eq!(decode(&encode(&BTreeMap::new())[..100]), None);
        assert_eq!(decode(&[]), None);
    }
}
