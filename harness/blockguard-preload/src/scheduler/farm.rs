//! Farm mode's worker pool: a guarded call made on a microthread runs on a
//! worker thread while the microthread is suspended and the scheduler runs
//! the others. The worker hands back the call's result and `errno`.
//!
//! Workers are plain threads, created on first use (`BLOCKGUARD_FARM_WORKERS`
//! of them, default [`crate::config::DEFAULT_FARM_WORKERS`]); a call waits in the queue while
//! every worker is busy. They never outlive the process: when the test
//! ends or times out, the process ends with them.
//!
//! Both hand-offs spin for a short while before they sleep: a worker that
//! just finished a call watches the queue for [`SPIN`], and the idle
//! scheduler watches for a finished call as long. A microthread that farms
//! calls one after another then never waits for a thread to be woken and
//! scheduled (several microseconds each way here); a quiet pool sleeps.
//!
//! # Safety
//! A farmed call's arguments point into the suspended microthread's stack
//! or heap; the microthread does not run again until the worker is done
//! with them, so they stay valid and unshared for the whole call.
#![allow(unsafe_code)]

use crate::{context, errno, inflight};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::Duration;

type Work = Box<dyn FnOnce() + Send>;

/// One farmed call.
pub struct Job {
    work: Mutex<Option<Work>>,
    done: AtomicBool,
    /// Its event's `seq`, in flight on the worker while it runs.
    seq: u64,
}

impl Job {
    /// Its event's `seq`.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    fn new(work: Work, seq: u64) -> Job {
        Job {
            work: Mutex::new(Some(work)),
            done: AtomicBool::new(false),
            seq,
        }
    }

    /// Whether a worker finished it.
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }
}

struct Pool {
    queue: Mutex<VecDeque<Arc<Job>>>,
    queued: Condvar,
    /// Jobs in the queue, read without the lock by spinning workers.
    waiting: AtomicUsize,
    /// Workers asleep on `queued` (changed under the queue's lock): a job
    /// wakes one only when there is one to wake.
    asleep: AtomicUsize,
    /// Workers spinning for the next job: one of them takes it, so no
    /// sleeping one is woken (on two cores, a woken thread that finds
    /// nothing to do still costs a context switch).
    spinning: AtomicUsize,
    started: AtomicUsize,
}

static POOL: OnceLock<Pool> = OnceLock::new();
/// Bumped by every finished job; the idle scheduler waits for a change.
static FINISHED: AtomicU64 = AtomicU64::new(0);
/// Held to sleep on [`FINISHED_CHANGED`] and to notify it, so that a
/// change between a waiter's check and its sleep is never missed.
static FINISHED_LOCK: Mutex<()> = Mutex::new(());
static FINISHED_CHANGED: Condvar = Condvar::new();
/// Whether anyone sleeps on [`FINISHED_CHANGED`]. With [`FINISHED`] it is
/// read and written in one total order (SeqCst), so a finished job either
/// is seen by the waiter's last check or sees the waiter and wakes it.
static FINISHED_WAITERS: AtomicUsize = AtomicUsize::new(0);

/// How long each side of a hand-off spins before it sleeps.
pub const SPIN: Duration = Duration::from_micros(50);

