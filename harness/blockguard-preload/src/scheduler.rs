//! The scheduler: runs a thread's body as the main microthread, a stackful
//! coroutine on its own guarded stack, on the thread's own OS thread.
//!
//! Stack layout of the test's thread while the test runs:
//!
//! ```text
//!   OS thread stack (libtest's)          microthread stack (mmap, guard page below)
//!   +---------------------------+        +---------------------------+ <- base
//!   | pthread start             |        | coroutine entry           |
//!   | trampoline (this module)  |        | std thread_start closure  |
//!   | run(): resume loop  ------+------->| libtest's test closure    |
//!   |                           |<-------+-- suspend (yield / stop)  |
//!   +---------------------------+        | test fn ... hook          |
//!                                        +---------------------------+ <- limit
//!                                        | guard page (PROT_NONE)    |
//!                                        +---------------------------+
//! ```
//!
//! # Safety
//! The yielder pointer kept in thread-local storage is set by the
//! coroutine body and used only on that same thread while the coroutine is
//! running (between its resume and its next suspend).
#![allow(unsafe_code)]

use crate::{context, escape, exit, trace};
use blockguard_protocol::Lifecycle;
use corosensei::stack::{DefaultStack, Stack};
use corosensei::{Coroutine, CoroutineResult, Yielder};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Why the microthread handed control back to the scheduler.
pub enum Suspend {
    /// It yields and wants to be resumed.
    Yield,
    /// It reached a denied call in deny mode: never resume it.
    Stopped,
}

type MicroYielder = Yielder<(), Suspend>;

thread_local! {
    static YIELDER: Cell<*const MicroYielder> = const { Cell::new(std::ptr::null()) };
    /// This thread's microthread stack, `(lo, hi)`.
    static BOUNDS: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// Bounds of the test's microthread stack, for unwinding.
static STACK_LO: AtomicUsize = AtomicUsize::new(0);
static STACK_HI: AtomicUsize = AtomicUsize::new(0);
/// The test's thread has been seen; later threads are not wrapped.
static TEST_THREAD_SEEN: AtomicBool = AtomicBool::new(false);

/// The microthread stack of the test's thread, `(lo, hi)`.
pub fn stack_bounds() -> (usize, usize) {
    (
        STACK_LO.load(Ordering::Relaxed),
        STACK_HI.load(Ordering::Relaxed),
    )
}

/// True when `addr` is in the guard page at the bottom of this thread's
/// microthread stack (corosensei's limit is the start of its mapping,
/// guard page included).
pub fn in_guard_page(addr: usize) -> bool {
    let (lo, hi) = BOUNDS.with(|c| c.get());
    // SAFETY: sysconf has no preconditions.
    #[allow(unsafe_code)]
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    hi != 0 && addr >= lo && addr < lo + page
}

/// True once the test's thread was recognised.
pub fn test_thread_seen() -> bool {
    TEST_THREAD_SEEN.load(Ordering::Relaxed)
}

/// A thread start routine and its argument.
pub struct Launch {
    /// The routine the creator passed to `pthread_create`.
    pub start: extern "C" fn(*mut libc::c_void) -> *mut libc::c_void,
    /// Its argument.
    pub arg: *mut libc::c_void,
    /// The stack size the creator asked for.
    pub stack_size: usize,
}

/// Runs a thread's start routine as a microthread and returns its result.
/// Falls back to running it directly if no stack can be had.
pub fn run(launch: Launch) -> *mut libc::c_void {
    let stack = match DefaultStack::new(launch.stack_size) {
        Ok(stack) => stack,
        Err(_) => return (launch.start)(launch.arg),
    };
    let bounds = (stack.limit().get(), stack.base().get());
    let (start, arg) = (launch.start, launch.arg as usize);
    let mut micro = Coroutine::with_stack(stack, move |y: &MicroYielder, ()| {
        YIELDER.with(|c| c.set(y));
        start(arg as *mut libc::c_void) as usize
    });
    BOUNDS.with(|c| c.set(bounds));
    context::set_in_wrapper(true);
    let result = loop {
        context::set_on_microthread(true);
        let step = micro.resume(());
        context::set_on_microthread(false);
        match step {
            CoroutineResult::Yield(Suspend::Yield) => continue,
            CoroutineResult::Yield(Suspend::Stopped) => {
                trace::lifecycle(Lifecycle::Stopped);
                exit::blocked_now();
            }
            CoroutineResult::Return(r) => break r,
        }
    };
    if context::on_test_thread_ended() {
        escape::sud::disable_for_current_thread();
        trace::lifecycle(Lifecycle::Returned);
    }
    context::set_in_wrapper(false);
    YIELDER.with(|c| c.set(std::ptr::null()));
    result as *mut libc::c_void
}

/// Called when a thread inside the wrapper names itself: if the name is the
/// test's, the thread becomes the guarded test thread.
pub fn on_thread_named(name: &[u8]) {
    let Some(test) = crate::config::get().and_then(|c| c.test.as_deref()) else {
        return;
    };
    if !context::in_wrapper() || test_thread_seen() {
        return;
    }
    let want = blockguard_protocol::env::thread_name_prefix(test).as_bytes();
    if name == want {
        become_test_thread();
    }
}

/// Makes the running microthread the guarded test thread: the guards and
/// the escape backstop turn on, and the trace says the test started.
pub fn become_test_thread() {
    TEST_THREAD_SEEN.store(true, Ordering::Relaxed);
    let (lo, hi) = BOUNDS.with(|c| c.get());
    STACK_LO.store(lo, Ordering::Relaxed);
    STACK_HI.store(hi, Ordering::Relaxed);
    context::set_test_thread(true);
    trace::lifecycle(Lifecycle::Started);
    escape::sud::enable_for_current_thread();
}

/// Suspends the current microthread for one round of the scheduler.
/// Returns false when not on a microthread.
pub fn yield_now() -> bool {
    let y = YIELDER.with(|c| c.get());
    if y.is_null() || !context::in_wrapper() {
        return false;
    }
    // SAFETY: see the module's safety note: y is this thread's running coroutine's yielder.
    unsafe { (*y).suspend(Suspend::Yield) };
    true
}

/// Stops the current microthread at a denied call; never returns. If there
/// is no microthread to stop, ends the process with the blocked code.
pub fn stop() -> ! {
    let y = YIELDER.with(|c| c.get());
    if !y.is_null() {
        // SAFETY: as in yield_now; the scheduler never resumes a stopped microthread.
        unsafe { (*y).suspend(Suspend::Stopped) };
    }
    trace::lifecycle(Lifecycle::Stopped);
    exit::blocked_now()
}

/// The scheduler's idle wait: the one blocking point that is always allowed
/// (named by the built-in rules). With one microthread per test there is
/// nothing to wait for between steps; multi-microthread modes wait here.
#[inline(never)]
#[allow(dead_code)] // the single-microthread scheduler never idles
pub fn idle_wait(timeout: std::time::Duration) {
    std::thread::sleep(timeout);
}
