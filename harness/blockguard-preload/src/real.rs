//! The real libc functions behind the hooks, found with `dlsym(RTLD_NEXT)`
//! and cached, so each is resolved once.
//!
//! # Safety
//! A [`Real`] holds the address that the dynamic linker gave for its name;
//! callers transmute it to the C signature that the name has in glibc.
#![allow(unsafe_code)]

use std::ffi::CStr;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The real libc `dlsym`. The guard exports its own `dlsym`, so the real
/// one is fetched by version through `dlvsym`, which the guard leaves alone.
static REAL_DLSYM: AtomicUsize = AtomicUsize::new(0);

type DlsymFn = unsafe extern "C" fn(*mut libc::c_void, *const libc::c_char) -> *mut libc::c_void;

/// The real `dlsym`, resolved on first use.
pub fn dlsym_fn() -> DlsymFn {
    let mut addr = REAL_DLSYM.load(Ordering::Relaxed);
    if addr == 0 {
        for version in [c"GLIBC_2.34", c"GLIBC_2.2.5"] {
            // SAFETY: dlvsym is given NUL-terminated names and RTLD_NEXT.
            let p = unsafe { libc::dlvsym(libc::RTLD_NEXT, c"dlsym".as_ptr(), version.as_ptr()) };
            if !p.is_null() {
                addr = p as usize;
                break;
            }
        }
        if addr == 0 {
            fatal(c"dlsym");
        }
        REAL_DLSYM.store(addr, Ordering::Relaxed);
    }
    // SAFETY: addr is glibc's dlsym, whose signature is DlsymFn.
    unsafe { std::mem::transmute::<usize, DlsymFn>(addr) }
}

/// One real libc function.
pub struct Real {
    name: &'static CStr,
    addr: AtomicUsize,
}

impl Real {
    /// A function to be resolved by `name`.
    pub const fn new(name: &'static CStr) -> Self {
        Real {
            name,
            addr: AtomicUsize::new(0),
        }
    }

    /// A function named by a NUL-terminated string, as the hook macros
    /// build it with `concat!(stringify!(name), "\0")`.
    pub const fn named(name: &'static str) -> Self {
        match CStr::from_bytes_with_nul(name.as_bytes()) {
            Ok(c) => Real::new(c),
            Err(_) => panic!("a hook's name must end with exactly one NUL"),
        }
    }

    /// The real function's address.
    #[inline(always)]
    pub fn get(&self) -> usize {
        let a = self.addr.load(Ordering::Relaxed);
        if a != 0 { a } else { self.resolve() }
    }

    /// The address, or `None` if this libc lacks the function.
    pub fn try_get(&self) -> Option<usize> {
        let a = self.addr.load(Ordering::Relaxed);
        if a != 0 {
            return Some(a);
        }
        // SAFETY: as in `resolve`.
        let p = unsafe { dlsym_fn()(libc::RTLD_NEXT, self.name.as_ptr()) };
        if p.is_null() {
            return None;
        }
        self.addr.store(p as usize, Ordering::Relaxed);
        Some(p as usize)
    }

    #[cold]
    fn resolve(&self) -> usize {
        // SAFETY: RTLD_NEXT from this object finds the definition after the
        // guard in the search order: libc's.
        let p = unsafe { dlsym_fn()(libc::RTLD_NEXT, self.name.as_ptr()) };
        if p.is_null() {
            fatal(self.name);
        }
        self.addr.store(p as usize, Ordering::Relaxed);
        p as usize
    }
}

/// A hooked function that libc does not have cannot be forwarded; say so and abort.
fn fatal(name: &CStr) -> ! {
    let mut msg = b"blockguard: libc has no `".to_vec();
    msg.extend_from_slice(name.to_bytes());
    msg.extend_from_slice(b"`; cannot forward the call\n");
    type WriteFn = unsafe extern "C" fn(i32, *const libc::c_void, usize) -> isize;
    // The real write, found here: the exported one is the guard's.
    // SAFETY: RTLD_NEXT and a NUL-terminated name; a non-null result is
    // libc's write, and msg is a live buffer.
    unsafe {
        let write = dlsym_fn()(libc::RTLD_NEXT, c"write".as_ptr());
        if !write.is_null() {
            std::mem::transmute::<*mut libc::c_void, WriteFn>(write)(
                2,
                msg.as_ptr().cast(),
                msg.len(),
            );
        }
        libc::abort()
    }
}
