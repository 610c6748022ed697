//! The trace's descriptor, kept out of the test's way.
//!
//! It sits at a high number (`F_DUPFD_CLOEXEC` from [`BASE`]), so the
//! test's own files never land on it. The close and dup hooks
//! (`hooks::fds`) call [`move_off`] before a call of the test's would
//! close or replace it. And since a raw syscall can still take it, every
//! write first checks that the descriptor is still the trace file (same
//! device and inode); if not, the trace is reopened by path and the old
//! number, now the test's, is left alone.
//!
//! # Safety
//! libc is given plain descriptors, the NUL-terminated trace path and
//! valid buffers; the real functions are used, never the guard's hooks.
#![allow(unsafe_code)]

use super::error::TraceOpenError;
use crate::errno;
use crate::real::Real;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering::SeqCst};

// SAFETY: each type is glibc's prototype of the function named.
static OPEN: Real<OpenFn> = unsafe { Real::new(c"open") };
// SAFETY: as for OPEN.
static FCNTL: Real<FcntlFn> = unsafe { Real::new(c"fcntl") };
// SAFETY: as for OPEN.
static CLOSE: Real<CloseFn> = unsafe { Real::new(c"close") };
// SAFETY: as for OPEN.
static WRITE: Real<WriteFn> = unsafe { Real::new(c"write") };

/// The trace's descriptor, or -1.
static FD: AtomicI32 = AtomicI32::new(-1);
/// Its file, to tell it from whatever a test put on its number.
static DEV: AtomicU64 = AtomicU64::new(0);
static INO: AtomicU64 = AtomicU64::new(0);
static PATH: OnceLock<CString> = OnceLock::new();
/// The lowest number the trace moves to.
static BASE: AtomicI32 = AtomicI32::new(0);
/// Writes under way: a move waits for them before the old number goes.
static WRITERS: AtomicUsize = AtomicUsize::new(0);

/// Resolves the real functions now, so no hook resolves lazily later.
pub fn resolve() {
    for f in [
        OPEN.symbol(),
        FCNTL.symbol(),
        CLOSE.symbol(),
        WRITE.symbol(),
    ] {
        f.try_addr();
    }
}

type OpenFn = unsafe extern "C" fn(*const libc::c_char, libc::c_int, ...) -> libc::c_int;
type FcntlFn = unsafe extern "C" fn(libc::c_int, libc::c_int, ...) -> libc::c_int;
type CloseFn = unsafe extern "C" fn(libc::c_int) -> libc::c_int;
type WriteFn = unsafe extern "C" fn(libc::c_int, *const libc::c_void, usize) -> isize;

/// The real `close`, for the hooks too.
pub fn real_close(fd: i32) -> i32 {
    // SAFETY: CLOSE is libc's close.
    unsafe { CLOSE.get()(fd) }
}

fn open_path(path: &CString) -> i32 {
    let flags = libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT | libc::O_CLOEXEC;
    // SAFETY: OPEN is libc's open; the path is NUL-terminated.
    unsafe { OPEN.get()(path.as_ptr(), flags, 0o644) }
}

/// A close-on-exec duplicate of `fd` at `from` or above, or -1.
fn dup_from(fd: i32, from: i32) -> i32 {
    // SAFETY: FCNTL is libc's fcntl; F_DUPFD_CLOEXEC takes an int.
    unsafe { FCNTL.get()(fd, libc::F_DUPFD_CLOEXEC, from) }
}

/// Moves a freshly opened descriptor up to [`BASE`]; keeps it where it is
/// when nothing is free up there.
fn raise(low: i32) -> i32 {
    let base = BASE.load(SeqCst);
    if low >= base {
        return low;
    }
    let high = dup_from(low, base);
    if high < 0 {
        return low;
    }
    real_close(low);
    high
}

fn identity(fd: i32) -> Option<(u64, u64)> {
    // SAFETY: all zeroes is a valid `stat`.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: st is a valid buffer.
    (unsafe { libc::fstat(fd, &mut st) } == 0).then_some((st.st_dev, st.st_ino))
}

/// High, but well below RLIMIT_NOFILE, and not so high that the
/// descriptor table grows large.
fn base() -> i32 {
    // SAFETY: all zeroes is a valid `rlimit`.
    let mut lim: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: lim is a valid buffer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return 0;
    }
    let soft = lim.rlim_cur.min(1 << 14) as i32;
    if soft > 128 { soft - 64 } else { 0 }
}

