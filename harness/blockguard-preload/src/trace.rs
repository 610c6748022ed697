//! The trace file (DESIGN §3): JSON Lines, each line written with one
//! `write` to an `O_APPEND` descriptor the moment it is known, so a hung or
//! crashed test keeps everything up to its last call.
//!
//! # Safety
//! Writes go through the real `write` on a descriptor this module owns.
#![allow(unsafe_code)]

use crate::real::Real;
use blockguard_protocol::{Capabilities, Lifecycle, TraceEvent, TraceLine};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};

static WRITE: Real = Real::new(c"write");
static FD: AtomicI32 = AtomicI32::new(-1);

/// Opens (appending) the trace file. Returns true when the file was empty,
/// that is, when this process is the first to write it and owes it the
/// capabilities line (children that inherit the preload append events only).
pub fn open(path: &Path) -> Result<bool, String> {
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| "trace path has a NUL byte".to_owned())?;
    // SAFETY: c is a valid path; the descriptor is owned by this module.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT | libc::O_CLOEXEC,
            0o644,
        )
    };
    if fd < 0 {
        return Err(format!(
            "cannot open the trace file {}: {}",
            path.display(),
            std::io::Error::last_os_error()
        ));
    }
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fd is open and st is a valid buffer.
    let empty = unsafe { libc::fstat(fd, &mut st) } == 0 && st.st_size == 0;
    FD.store(fd, Ordering::Relaxed);
    Ok(empty)
}

fn write_all(fd: i32, mut bytes: &[u8]) {
    type WriteFn = unsafe extern "C" fn(i32, *const libc::c_void, usize) -> isize;
    // SAFETY: WRITE is libc's write.
    let write = unsafe { std::mem::transmute::<usize, WriteFn>(WRITE.get()) };
    while !bytes.is_empty() {
        // SAFETY: bytes is a live slice.
        let n = unsafe { write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n <= 0 {
            if n < 0 && crate::errno::get() == libc::EINTR {
                continue;
            }
            return;
        }
        bytes = &bytes[n as usize..];
    }
}

fn write_line(line: &TraceLine) {
    let fd = FD.load(Ordering::Relaxed);
    if fd < 0 {
        return;
    }
    if let Ok(mut text) = serde_json::to_vec(line) {
        text.push(b'\n');
        write_all(fd, &text);
    }
}

/// Writes the capabilities line.
pub fn capabilities(capabilities: Capabilities) {
    write_line(&TraceLine::Capabilities { capabilities });
}

/// Writes one event.
pub fn event(event: TraceEvent) {
    write_line(&TraceLine::Event(event));
}

/// Writes a lifecycle marker.
pub fn lifecycle(lifecycle: Lifecycle) {
    write_line(&TraceLine::Lifecycle { lifecycle });
}

/// Writes a message to stderr without going through std's locks.
pub fn write_stderr(bytes: &[u8]) {
    write_all(2, bytes);
}
