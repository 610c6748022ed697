//! `dlsym`: a real blocking libc function fetched by name would escape the
//! interposed entry points, so `dlsym` hands out a guarded stand-in instead
//! (judged with `"escaped": true`).
//!
//! `dlsym(RTLD_NEXT, ...)` resolves relative to its caller's object, which
//! glibc finds from the return address; a shim that jumps to the real
//! `dlsym` keeps the caller's return address for that case.
#![allow(unsafe_code)]

use libc::{c_char, c_void};
use std::ffi::CStr;

/// dlsym(3). `RTLD_NEXT` (-1) jumps straight to glibc's; anything else is
/// resolved and then swapped for a stand-in where needed.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dlsym(handle: *mut c_void, name: *const c_char) -> *mut c_void {
    core::arch::naked_asm!(
        "cmp rdi, -1",
        "jne {resolve}",
        "mov rax, qword ptr [rip + {real}]",
        "test rax, rax",
        "jz {resolve}",
        "jmp rax",
        resolve = sym resolve,
        real = sym REAL_DLSYM_FOR_SHIM,
    )
}

/// The real `dlsym`'s address, read by the shim; set at load.
static mut REAL_DLSYM_FOR_SHIM: usize = 0;

/// Sets the shim's jump target. Called once at load.
pub fn prepare() {
    let addr = crate::real::dlsym_fn() as usize;
    // SAFETY: written once, at load, before the test runs; read-only afterwards.
    unsafe { *std::ptr::addr_of_mut!(REAL_DLSYM_FOR_SHIM) = addr };
}

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
