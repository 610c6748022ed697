//! The microthread board: what each microthread of the test's process is
//! doing, for the live dashboard.
//!
//! The test's process maps a file beside the trace, [`path`]. The
//! scheduler writes a microthread's slot when it is created, when it
//! starts to wait (a sleep, a park, a join, a farmed call) and when it is
//! woken or ends; a yield writes nothing. Each slot is a seqlock: its
//! version is odd while it is written, so a reader skips a torn slot.
//!
//! Layout, little-endian: [`MAGIC`] (u32), the slot count (u32), then
//! [`SLOT`]-byte slots: version (u32), state (u32, [`MicroState`]), the
//! microthread's id (u64), an argument (u64: a sleep's deadline in
//! `CLOCK_MONOTONIC` nanoseconds, the id joined, or a farmed call's event
//! `seq`), since when (u64, `CLOCK_MONOTONIC` nanoseconds), the name
//! ([`TEXT`] bytes) and what it waits in (`TEXT` bytes), NUL-padded.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The first four bytes: `BGMB`.
pub const MAGIC: u32 = u32::from_le_bytes(*b"BGMB");
/// Slots in the file; microthreads take them in turn.
pub const SLOTS: usize = 1024;
/// Bytes before the first slot.
pub const HEADER: usize = 8;
/// Bytes per slot.
pub const SLOT: usize = 128;
/// Bytes of each text field.
pub const TEXT: usize = 48;
/// Where the name starts in a slot, and what it waits in.
pub const NAME_AT: usize = 32;
/// Where the wait's text starts in a slot.
pub const WHAT_AT: usize = NAME_AT + TEXT;
/// The file's size.
pub const LEN: usize = HEADER + SLOT * SLOTS;

/// What a microthread is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MicroState {
    /// Running, or ready to run.
    Ready,
    /// Asleep until its deadline.
    Sleeping,
    /// Parked (a channel, a lock of the API): the text says where.
    Parked,
    /// Waiting for another microthread to end.
    Joining,
    /// Waiting for a farm worker to finish its call.
    Farmed,
    /// Returned.
    Ended,
}

impl MicroState {
    /// Its number in a slot (0 is an empty slot).
    pub fn code(self) -> u32 {
        match self {
            MicroState::Ready => 1,
            MicroState::Sleeping => 2,
            MicroState::Parked => 3,
            MicroState::Joining => 4,
            MicroState::Farmed => 5,
            MicroState::Ended => 6,
        }
    }

    fn from_code(code: u32) -> Option<MicroState> {
        Some(match code {
            1 => MicroState::Ready,
            2 => MicroState::Sleeping,
            3 => MicroState::Parked,
            4 => MicroState::Joining,
            5 => MicroState::Farmed,
            6 => MicroState::Ended,
            _ => return None,
        })
    }
}

/// One microthread as its slot says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MicroSlot {
    /// Its id (0: the test's body).
    pub id: u64,
    /// What it is doing.
    pub state: MicroState,
    /// The sleep's deadline, the id joined, or the farmed call's `seq`.
    pub arg: u64,
    /// Since when, in `CLOCK_MONOTONIC` nanoseconds.
    pub since_ns: u64,
    /// Its name.
    pub name: String,
    /// Where it is parked.
    pub what: String,
}

/// The board of the trace at `trace`: its path plus `.board`.
pub fn path(trace: &Path) -> PathBuf {
    let mut p = OsString::from(trace.as_os_str());
    p.push(".board");
    PathBuf::from(p)
}

/// Where slot `index` starts.
pub fn offset(index: usize) -> usize {
    HEADER + SLOT * (index % SLOTS)
}

