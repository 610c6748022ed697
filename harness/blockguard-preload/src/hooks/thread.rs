//! Thread creation and naming: how the test's thread is found. libtest
//! creates each test's thread from the main thread and std names it after
//! the test (cut to 15 bytes) first thing in the new thread. Threads the
//! main thread creates start inside the scheduler's wrapper; the one that
//! takes the test's name becomes the guarded microthread. Threads created
//! anywhere else are plain workers. In a process that runs a whole binary,
//! every thread the main thread creates is wrapped and numbered (see
//! [`crate::test_name`]), and a thread a test's thread creates carries
//! that test along.
//!
//! A test target without libtest (`harness = false`) has no test thread:
//! its `main` is the test, so `__libc_start_main` hands libc a `main` that
//! runs the real one as the guarded microthread.
#![allow(unsafe_code)]

use crate::real::Real;
use crate::scheduler::{self, Launch};
use crate::test_name;
use libc::{c_char, c_int, c_void, pthread_attr_t, pthread_t};
use std::ffi::CStr;
use std::sync::atomic::{AtomicUsize, Ordering};

// SAFETY: each type is glibc's prototype of the function named.
static PTHREAD_CREATE: Real<CreateFn> = unsafe { Real::new(c"pthread_create") };
// SAFETY: as for PTHREAD_CREATE.
static PTHREAD_SETNAME_NP: Real<unsafe extern "C" fn(pthread_t, *const c_char) -> c_int> =
    unsafe { Real::new(c"pthread_setname_np") };
// SAFETY: as for PTHREAD_CREATE.
static LIBC_START_MAIN: Real<StartMainFn> = unsafe { Real::new(c"__libc_start_main") };
/// The program's own `main`, while the guarded one stands in for it.
static PROGRAM_MAIN: AtomicUsize = AtomicUsize::new(0);

type MainFn = extern "C" fn(c_int, *mut *mut c_char, *mut *mut c_char) -> c_int;
type StartMainFn = unsafe extern "C" fn(
    MainFn,
    c_int,
    *mut *mut c_char,
    *mut c_void,
    *mut c_void,
    *mut c_void,
    *mut c_void,
) -> c_int;

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
    let Some(c) = crate::config::get() else {
        return false;
    };
    (c.tests.is_some() || c.test.is_some() && !scheduler::test_thread_seen()) && is_main_thread()
}