/// Opens (appending) the trace file. Returns true when the file was empty,
/// that is, when this process is the first to write it.
pub fn open(path: &Path) -> Result<bool, TraceOpenError> {
    let c = CString::new(path.as_os_str().as_bytes()).map_err(|_| TraceOpenError::NulByte)?;
    BASE.store(base(), SeqCst);
    let low = open_path(&c);
    if low < 0 {
        // errno first: the path's copy allocates.
        let source = std::io::Error::last_os_error();
        return Err(TraceOpenError::Open {
            path: path.to_owned(),
            source,
        });
    }
    // SAFETY: all zeroes is a valid `stat`.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: low is open and st is a valid buffer.
    let empty = unsafe { libc::fstat(low, &mut st) } == 0 && st.st_size == 0;
    let fd = raise(low);
    let (dev, ino) = identity(fd).unwrap_or((st.st_dev, st.st_ino));
    DEV.store(dev, SeqCst);
    INO.store(ino, SeqCst);
    let _ = PATH.set(c);
    FD.store(fd, SeqCst);
    Ok(empty)
}

/// The trace's descriptor now (-1 for none).
#[inline(always)]
pub fn current() -> i32 {
    FD.load(SeqCst)
}

/// Whether `fd` is the trace's descriptor.
#[inline(always)]
pub fn is_trace(fd: i32) -> bool {
    fd >= 0 && FD.load(SeqCst) == fd
}

/// Moves the trace above `[lo, hi]` when it is in that range, so a call
/// closing or replacing those numbers can go ahead. False when it is in
/// the range and no number above is free (or allowed).
pub fn move_off(lo: u32, hi: u32) -> bool {
    let _errno = errno::Saved::now();
    let old = FD.load(SeqCst);
    if old < 0 || !(lo..=hi).contains(&(old as u32)) {
        return true;
    }
    let Ok(above) = i32::try_from(u64::from(hi) + 1) else {
        return false;
    };
    let new = dup_from(old, above.max(BASE.load(SeqCst)));
    if new < 0 {
        return false;
    }
    if FD.compare_exchange(old, new, SeqCst, SeqCst).is_err() {
        // Another thread moved or reopened it meanwhile.
        real_close(new);
        return !is_trace(old);
    }
    wait_for_writers();
    true
}

/// A write that loaded the old number before the move finishes first.
/// Bounded, so a write interrupted on this very thread cannot hang it.
fn wait_for_writers() {
    for i in 0..20_000 {
        if WRITERS.load(SeqCst) == 0 {
            return;
        }
        if i < 200 {
            std::hint::spin_loop();
        } else {
            crate::real::sched_yield();
        }
    }
}

/// The trace's descriptor, checked to still be the trace file; reopened
/// by path when a test closed or reused it. -1 when there is none.
fn verified() -> i32 {
    let fd = FD.load(SeqCst);
    if fd >= 0 && identity(fd) == Some((DEV.load(SeqCst), INO.load(SeqCst))) {
        return fd;
    }
    let Some(path) = PATH.get() else {
        return -1;
    };
    let low = open_path(path);
    if low < 0 {
        return -1;
    }
    let new = raise(low);
    if let Some((dev, ino)) = identity(new) {
        DEV.store(dev, SeqCst);
        INO.store(ino, SeqCst);
    }
    // Never close `fd`: its number is the test's now.
    match FD.compare_exchange(fd, new, SeqCst, SeqCst) {
        Ok(_) => new,
        Err(now) => {
            real_close(new);
            now
        }
    }
}

/// Writes `bytes` to the trace with as few `write`s as it takes.
pub fn write(bytes: &[u8]) {
    let _errno = errno::Saved::now();
    WRITERS.fetch_add(1, SeqCst);
    let mut rest = bytes;
    while !rest.is_empty() {
        let fd = verified();
        if fd < 0 {
            break;
        }
        match write_once(fd, rest) {
            Some(n) => rest = &rest[n..],
            None => break,
        }
    }
    WRITERS.fetch_sub(1, SeqCst);
}

/// Writes `bytes` to `fd` (stderr, say), retrying short writes.
pub fn write_to(fd: i32, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        match write_once(fd, bytes) {
            Some(n) => bytes = &bytes[n..],
            None => return,
        }
    }
}

/// One `write`: the bytes taken (0 after EINTR), or `None` on failure.
fn write_once(fd: i32, bytes: &[u8]) -> Option<usize> {
    // SAFETY: WRITE is libc's write; bytes is a live slice.
    let n = unsafe { WRITE.get()(fd, bytes.as_ptr().cast(), bytes.len()) };
    match n {
        n if n > 0 => Some(n as usize),
        n if n < 0 && errno::get() == libc::EINTR => Some(0),
        _ => None,
    }
}
