//! The real libc functions behind the hooks, found with `dlsym(RTLD_NEXT)`
//! and cached, so each is resolved once.
//!
//! # Safety
//! A [`Real<F>`] holds the address that the dynamic linker gave for its
//! name, and hands it out as `F`, the function-pointer type of that name's
//! C signature in glibc. Declaring one is `unsafe` (see [`Real::new`]): the
//! declaration is where the signature is vouched for, and `fn_at` is the
//! one place an address becomes a function pointer.
#![allow(unsafe_code)]

use std::ffi::CStr;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The real libc `dlsym`. The guard exports its own `dlsym`, so the real
/// one is fetched by version through `dlvsym`, which the guard leaves alone.
static REAL_DLSYM: AtomicUsize = AtomicUsize::new(0);

type DlsymFn = unsafe extern "C" fn(*mut libc::c_void, *const libc::c_char) -> *mut libc::c_void;

/// The function pointer of type `F` at `addr`.
///
/// # Safety
/// `F` must be a function-pointer type (or an `Option` of one), and `addr`
/// a non-zero address of a function whose C signature `F` is.
#[inline(always)]
unsafe fn fn_at<F: Copy>(addr: usize) -> F {
    const {
        assert!(
            size_of::<F>() == size_of::<usize>(),
            "a real function is one address"
        )
    };
    // SAFETY: same size (asserted above); the caller vouches that `addr` is a
    // function of signature `F`.
    unsafe { std::mem::transmute_copy::<usize, F>(&addr) }
}

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
    unsafe { fn_at::<DlsymFn>(addr) }
}

/// A libc name and its address once resolved, whatever its signature: what
/// the hook registry keeps of each [`Real`].
pub struct Symbol {
    name: &'static CStr,
    addr: AtomicUsize,
}

impl Symbol {
    /// The address, resolved now if it was not yet.
    #[inline(always)]
    fn addr(&self) -> usize {
        let a = self.addr.load(Ordering::Relaxed);
        if a != 0 { a } else { self.resolve() }
    }

    /// The address, or `None` if this libc lacks the function.
    pub fn try_addr(&self) -> Option<usize> {
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

/// One real libc function, of C signature `F` (an `unsafe extern "C" fn`).
pub struct Real<F> {
    symbol: Symbol,
    signature: PhantomData<F>,
}

impl<F: Copy> Real<F> {
    /// A function to be resolved by `name`.
    ///
    /// # Safety
    /// `F` must be the function-pointer type of `name`'s C signature in
    /// glibc: every address this hands out is called as an `F`.
    pub const unsafe fn new(name: &'static CStr) -> Self {
        Real {
            symbol: Symbol {
                name,
                addr: AtomicUsize::new(0),
            },
            signature: PhantomData,
        }
    }

    /// A function named by a NUL-terminated string, as the hook macros
    /// build it with `concat!(stringify!(name), "\0")`.
    ///
    /// # Safety
    /// As for [`Real::new`].
    pub const unsafe fn named(name: &'static str) -> Self {
        match CStr::from_bytes_with_nul(name.as_bytes()) {
            // SAFETY: the caller vouches for `F`, as `new` asks.
            Ok(c) => unsafe { Real::new(c) },
            Err(_) => panic!("a hook's name must end with exactly one NUL"),
        }
    }

    /// The name and its cached address, untyped.
    pub const fn symbol(&self) -> &Symbol {
        &self.symbol
    }

    /// The real function; aborts if this libc lacks it.
    #[inline(always)]
    pub fn get(&self) -> F {
        let addr = self.symbol.addr();
        // SAFETY: `addr` is the non-zero address resolved for this name,
        // whose signature is `F` (the contract of `new`).
        unsafe { fn_at(addr) }
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
            fn_at::<WriteFn>(write as usize)(2, msg.as_ptr().cast(), msg.len());
        }
        libc::abort()
    }
}

type SchedYieldFn = unsafe extern "C" fn() -> libc::c_int;
// SAFETY: glibc's prototype of `sched_yield`.
static SCHED_YIELD: Real<SchedYieldFn> = unsafe { Real::new(c"sched_yield") };

/// Yields the CPU through the real `sched_yield`, for the runtime's own
/// bounded waits: through the hook they would count toward a spin of the
/// test's.
pub fn sched_yield() {
    // SAFETY: sched_yield has no preconditions.
    unsafe { SCHED_YIELD.get()() };
}
