//! The microthreads of one OS thread: the loop that runs them in turn, and
//! the calls a microthread makes to yield, sleep, park, join, spawn or stop.
//!
//! # Safety
//! The yielder pointer kept in thread-local storage is set by the
//! coroutine body and used only on that same thread while the coroutine is
//! running (between its resume and its next suspend).
#![allow(unsafe_code)]

use super::handoff::{MicroCoroutine, MicroYielder, Resume, Suspend};
use super::micro::{self, Micro, Sched};
use super::{farm, idle_wait, scopes};
use crate::classify::spin;
use crate::{context, exit, inflight, test_name, trace};
use blockguard_protocol::Lifecycle;
use corosensei::stack::{DefaultStack, Stack};
use corosensei::{Coroutine, CoroutineResult};
use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

thread_local! {
    static YIELDER: Cell<*const MicroYielder> = const { Cell::new(std::ptr::null()) };
    /// The running microthread's stack, `(lo, hi)`.
    static BOUNDS: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    /// The microthreads of this thread (only the test's thread has any).
    static SCHED: RefCell<Option<Sched>> = const { RefCell::new(None) };
    /// The last deadlock's report, for the API to panic with.
    static DEADLOCK: RefCell<String> = const { RefCell::new(String::new()) };
    /// Stacks of ended microthreads, kept for the next spawn: a fresh one
    /// costs an mmap, an mprotect and later an munmap.
    static SPARE_STACKS: RefCell<Vec<DefaultStack>> = const { RefCell::new(Vec::new()) };
    /// A microthread was spawned since the running one was resumed.
    static SPAWNED: Cell<bool> = const { Cell::new(false) };
}

/// Spare stacks kept at most.
const SPARE_MAX: usize = 64;

/// The test's thread has been seen; later threads are not wrapped.
static TEST_THREAD_SEEN: AtomicBool = AtomicBool::new(false);

/// Stack size of a microthread the test spawns.
pub const SPAWN_STACK: usize = 1 << 20;

/// This thread's running (or last run) microthread's stack, `(lo, hi)`,
/// for unwinding.
pub fn stack_bounds() -> (usize, usize) {
    BOUNDS.with(|c| c.get())
}

/// True when `addr` is in the guard page at the bottom of the running
/// microthread's stack (corosensei's limit is the start of its mapping,
/// guard page included).
pub fn in_guard_page(addr: usize) -> bool {
    let (lo, hi) = BOUNDS.with(|c| c.get());
    // SAFETY: sysconf has no preconditions.
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
    /// Which of the main thread's threads this is, in a process that runs
    /// many tests ([`test_name::NONE`] otherwise).
    pub ordinal: usize,
}

/// A microthread on a fresh stack running `body`; `None` if no stack can
/// be had.
fn new_micro(
    id: u64,
    name: String,
    stack_size: usize,
    body: Box<dyn FnOnce() -> usize>,
) -> Option<Micro> {
    let spare = (stack_size == SPAWN_STACK)
        .then(|| SPARE_STACKS.with(|s| s.try_borrow_mut().ok()?.pop()))
        .flatten();
    let stack = match spare {
        Some(stack) => stack,
        None => DefaultStack::new(stack_size).ok()?,
    };
    let bounds = (stack.limit().get(), stack.base().get());
    let co: MicroCoroutine =
        Coroutine::with_stack(stack, move |y: &MicroYielder, _first: Resume| {
            YIELDER.with(|c| c.set(y));
            body()
        });
    Some(Micro::new(id, name, co, bounds))
}

/// Runs a thread's start routine as the main microthread, and whatever it
/// spawns, until the main one returns; returns its result. Falls back to
/// running it directly if no stack can be had.
pub fn run(launch: Launch) -> *mut libc::c_void {
    let (start, arg) = (launch.start, launch.arg as usize);
    test_name::set_ordinal(launch.ordinal);
    let body = Box::new(move || start(arg as *mut libc::c_void) as usize);
    let Some(main) = new_micro(0, "main".to_owned(), launch.stack_size, body) else {
        return start(arg as *mut libc::c_void);
    };
    SCHED.with(|s| *s.borrow_mut() = Some(Sched::new(main)));
    context::set_in_wrapper(true);
    let result = run_loop();
    // Microthreads still suspended when the main one returns are left as
    // they are: dropping a suspended coroutine would unwind it, running its
    // code after its test has ended. The process is about to end with them.
    if let Some(rest) = SCHED.with(|s| s.borrow_mut().take()) {
        std::mem::forget(rest);
    }
    if context::on_test_thread_ended() {
        trace::lifecycle(Lifecycle::Returned);
        test_name::own_test_ended();
    }
    context::set_in_wrapper(false);
    YIELDER.with(|c| c.set(std::ptr::null()));
    result as *mut libc::c_void
}

