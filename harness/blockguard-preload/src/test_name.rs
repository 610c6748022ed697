//! Which test a thread's calls belong to.
//!
//! A process runs one test (`BLOCKGUARD_TEST`), or a whole libtest binary
//! (`BLOCKGUARD_TESTS`), as plain `cargo test` runs it through the target
//! runner. libtest starts one thread per test from its main thread, in the
//! order of that list, and std names each thread after its test, cut to
//! 15 bytes: too short to tell `tests::parse_a` from `tests::parse_b`. So
//! the k-th thread the main thread creates is told k, and when it names
//! itself it takes the k-th test if the name fits; otherwise (the main
//! thread made a thread for something else, shifting the count) the
//! first unclaimed test the name fits. Threads a test's thread creates
//! belong to the same test while it runs; once it has ended, such a
//! thread (a pool's, kept for later tests) belongs to no test: its calls
//! are the binary's [`SHARED_THREAD`], never another test's.

use crate::config;
use blockguard_protocol::env::thread_name_prefix;
use blockguard_protocol::trace::SHARED_THREAD;
use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// No test (or the one test of a single-test process).
pub const NONE: usize = usize::MAX;
/// The index of [`SHARED_THREAD`]'s calls.
pub const SHARED: usize = usize::MAX - 1;

thread_local! {
    /// This thread's test, as an index into the list.
    static INDEX: Cell<usize> = const { Cell::new(NONE) };
    /// Which thread of the main thread's this is, in creation order.
    static ORDINAL: Cell<usize> = const { Cell::new(NONE) };
    /// This thread is its test's own libtest thread.
    static OWN: Cell<bool> = const { Cell::new(false) };
}

/// Threads the main thread has created.
static CREATED: AtomicUsize = AtomicUsize::new(0);
/// Tests whose thread has been found.
static CLAIMED: OnceLock<Box<[AtomicBool]>> = OnceLock::new();
/// Tests whose thread's body has returned.
static ENDED: OnceLock<Box<[AtomicBool]>> = OnceLock::new();

fn flags(cell: &'static OnceLock<Box<[AtomicBool]>>, tests: &[String]) -> &'static [AtomicBool] {
    cell.get_or_init(|| tests.iter().map(|_| AtomicBool::new(false)).collect())
}

/// The tests, when this process runs a whole binary.
pub fn many() -> Option<&'static [String]> {
    config::get()?.tests.as_deref()
}

/// The test this thread's calls belong to ([`SHARED_THREAD`] for a
/// thread whose test has ended).
pub fn current() -> Option<&'static str> {
    let cfg = config::get()?;
    match &cfg.tests {
        Some(_) if index() == SHARED => Some(SHARED_THREAD),
        Some(tests) => tests.get(index()).map(String::as_str),
        None => cfg.test.as_deref(),
    }
}

/// The test this thread's calls belong to, when this process runs many
/// (for trace lines, which then say whose they are).
pub fn current_of_many() -> Option<&'static str> {
    many().and(current())
}

/// This thread's test index ([`NONE`] in a single-test process,
/// [`SHARED`] on a thread its test left behind).
pub fn index() -> usize {
    let index = INDEX.with(Cell::get);
    let left_behind = || {
        !OWN.with(Cell::get)
            && many().is_some_and(|tests| {
                flags(&ENDED, tests)
                    .get(index)
                    .is_some_and(|ended| ended.load(Ordering::Relaxed))
            })
    };
    if index < SHARED && left_behind() {
        SHARED
    } else {
        index
    }
}

/// This thread's test (its own libtest thread) has returned: threads it
/// left behind are no longer its.
pub fn own_test_ended() {
    let index = INDEX.with(Cell::get);
    if let (true, Some(tests)) = (OWN.with(Cell::get), many())
        && let Some(ended) = flags(&ENDED, tests).get(index)
    {
        ended.store(true, Ordering::Relaxed);
    }
}

/// Makes this thread's calls belong to test `index` (a thread created by
/// a test's thread).
pub fn inherit(index: usize) {
    INDEX.with(|c| c.set(index));
}

/// Counts one thread created by the main thread; its ordinal.
pub fn next_ordinal() -> usize {
    CREATED.fetch_add(1, Ordering::Relaxed)
}

/// Tells this thread its ordinal.
pub fn set_ordinal(ordinal: usize) {
    ORDINAL.with(|c| c.set(ordinal));
}

/// The thread names itself `name`: the test it is libtest's thread for,
/// if any, which from now on its calls belong to.
pub fn claim(name: &[u8]) -> Option<&'static str> {
    let tests = many()?;
    let claimed = flags(&CLAIMED, tests);
    let fits = |i: usize| thread_name_prefix(&tests[i]).as_bytes() == name;
    let take = |i: usize| fits(i) && !claimed[i].swap(true, Ordering::Relaxed);
    let ordinal = ORDINAL.with(Cell::get);
    let index = if ordinal < tests.len() && take(ordinal) {
        ordinal
    } else {
        (0..tests.len()).find(|&i| take(i))?
    };
    inherit(index);
    OWN.with(|own| own.set(true));
    Some(&tests[index])
}
