//! Per-thread guard state.
//!
//! Two bytes of thread-local state, const-initialised and without a
//! destructor, so reading them never allocates or registers anything: safe
//! from any hook, signal handler or allocator.
//!
//! A thread the test starts is probed: its first [`PROBES`] hooked calls
//! are judged, and if one of them is inside an executor (a worker thread
//! that executor does not name, such as futures' `ThreadPool`'s), the
//! thread becomes an executor thread; otherwise the probes run out and
//! its hooks go back to one thread-local read.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether this process probes its threads at all (the test's own does).
static PROBING: AtomicBool = AtomicBool::new(false);

/// Lets this process's threads be probed.
pub fn enable_probing() {
    PROBING.store(true, Ordering::Relaxed);
}

/// Whether a thread of this process that names itself as an executor's
/// worker becomes an executor thread (not in a tool the test runs).
static EXECUTORS_GUARDED: AtomicBool = AtomicBool::new(true);

/// This process is a tool the test runs (cargo, rustup), none of the code
/// under test: its executors' workers are its own, never guarded.
pub fn leave_executors_unguarded() {
    EXECUTORS_GUARDED.store(false, Ordering::Relaxed);
}

/// False in a tool the test runs (see [`leave_executors_unguarded`]).
pub fn executors_guarded() -> bool {
    EXECUTORS_GUARDED.load(Ordering::Relaxed)
}

/// The thread is the test's thread (recognised by its name).
const TEST_THREAD: u8 = 1;
/// The thread is currently executing on a microthread stack.
const ON_MICROTHREAD: u8 = 2;
/// The thread is inside the guard's own bookkeeping.
const IN_GUARD: u8 = 4;
/// The thread runs inside the scheduler's wrapper (it may become the test thread).
const IN_WRAPPER: u8 = 8;
/// The thread is an async executor's worker: task polls on it are judged.
const EXECUTOR_THREAD: u8 = 16;
/// The thread is not (or no longer) probed for executor frames.
const NOT_PROBED: u8 = 32;

/// Hooked calls of a thread judged to learn whether it is an executor's.
pub const PROBES: u8 = 16;

thread_local! {
    static STATE: Cell<u8> = const { Cell::new(0) };
    static PROBES_MADE: Cell<u8> = const { Cell::new(0) };
}

fn get() -> u8 {
    STATE.with(|s| s.get())
}

fn update(f: impl FnOnce(u8) -> u8) {
    STATE.with(|s| s.set(f(s.get())));
}

/// True when a blocking call made now must be judged: the test's thread, on
/// its microthread, or an executor's worker thread; not inside the guard
/// itself.
#[inline(always)]
pub fn guarded() -> bool {
    let s = get();
    s & (TEST_THREAD | ON_MICROTHREAD | IN_GUARD) == TEST_THREAD | ON_MICROTHREAD
        || s & (EXECUTOR_THREAD | IN_GUARD) == EXECUTOR_THREAD
        || s & (TEST_THREAD | IN_WRAPPER | EXECUTOR_THREAD | IN_GUARD | NOT_PROBED) == 0
            && PROBING.load(Ordering::Relaxed)
}

/// True on a thread still being probed for executor frames.
pub fn probing() -> bool {
    get() & (TEST_THREAD | IN_WRAPPER | EXECUTOR_THREAD | NOT_PROBED) == 0
        && PROBING.load(Ordering::Relaxed)
}

/// Counts one probe of this thread; the last one ends its probing.
pub fn count_probe() {
    if probing() {
        let made = PROBES_MADE.with(|p| {
            let n = p.get().saturating_add(1);
            p.set(n);
            n
        });
        if made >= PROBES {
            stop_probing();
        }
    }
}

/// Ends this thread's probing (the runtime's own threads never start it).
pub fn stop_probing() {
    update(|s| s | NOT_PROBED);
}

/// True on an executor's worker thread.
pub fn on_executor_thread() -> bool {
    get() & EXECUTOR_THREAD != 0
}

/// Marks this thread as an executor's worker.
pub fn set_executor_thread() {
    update(|s| s | EXECUTOR_THREAD);
}

/// True on the test's microthread, whether or not the guard is busy.
pub fn on_test_microthread() -> bool {
    get() & (TEST_THREAD | ON_MICROTHREAD) == TEST_THREAD | ON_MICROTHREAD
}

/// True on a microthread stack (of any wrapped thread).
pub fn on_microthread() -> bool {
    get() & ON_MICROTHREAD != 0
}

/// True inside the scheduler's thread wrapper.
pub fn in_wrapper() -> bool {
    get() & IN_WRAPPER != 0
}

/// Marks this thread as running inside the scheduler's wrapper.
pub fn set_in_wrapper(on: bool) {
    update(|s| if on { s | IN_WRAPPER } else { s & !IN_WRAPPER });
}

/// Marks this thread as the test's thread.
pub fn set_test_thread(on: bool) {
    update(|s| {
        if on {
            s | TEST_THREAD
        } else {
            s & !TEST_THREAD
        }
    });
}

/// Records whether this thread now runs on a microthread stack.
pub fn set_on_microthread(on: bool) {
    update(|s| {
        if on {
            s | ON_MICROTHREAD
        } else {
            s & !ON_MICROTHREAD
        }
    });
}

/// Enters the guard's bookkeeping; `None` when already inside it (a hook
/// reached from a hook, or from a signal handler that interrupted one), in
/// which case the caller must pass the call through untouched.
pub fn enter_guard() -> Option<GuardScope> {
    let s = get();
    if s & IN_GUARD != 0 {
        return None;
    }
    STATE.with(|c| c.set(s | IN_GUARD));
    Some(GuardScope(()))
}

/// Leaves the guard's bookkeeping when dropped.
pub struct GuardScope(());

impl Drop for GuardScope {
    fn drop(&mut self) {
        update(|s| s & !IN_GUARD);
    }
}

/// Clears the test-thread mark when the test thread's body has returned;
/// true if this was the test thread.
pub fn on_test_thread_ended() -> bool {
    let was = get() & TEST_THREAD != 0;
    update(|s| s & !TEST_THREAD);
    was
}