fn with_sched<R>(f: impl FnOnce(&mut Sched) -> R) -> Option<R> {
    SCHED.with(|s| s.try_borrow_mut().ok()?.as_mut().map(f))
}

/// The loop: resume ready microthreads in turn until the main one returns.
fn run_loop() -> usize {
    loop {
        let Some(mut micro) = with_sched(Sched::next_ready).flatten() else {
            wait_for_work();
            continue;
        };
        let resume = std::mem::replace(&mut micro.resume_with, Resume::Go);
        let step = switch_in(&mut micro, resume);
        let id = micro.id;
        match step {
            CoroutineResult::Yield(Suspend::Stopped) => {
                trace::lifecycle(Lifecycle::Stopped);
                exit::blocked_now();
            }
            CoroutineResult::Yield(why) => {
                with_sched(|s| s.suspended(micro, why));
            }
            CoroutineResult::Return(r) => {
                if id == 0 {
                    with_sched(|s| s.ended(micro));
                    return r;
                }
                let stack = micro.take_stack();
                with_sched(|s| s.ended(micro));
                keep_spare(stack);
            }
        }
    }
}

fn keep_spare(stack: Option<DefaultStack>) {
    if let Some(stack) = stack {
        SPARE_STACKS.with(|s| {
            if let Ok(mut s) = s.try_borrow_mut()
                && s.len() < SPARE_MAX
            {
                s.push(stack);
            }
        });
    }
}

/// Resumes one microthread with its stack bounds and scopes in place.
fn switch_in(micro: &mut Micro, resume: Resume) -> CoroutineResult<Suspend, usize> {
    BOUNDS.with(|c| c.set(micro.bounds));
    if !micro.yielder.is_null() {
        YIELDER.with(|c| c.set(micro.yielder));
    }
    scopes::swap(&mut micro.scopes);
    with_sched(|s| s.current = micro.id);
    // Yields of the turn before (of this or another microthread) and this
    // one's are not one spin.
    spin::new_turn();
    context::set_on_microthread(true);
    let co = micro
        .co
        .as_mut()
        .expect("a microthread that can run has its coroutine");
    // Alone on the thread (and spawning nobody), a yield comes straight
    // back: no queue to visit.
    let alone = with_sched(|s| s.alone()).unwrap_or(false);
    SPAWNED.with(|c| c.set(false));
    let mut step = co.resume(resume);
    while alone
        && !SPAWNED.with(Cell::get)
        && matches!(step, CoroutineResult::Yield(Suspend::Yield))
    {
        step = co.resume(Resume::Go);
    }
    context::set_on_microthread(false);
    scopes::swap(&mut micro.scopes);
    micro.yielder = YIELDER.with(|c| c.get());
    step
}

/// Nothing is ready: wait for a timer or a worker, or report a deadlock.
fn wait_for_work() {
    // Read before looking, so a job that finishes meanwhile is not missed.
    let seen = farm::finished();
    let Some(next) = with_sched(|s| s.pending()) else {
        return;
    };
    match next {
        micro::Pending::Ready => {}
        micro::Pending::Until(deadline) => {
            idle_wait(
                seen,
                deadline.map(|d| d.saturating_duration_since(Instant::now())),
            );
            with_sched(Sched::wake_due);
        }
        micro::Pending::Deadlock(report) => {
            DEADLOCK.with(|d| *d.borrow_mut() = report);
            with_sched(Sched::fail_main_wait);
        }
    }
}

