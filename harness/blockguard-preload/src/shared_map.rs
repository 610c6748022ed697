//! Files the test's process shares with the runner as memory: the
//! in-flight slots, the tally and the microthread board. Each is created
//! beside the trace, sized, mapped shared once at load, and headed with its
//! magic and count; the runner reads the file while the test runs.
//!
//! # Safety
//! A mapping is made once and never unmapped. A forked child is not the
//! test's process: at fork every mapping is replaced, at the same address,
//! by private memory, so its writes never reach the runner's files and every
//! pointer stays valid for the life of the process.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// One shared file's mapping; null until created.
pub struct SharedMap {
    map: AtomicPtr<u8>,
    len: usize,
}

/// The mappings made, for the fork handler (there are three).
static MADE: [AtomicPtr<SharedMap>; 4] = [const { AtomicPtr::new(std::ptr::null_mut()) }; 4];
static MADE_COUNT: AtomicUsize = AtomicUsize::new(0);

impl SharedMap {
    /// A mapping of `len` bytes, not made yet.
    pub const fn new(len: usize) -> SharedMap {
        SharedMap {
            map: AtomicPtr::new(std::ptr::null_mut()),
            len,
        }
    }

    /// Creates `path`, maps it, and writes its header: `magic`, then
    /// `count` (both u32, little-endian). A failure leaves it unmade: the
    /// runner then only misses what the file would have said.
    pub fn create(&'static self, path: &Path, magic: u32, count: u32) {
        let Ok(path) = CString::new(path.as_os_str().as_bytes()) else {
            return;
        };
        let flags = libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC;
        // SAFETY: a NUL-terminated path; the descriptor is closed below, the
        // mapping outlives it; the header fits (every file is longer than 8
        // bytes) and the mapping is page-aligned.
        unsafe {
            let fd = libc::open(path.as_ptr(), flags, 0o644);
            if fd < 0 {
                return;
            }
            let map = if libc::ftruncate(fd, self.len as libc::off_t) == 0 {
                libc::mmap(
                    std::ptr::null_mut(),
                    self.len,
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
            map.cast::<u32>().write(magic);
            map.add(4).cast::<u32>().write(count);
            self.map.store(map, Ordering::Release);
        }
        let slot = MADE_COUNT.fetch_add(1, Ordering::AcqRel);
        if let Some(made) = MADE.get(slot) {
            made.store(std::ptr::from_ref(self).cast_mut(), Ordering::Release);
        }
        static AT_FORK: Once = Once::new();
        // SAFETY: registers a handler that only remaps memory (see `forked`).
        AT_FORK.call_once(|| unsafe {
            libc::pthread_atfork(None, None, Some(forked));
        });
    }

    /// The mapping's start, or null when it was not made.
    #[inline(always)]
    pub fn get(&self) -> *mut u8 {
        self.map.load(Ordering::Acquire)
    }
}

/// In a forked child: every mapping becomes private memory.
extern "C" fn forked() {
    for made in &MADE {
        let shared = made.load(Ordering::Acquire);
        if shared.is_null() {
            continue;
        }
        // SAFETY: `shared` points at a `'static` SharedMap; its mapping, if
        // made, is replaced exactly, at its own address and length.
        unsafe {
            let map = (*shared).get();
            if !map.is_null() {
                libc::mmap(
                    map.cast(),
                    (*shared).len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                    -1,
                    0,
                );
            }
        }
    }
}
