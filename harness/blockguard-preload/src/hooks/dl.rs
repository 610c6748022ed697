//! `dlsym`: a real blocking libc function fetched by name would escape the
//! interposed entry points, so `dlsym` hands out a guarded stand-in instead
//! (judged with `"escaped": true`).
//!
//! The exported `dlsym` is an architecture's shim ([`crate::arch`]):
//! `dlsym(RTLD_NEXT, ...)` must reach glibc with its caller's return
//! address intact.
#![allow(unsafe_code)]

use libc::{c_char, c_void};
use std::ffi::CStr;

crate::arch::dlsym_shim!(resolve, REAL_DLSYM);

/// The real `dlsym`'s address, read by the shim; set at load.
static mut REAL_DLSYM: usize = 0;

/// Sets the shim's jump target. Called once at load.
pub fn prepare() {
    let addr = crate::real::dlsym_fn() as usize;
    // SAFETY: written once, at load, before the test runs; read-only afterwards.
    unsafe { *std::ptr::addr_of_mut!(REAL_DLSYM) = addr };
}

/// The shim's target for every `dlsym` but `RTLD_NEXT`: resolved, then
/// swapped for a stand-in where needed.
extern "C" fn resolve(handle: *mut c_void, name: *const c_char) -> *mut c_void {
    // SAFETY: the caller's own handle and name go to glibc's dlsym.
    let found = unsafe { crate::real::dlsym_fn()(handle, name) };
    if found.is_null() || name.is_null() {
        return found;
    }
    // SAFETY: name is the caller's NUL-terminated symbol name.
    let bytes = unsafe { CStr::from_ptr(name) }.to_bytes();
    match super::stand_in(bytes, found as usize) {
        Some(stand_in) => stand_in as *mut c_void,
        None => found,
    }
}