/// Writes `slot` into a board's bytes at `index` (what the runtime's
/// mapping holds; for tests).
pub fn encode_into(bytes: &mut [u8], index: usize, slot: &MicroSlot) {
    let at = offset(index);
    let s = &mut bytes[at..at + SLOT];
    s[..4].copy_from_slice(&2u32.to_le_bytes());
    s[4..8].copy_from_slice(&slot.state.code().to_le_bytes());
    s[8..16].copy_from_slice(&slot.id.to_le_bytes());
    s[16..24].copy_from_slice(&slot.arg.to_le_bytes());
    s[24..32].copy_from_slice(&slot.since_ns.to_le_bytes());
    put_text(&mut s[NAME_AT..NAME_AT + TEXT], &slot.name);
    put_text(&mut s[WHAT_AT..WHAT_AT + TEXT], &slot.what);
}

/// An empty board's bytes.
pub fn empty() -> Vec<u8> {
    let mut bytes = vec![0u8; LEN];
    bytes[..4].copy_from_slice(&MAGIC.to_le_bytes());
    bytes[4..8].copy_from_slice(&(SLOTS as u32).to_le_bytes());
    bytes
}

/// `text` cut to fit, at a character boundary, NUL-padded.
pub fn put_text(field: &mut [u8], text: &str) {
    let mut end = text.len().min(field.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    field.fill(0);
    field[..end].copy_from_slice(&text.as_bytes()[..end]);
}

/// Every microthread that has not ended, by id; `None` when the bytes are
/// not a board. Slots being written are skipped.
pub fn decode(bytes: &[u8]) -> Option<Vec<MicroSlot>> {
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    if word(0)? != MAGIC {
        return None;
    }
    let slots = word(4)? as usize;
    let body = bytes.get(HEADER..HEADER.checked_add(slots.checked_mul(SLOT)?)?)?;
    let mut micros: Vec<MicroSlot> = body
        .chunks_exact(SLOT)
        .filter_map(|s| {
            let version = u32::from_le_bytes(s[..4].try_into().ok()?);
            if version == 0 || version % 2 == 1 {
                return None;
            }
            let state = MicroState::from_code(u32::from_le_bytes(s[4..8].try_into().ok()?))?;
            let long = |at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or_default());
            let text = |at: usize| {
                let field = &s[at..at + TEXT];
                let end = field.iter().position(|&b| b == 0).unwrap_or(TEXT);
                String::from_utf8_lossy(&field[..end]).into_owned()
            };
            Some(MicroSlot {
                id: long(8),
                state,
                arg: long(16),
                since_ns: long(24),
                name: text(NAME_AT),
                what: text(WHAT_AT),
            })
        })
        .filter(|m| m.state != MicroState::Ended)
        .collect();
    micros.sort_by_key(|m| m.id);
    Some(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(id: u64, state: MicroState, name: &str, what: &str) -> MicroSlot {
        MicroSlot {
            id,
            state,
            arg: 7,
            since_ns: 9,
            name: name.to_owned(),
            what: what.to_owned(),
        }
    }

    #[test]
    fn slots_round_trip_by_id_and_ended_ones_are_left_out() {
        let mut bytes = empty();
        encode_into(
            &mut bytes,
            3,
            &slot(5, MicroState::Parked, "client-1", "channel recv"),
        );
        encode_into(&mut bytes, 0, &slot(0, MicroState::Joining, "main", ""));
        encode_into(&mut bytes, 9, &slot(6, MicroState::Ended, "gone", ""));
        let micros = decode(&bytes).unwrap();
        assert_eq!(
            micros,
            vec![
                slot(0, MicroState::Joining, "main", ""),
                slot(5, MicroState::Parked, "client-1", "channel recv")
            ]
        );
    }

    #[test]
    fn a_slot_being_written_is_skipped_and_long_names_are_cut_whole() {
        let mut bytes = empty();
        let long = "é".repeat(40);
        encode_into(&mut bytes, 1, &slot(1, MicroState::Ready, &long, ""));
        assert_eq!(decode(&bytes).unwrap()[0].name, "é".repeat(24));
        bytes[offset(1)..offset(1) + 4].copy_from_slice(&3u32.to_le_bytes());
        assert!(decode(&bytes).unwrap().is_empty());
        assert_eq!(decode(b"BGTL"), None);
    }
}
