//! Farm mode's worker pool: a guarded call made on a microthread runs on a
//! worker thread while the microthread is suspended and the scheduler runs
//! the others. The worker hands back the call's result and `errno`.
//!
//! Workers are plain threads, created on first use (`BLOCKGUARD_FARM_WORKERS`
//! of them, default [`crate::config::DEFAULT_FARM_WORKERS`]); a call waits in the queue while
//! every worker is busy. They never outlive the process: when the test
//! ends or times out, the process ends with them.
//!
//! # Safety
//! A farmed call's arguments point into the suspended microthread's stack
//! or heap; the microthread does not run again until the worker is done
//! with them, so they stay valid and unshared for the whole call.
#![allow(unsafe_code)]

use crate::{context, errno, inflight};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
    started: AtomicUsize,
}

static POOL: OnceLock<Pool> = OnceLock::new();
/// Bumped by every finished job; the idle scheduler waits for a change.
static FINISHED: Mutex<u64> = Mutex::new(0);
static FINISHED_CHANGED: Condvar = Condvar::new();

fn pool() -> &'static Pool {
    POOL.get_or_init(|| Pool {
        queue: Mutex::new(VecDeque::new()),
        queued: Condvar::new(),
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
    pool.queue
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push_back(job);
    pool.queued.notify_one();
}

/// Worker `n`'s loop; its in-flight slot follows the test thread's.
fn work_loop(n: usize) {
    crate::context::stop_probing();
    inflight::bind(1 + n);
    let pool = pool();
    loop {
        let job = {
            let mut queue = pool.queue.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(job) = queue.pop_front() {
                    break job;
                }
                queue = pool
                    .queued
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        let work = job
            .work
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(work) = work {
            let _in_flight = inflight::enter(job.seq);
            // A panic here would be the runtime's own bug; the job still ends.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        }
        job.done.store(true, Ordering::Release);
        *FINISHED.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        FINISHED_CHANGED.notify_all();
    }
}

/// How many jobs have finished so far; read it before deciding to wait.
pub fn finished() -> u64 {
    *FINISHED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits until a job finishes after `seen` was read, or `timeout` passes.
pub fn wait_for_completion(seen: u64, timeout: Option<Duration>) {
    let mut finished = FINISHED.lock().unwrap_or_else(PoisonError::into_inner);
    while *finished == seen {
        finished = match timeout {
            None => FINISHED_CHANGED
                .wait(finished)
                .unwrap_or_else(PoisonError::into_inner),
            Some(t) => {
                let (f, result) = FINISHED_CHANGED
                    .wait_timeout(finished, t)
                    .unwrap_or_else(PoisonError::into_inner);
                if result.timed_out() {
                    return;
                }
                f
            }
        };
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
