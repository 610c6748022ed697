//! The trace's lines as this process writes them: the capabilities line
//! its owner owes, numbered events, lifecycle markers.
//!
//! # Safety
//! `pthread_atfork` is given a handler with the C ABI that never unwinds.
#![allow(unsafe_code)]

use super::error::TraceOpenError;
use super::file;
use crate::test_name;
use blockguard_protocol::trace::{NumberedEvent, TestLifecycle};
use blockguard_protocol::{Capabilities, Lifecycle, TraceEvent, TraceLine};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// This process owes the trace its capabilities line and numbers events.
static OWNER: AtomicBool = AtomicBool::new(false);
/// The next event line's `seq`.
static SEQ: AtomicU64 = AtomicU64::new(1);

/// Opens (appending) the trace file. Returns true when the file was empty,
/// that is, when this process is the first to write it and owes it the
/// capabilities line (children that inherit the preload append events only).
pub fn open(path: &Path) -> Result<bool, TraceOpenError> {
    let owner = file::open(path)?;
    OWNER.store(owner, Ordering::Relaxed);
    if owner {
        // SAFETY: disown is an extern "C" fn that cannot unwind.
        unsafe { libc::pthread_atfork(None, None, Some(disown)) };
    }
    Ok(owner)
}

/// Whether the trace at `path` was begun by another process (the test's
/// own, which wrote its capabilities line at load): this process is then
/// a program the test started.
pub fn begun(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > 0)
}

/// A forked child is not the test's process: its events go unnumbered.
extern "C" fn disown() {
    OWNER.store(false, Ordering::Relaxed);
}

/// Writes one line, serialized by the caller (only when there is a trace).
fn write_line(line: impl FnOnce() -> serde_json::Result<Vec<u8>>) {
    if file::current() < 0 {
        return;
    }
    if let Ok(mut text) = line() {
        text.push(b'\n');
        file::write(&text);
    }
}

/// Writes the capabilities line.
pub fn capabilities(capabilities: Capabilities) {
    write_line(|| serde_json::to_vec(&TraceLine::Capabilities { capabilities }));
}

/// Writes one event, with the stack it was first seen with (the test's
/// own process only); returns its `seq`, or 0 when this process does not
/// number its events.
pub fn event(event: &TraceEvent, stack: &[&str]) -> u64 {
    if !OWNER.load(Ordering::Relaxed) {
        write_line(|| serde_json::to_vec(event));
        return 0;
    }
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let test = test_name::current_of_many();
    write_line(|| {
        serde_json::to_vec(&NumberedEvent {
            event,
            seq,
            test,
            stack,
        })
    });
    seq
}

/// Writes a lifecycle marker of this thread's test.
pub fn lifecycle(lifecycle: Lifecycle) {
    match test_name::current_of_many() {
        Some(test) => write_line(|| {
            serde_json::to_vec(&TestLifecycle {
                lifecycle: &lifecycle,
                test,
            })
        }),
        None => write_line(|| serde_json::to_vec(&TraceLine::Lifecycle { lifecycle })),
    }
}

/// Writes a message to stderr without going through std's locks.
pub fn write_stderr(bytes: &[u8]) {
    file::write_to(2, bytes);
}