/// In a process that runs many tests, the test a new thread belongs to:
/// its creator's.
fn inherited_test() -> Option<usize> {
    test_name::many()?;
    Some(test_name::index()).filter(|&i| i != test_name::NONE)
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

/// A thread start routine and the test its thread belongs to.
struct Inherited {
    start: StartFn,
    arg: *mut c_void,
    test: usize,
}

extern "C" fn inheriting_trampoline(inherited: *mut c_void) -> *mut c_void {
    // SAFETY: the box leaked by pthread_create below, handed to exactly one thread.
    let inherited = unsafe { Box::from_raw(inherited as *mut Inherited) };
    test_name::inherit(inherited.test);
    (inherited.start)(inherited.arg)
}

/// Creates a thread that runs `start(arg)` through `via`, which takes
/// ownership of `boxed`.
///
/// # Safety
/// `real` is libc's pthread_create; `boxed` is a leaked box that `via`
/// reclaims, of type `T`.
unsafe fn create_via<T>(
    real: CreateFn,
    thread: *mut pthread_t,
    attr: *const pthread_attr_t,
    via: StartFn,
    boxed: *mut T,
) -> c_int {
    // SAFETY: `via` takes ownership of `boxed` in the new thread.
    let rc = unsafe { real(thread, attr, via, boxed as *mut c_void) };
    if rc != 0 {
        // SAFETY: no thread was created, so the box is still ours.
        drop(unsafe { Box::from_raw(boxed) });
    }
    rc
}

/// pthread_create(3)
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_create(
    thread: *mut pthread_t,
    attr: *const pthread_attr_t,
    start: StartFn,
    arg: *mut c_void,
) -> c_int {
    let real = PTHREAD_CREATE.get();
    if wants_wrapper() {
        let launch = Box::into_raw(Box::new(Launch {
            start,
            arg,
            stack_size: stack_size(attr),
            ordinal: test_name::next_ordinal(),
        }));
        // SAFETY: real is libc's; the trampoline reclaims the Launch box.
        return unsafe { create_via(real, thread, attr, trampoline, launch) };
    }
    if let Some(test) = inherited_test() {
        let inherited = Box::into_raw(Box::new(Inherited { start, arg, test }));
        // SAFETY: real is libc's; the trampoline reclaims the Inherited box.
        return unsafe { create_via(real, thread, attr, inheriting_trampoline, inherited) };
    }
    // SAFETY: the caller's arguments, unchanged.
    unsafe { real(thread, attr, start, arg) }
}

/// pthread_setname_np(3)
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_setname_np(thread: pthread_t, name: *const c_char) -> c_int {
    let real = PTHREAD_SETNAME_NP.get();
    // SAFETY: pthread_self has no preconditions; name is the caller's C string.
    if !name.is_null() && unsafe { libc::pthread_equal(thread, libc::pthread_self()) } != 0 {
        // SAFETY: name is non-null, and the caller's NUL-terminated C string.
        let bytes = unsafe { CStr::from_ptr(name) }.to_bytes();
        if scheduler::on_thread_named(bytes) {
            crate::escape::sud::enable_for_current_thread();
        }
    }
    // SAFETY: the caller's arguments, unchanged.
    unsafe { real(thread, name) }
}

/// `main`'s arguments, carried onto the microthread.
struct MainArgs {
    argc: c_int,
    argv: *mut *mut c_char,
    envp: *mut *mut c_char,
}

/// The microthread's start routine for a `harness = false` binary.
extern "C" fn main_as_test(args: *mut c_void) -> *mut c_void {
    // SAFETY: `args` points to the MainArgs on guarded_main's frame, which
    // outlives the microthread (guarded_main waits for it to return).
    let args = unsafe { &*(args as *const MainArgs) };
    // SAFETY: PROGRAM_MAIN was stored from libc's own `main` argument
    // before libc could call guarded_main.
    let main =
        unsafe { std::mem::transmute::<usize, MainFn>(PROGRAM_MAIN.load(Ordering::Relaxed)) };
    scheduler::become_test_thread();
    crate::escape::sud::enable_for_current_thread();
    main(args.argc, args.argv, args.envp) as isize as *mut c_void
}

/// The `main` libc calls instead of the program's own.
extern "C" fn guarded_main(argc: c_int, argv: *mut *mut c_char, envp: *mut *mut c_char) -> c_int {
    let mut args = MainArgs { argc, argv, envp };
    let launch = Launch {
        start: main_as_test,
        arg: (&raw mut args).cast(),
        stack_size: DEFAULT_STACK,
        ordinal: test_name::NONE,
    };
    scheduler::run(launch) as isize as c_int
}

/// __libc_start_main (glibc's entry from `_start`): swaps in the guarded
/// `main` when the runner says the binary has no libtest harness.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __libc_start_main(
    main: MainFn,
    argc: c_int,
    argv: *mut *mut c_char,
    init: *mut c_void,
    fini: *mut c_void,
    rtld_fini: *mut c_void,
    stack_end: *mut c_void,
) -> c_int {
    let real = LIBC_START_MAIN.get();
    let main_is_test = crate::config::get().is_some_and(|c| c.main_is_test && c.test.is_some());
    let main = if main_is_test {
        PROGRAM_MAIN.store(main as usize, Ordering::Relaxed);
        // Programs this test starts inherit the preload, but their `main`
        // is not the test.
        // SAFETY: before `main` the process has one thread (constructors
        // that start threads are not supported), so nothing reads the
        // environment concurrently; the name is a valid C string.
        unsafe { libc::unsetenv(c"BLOCKGUARD_HARNESS".as_ptr()) };
        guarded_main as MainFn
    } else {
        main
    };
    // SAFETY: the caller's arguments, with `main` possibly replaced by a
    // function of the same signature that calls it.
    unsafe { real(main, argc, argv, init, fini, rtld_fini, stack_end) }
}