/// Called when a thread names itself: an executor's worker becomes an
/// executor thread; inside the wrapper, a thread named as the test becomes
/// the guarded test thread. True for either: the caller arms the escape
/// backstop on it.
pub fn on_thread_named(name: &[u8]) -> bool {
    // The test's own thread first: a calm test then never asks the rules
    // (parsing them is the guard's cost, not its).
    if names_test_thread(name) {
        become_test_thread();
        return true;
    }
    // A tool the test runs (cargo's and rustup's tokio workers) is none of
    // the code under test: its workers are not the test's, and telling
    // them apart would parse the rules in every such program.
    if !context::executors_guarded() {
        return false;
    }
    // The rules are parsed on first use: any wait in that is the guard's.
    let executor = context::enter_guard().is_some_and(|_scope| {
        std::str::from_utf8(name).is_ok_and(crate::rules::is_executor_thread)
    });
    if !context::on_executor_thread() && executor {
        context::set_executor_thread();
        inflight::bind_next();
        return true;
    }
    false
}

/// True when a thread inside the wrapper names itself as a test this
/// process runs, and that test has no thread yet.
fn names_test_thread(name: &[u8]) -> bool {
    if !context::in_wrapper() || context::on_test_microthread() {
        return false;
    }
    if test_name::many().is_some() {
        return test_name::claim(name).is_some();
    }
    let Some(test) = crate::config::get().and_then(|c| c.test.as_deref()) else {
        return false;
    };
    !test_thread_seen() && name == blockguard_protocol::env::thread_name_prefix(test).as_bytes()
}

/// Makes the running microthread the guarded test thread: the guards turn
/// on and the trace says the test started (the caller, above the
/// scheduler, arms the escape backstop).
pub fn become_test_thread() {
    TEST_THREAD_SEEN.store(true, Ordering::Relaxed);
    context::set_test_thread(true);
    if test_name::many().is_some() {
        inflight::bind_next();
    } else {
        inflight::bind(0);
    }
    trace::lifecycle(Lifecycle::Started);
}

/// Suspends the running microthread; returns how it was resumed, or
/// `None` when not on a microthread.
fn suspend(why: Suspend) -> Option<Resume> {
    let y = YIELDER.with(|c| c.get());
    if y.is_null() || !context::on_microthread() {
        return None;
    }
    // SAFETY: see the module's safety note: y is this thread's running coroutine's yielder.
    Some(unsafe { (*y).suspend(why) })
}

/// Suspends the current microthread for one round of the scheduler.
/// Returns false when not on a microthread.
pub fn yield_now() -> bool {
    suspend(Suspend::Yield).is_some()
}

/// Stops the current microthread at a denied call; never returns. If there
/// is no microthread to stop, ends the process with the blocked code.
pub fn stop() -> ! {
    suspend(Suspend::Stopped);
    trace::lifecycle(Lifecycle::Stopped);
    exit::blocked_now()
}

/// Sleeps the current microthread for `d` without blocking the thread.
pub fn sleep(d: Duration) -> bool {
    suspend(Suspend::Sleep(Instant::now() + d)).is_some()
}

/// Parks the current microthread until [`unpark`]; `what` says where it
/// waits. `None` off a microthread.
pub fn park(what: String) -> Option<Resume> {
    suspend(Suspend::Park(what))
}

/// Makes a parked microthread ready (or lets its next park return at once).
pub fn unpark(id: u64) -> bool {
    with_sched(|s| s.unpark(id)).unwrap_or(false)
}

/// Waits for microthread `id` to end. `None` off a microthread.
pub fn join(id: u64) -> Option<Resume> {
    if with_sched(|s| s.is_done(id)).unwrap_or(true) {
        return Some(Resume::Go);
    }
    suspend(Suspend::Join(id))
}

/// Waits for a worker to finish `job`. `None` off a microthread.
pub fn wait_farmed(job: Arc<farm::Job>) -> Option<Resume> {
    suspend(Suspend::Farm(job))
}

/// The running microthread's id, `None` off a microthread.
pub fn current() -> Option<u64> {
    if !context::on_microthread() {
        return None;
    }
    with_sched(|s| s.current)
}

/// Starts a microthread running `body`; its id, or `None` off a
/// microthread or without a stack.
pub fn spawn(name: String, body: Box<dyn FnOnce()>) -> Option<u64> {
    if !context::on_microthread() {
        return None;
    }
    let id = with_sched(|s| s.next_id())?;
    let micro = new_micro(
        id,
        name,
        SPAWN_STACK,
        Box::new(move || {
            body();
            0
        }),
    )?;
    with_sched(|s| s.add(micro))?;
    SPAWNED.with(|c| c.set(true));
    Some(id)
}

/// The last deadlock's report.
pub fn deadlock_report() -> String {
    DEADLOCK.with(|d| d.borrow().clone())
}