/// Spins until `ready` or [`SPIN`] has passed; whether it became ready.
/// `ready` is looked at after every pause: a pause takes 17 ns here (about
/// 140 cycles on recent x86), so looking once per batch of 64 left a
/// finished hand-off unseen for 0.5 µs on average, each way. The clock is
/// read once per batch.
fn spin_until(ready: impl Fn() -> bool) -> bool {
    let start = std::time::Instant::now();
    loop {
        for _ in 0..64 {
            if ready() {
                return true;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= SPIN {
            return ready();
        }
    }
}

fn pool() -> &'static Pool {
    POOL.get_or_init(|| Pool {
        queue: Mutex::new(VecDeque::new()),
        queued: Condvar::new(),
        waiting: AtomicUsize::new(0),
        asleep: AtomicUsize::new(0),
        spinning: AtomicUsize::new(0),
        started: AtomicUsize::new(0),
    })
}

fn workers_wanted() -> usize {
    crate::config::get().map_or(crate::config::DEFAULT_FARM_WORKERS, |c| c.farm_workers)
}

/// Queues a job, starting the workers on first use.
fn submit(job: Arc<Job>) {
    let pool = pool();
    let wanted = workers_wanted();
    while pool.started.load(Ordering::Relaxed) < wanted {
        let n = pool.started.fetch_add(1, Ordering::Relaxed);
        if n >= wanted {
            break;
        }
        let spawned = std::thread::Builder::new()
            .name(format!("blockguard-farm-{n}"))
            .stack_size(256 << 10)
            .spawn(move || work_loop(n));
        if spawned.is_err() {
            pool.started.fetch_sub(1, Ordering::Relaxed);
            break;
        }
    }
    let wake = {
        let mut queue = pool.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.push_back(job);
        pool.waiting.fetch_add(1, Ordering::SeqCst);
        // A spinning worker takes it without being woken: when it stops
        // spinning it looks at the queue under this lock before it sleeps.
        pool.spinning.load(Ordering::SeqCst) == 0 && pool.asleep.load(Ordering::Relaxed) > 0
    };
    if wake {
        pool.queued.notify_one();
    }
}

/// Worker `n`'s loop; its in-flight slot follows the test thread's.
fn work_loop(n: usize) {
    crate::context::stop_probing();
    inflight::bind(1 + n);
    let pool = pool();
    loop {
        pool.spinning.fetch_add(1, Ordering::SeqCst);
        spin_until(|| pool.waiting.load(Ordering::SeqCst) > 0);
        pool.spinning.fetch_sub(1, Ordering::SeqCst);
        let job = {
            let mut queue = pool.queue.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(job) = queue.pop_front() {
                    pool.waiting.fetch_sub(1, Ordering::SeqCst);
                    // More queued than this worker takes, and nobody
                    // spinning for them: pass the wake-up on.
                    if !queue.is_empty()
                        && pool.spinning.load(Ordering::SeqCst) == 0
                        && pool.asleep.load(Ordering::Relaxed) > 0
                    {
                        pool.queued.notify_one();
                    }
                    break job;
                }
                pool.asleep.fetch_add(1, Ordering::Relaxed);
                queue = pool
                    .queued
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
                pool.asleep.fetch_sub(1, Ordering::Relaxed);
            }
        };
        let work = job
            .work
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(work) = work {
            let _in_flight = inflight::mark(job.seq);
            // A panic here would be the runtime's own bug; the job still ends.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        }
        job.done.store(true, Ordering::Release);
        FINISHED.fetch_add(1, Ordering::SeqCst);
        if FINISHED_WAITERS.load(Ordering::SeqCst) > 0 {
            let _held = FINISHED_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
            FINISHED_CHANGED.notify_all();
        }
    }
}

/// How many jobs have finished so far; read it before deciding to wait.
pub fn finished() -> u64 {
    FINISHED.load(Ordering::Acquire)
}

/// Waits until a job finishes after `seen` was read, or `timeout` passes:
/// spinning at first (see the module note), then asleep.
pub fn wait_for_completion(seen: u64, timeout: Option<Duration>) {
    let changed = || FINISHED.load(Ordering::SeqCst) != seen;
    if spin_until(changed) {
        return;
    }
    let mut held = FINISHED_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    FINISHED_WAITERS.fetch_add(1, Ordering::SeqCst);
    let _waiting = Waiting;
    while !changed() {
        held = match timeout {
            None => FINISHED_CHANGED
                .wait(held)
                .unwrap_or_else(PoisonError::into_inner),
            Some(t) => {
                let (h, result) = FINISHED_CHANGED
                    .wait_timeout(held, t)
                    .unwrap_or_else(PoisonError::into_inner);
                if result.timed_out() {
                    return;
                }
                h
            }
        };
    }
}

/// Counts a waiter out again however its wait ends.
struct Waiting;

impl Drop for Waiting {
    fn drop(&mut self) {
        FINISHED_WAITERS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A farmed call's arguments, moved to the worker as one value.
pub struct Args<T>(T);

// SAFETY: see the module's safety note: the arguments are used by exactly
// one thread at a time, the worker, while their owner is suspended.
unsafe impl<T> Send for Args<T> {}

impl<T> Args<T> {
    /// Wraps the arguments.
    pub fn new(args: T) -> Self {
        Args(args)
    }

    /// The arguments, on the worker.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Where a worker leaves a call's result and `errno`.
type Slot<R> = Mutex<Option<Args<(R, i32)>>>;

/// Runs `f` (the real call, whose event line is `seq`) on a worker while
/// the calling microthread is suspended; returns its result with `errno`
/// as the call left it.
pub fn call<R: 'static>(seq: u64, f: impl FnOnce() -> R + Send + 'static) -> R {
    // Results may be pointers (fgets, gethostbyname): they cross as Args.
    let slot: Arc<Slot<R>> = Arc::new(Mutex::new(None));
    let job = {
        // The pool's own locks must not be judged (and farmed) themselves.
        let _quiet = context::enter_guard();
        let out = Arc::clone(&slot);
        let job = Arc::new(Job::new(
            Box::new(move || {
                let r = f();
                let e = errno::get();
                *out.lock().unwrap_or_else(PoisonError::into_inner) = Some(Args::new((r, e)));
            }),
            seq,
        ));
        submit(Arc::clone(&job));
        job
    };
    if super::wait_farmed(Arc::clone(&job)).is_none() {
        // Not on a microthread after all: wait here.
        let _quiet = context::enter_guard();
        while !job.is_done() {
            let seen = finished();
            if job.is_done() {
                break;
            }
            wait_for_completion(seen, Some(Duration::from_millis(50)));
        }
    }
    let _quiet = context::enter_guard();
    let (r, e) = slot
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .expect("a finished farmed call left its result")
        .into_inner();
    errno::set(e);
    r
}
