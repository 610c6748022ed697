//! Thread creation and naming: how the test's thread is found. libtest
//! creates each test's thread from the main thread and std names it after
//! the test (cut to 15 bytes) first thing in the new thread. Threads the
//! main thread creates start inside the scheduler's wrapper; the one that
//! takes the test's name becomes the guarded microthread. Threads created
//! anywhere else are plain workers.
#![allow(unsafe_code)]

use crate::real::Real;
use crate::scheduler::{self, Launch};
use libc::{c_char, c_int, c_void, pthread_attr_t, pthread_t};
use std::ffi::CStr;

static PTHREAD_CREATE: Real = Real::new(c"pthread_create");
static PTHREAD_SETNAME_NP: Real = Real::new(c"pthread_setname_np");

type StartFn = extern "C" fn(*mut c_void) -> *mut c_void;
type CreateFn =
    unsafe extern "C" fn(*mut pthread_t, *const pthread_attr_t, StartFn, *mut c_void) -> c_int;

/// Glibc's default stack when no attribute is given (RLIMIT_STACK's usual value).
const DEFAULT_STACK: usize = 8 << 20;

fn is_main_thread() -> bool {
    // SAFETY: getpid and gettid have no preconditions.
    unsafe { libc::getpid() == libc::gettid() }
}

fn wants_wrapper() -> bool {
    crate::config::get().is_some_and(|c| c.test.is_some())
        && !scheduler::test_thread_seen()
        && is_main_thread()
}

fn stack_size(attr: *const pthread_attr_t) -> usize {
    if attr.is_null() {
        return DEFAULT_STACK;
    }
    let mut size = 0;
    // SAFETY: attr is the caller's initialised attribute object.
    if unsafe { libc::pthread_attr_getstacksize(attr, &mut size) } != 0 || size == 0 {
        return DEFAULT_STACK;
    }
    size
}

extern "C" fn trampoline(launch: *mut c_void) -> *mut c_void {
    // SAFETY: `launch` is the box leaked by pthread_create below, handed to exactly one thread.
    let launch = unsafe { Box::from_raw(launch as *mut Launch) };
    scheduler::run(*launch)
}

/// pthread_create(3)
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_create(
    thread: *mut pthread_t,
    attr: *const pthread_attr_t,
    start: StartFn,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: PTHREAD_CREATE is libc's pthread_create.
    let real = unsafe { std::mem::transmute::<usize, CreateFn>(PTHREAD_CREATE.get()) };
    if !wants_wrapper() {
        // SAFETY: the caller's arguments, unchanged.
        return unsafe { real(thread, attr, start, arg) };
    }
    let launch = Box::into_raw(Box::new(Launch {
        start,
        arg,
        stack_size: stack_size(attr),
    }));
    // SAFETY: the trampoline takes ownership of `launch` in the new thread.
    let rc = unsafe { real(thread, attr, trampoline, launch as *mut c_void) };
    if rc != 0 {
        // SAFETY: no thread was created, so the box is still ours.
        drop(unsafe { Box::from_raw(launch) });
    }
    rc
}

/// pthread_setname_np(3)
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_setname_np(thread: pthread_t, name: *const c_char) -> c_int {
    type F = unsafe extern "C" fn(pthread_t, *const c_char) -> c_int;
    // SAFETY: PTHREAD_SETNAME_NP is libc's pthread_setname_np.
    let real = unsafe { std::mem::transmute::<usize, F>(PTHREAD_SETNAME_NP.get()) };
    // SAFETY: pthread_self has no preconditions; name is the caller's C string.
    if !name.is_null() && unsafe { libc::pthread_equal(thread, libc::pthread_self()) } != 0 {
        let bytes = unsafe { CStr::from_ptr(name) }.to_bytes();
        scheduler::on_thread_named(bytes);
    }
    // SAFETY: the caller's arguments, unchanged.
    unsafe { real(thread, name) }
}
