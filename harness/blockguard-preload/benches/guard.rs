//! The guard runtime's cost, measured side by side in one run:
//!
//! 1. 1M cheap guarded calls (1-byte reads of /dev/zero) on an unguarded
//!    worker thread, with the preload against without: a ratio.
//! 2. The same calls on the test's microthread in audit mode, one site seen
//!    over and over: added nanoseconds per call.
//! 3. A microthread suspend + resume round trip, beside
//!    the floor under it: corosensei's own round trip when the suspend is
//!    reached through a C-ABI call that cannot be inlined, as a
//!    `blockguard_yield_now` from the test is.
//!
//! Each measurement alternates the two sides over several rounds and takes
//! medians, since the machines are shared. Run: `cargo bench -p blockguard-preload`.

mod support;

use corosensei::{Coroutine, CoroutineResult, Yielder};
use std::sync::atomic::{AtomicPtr, Ordering};
use support::{ROUNDS, build_fixture, build_preload, median, run, side_by_side, verdict};

/// The targets, as the book's `docs/src/benchmarks/guard.md` gives them.
const UNGUARDED_RATIO: f64 = 1.03;
const AUDIT_ADDED_NS: f64 = 500.0;
const ROUND_TRIP_NS: f64 = 20.0;

fn main() {
    // `cargo test --benches` runs this with --bench absent; stay quick then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("guard benchmark: run with `cargo bench -p blockguard-preload`");
        return;
    }
    let so = build_preload();
    let exe = build_fixture("guard-bench");
    let audit = Some((so.as_path(), "audit"));
    let test = "tests::unguarded_thread_reads";
    let (plain, guarded) = side_by_side(|| run(&exe, test, None), || run(&exe, test, audit));
    println!(
        "unguarded thread, 1M reads of /dev/zero: {plain:.1} ns/call plain, {guarded:.1} ns/call preloaded, ratio {:.3} (target <= {UNGUARDED_RATIO}): {}",
        guarded / plain,
        verdict(guarded / plain <= UNGUARDED_RATIO)
    );
    let test = "tests::microthread_reads";
    let (plain, guarded) = side_by_side(|| run(&exe, test, None), || run(&exe, test, audit));
    println!(
        "microthread, audit, same site: {plain:.1} ns/call plain, {guarded:.1} ns/call guarded, added {:.1} ns/call (target <= {AUDIT_ADDED_NS}): {}",
        guarded - plain,
        verdict(guarded - plain <= AUDIT_ADDED_NS)
    );
    let mut trips = Vec::new();
    let mut floors = Vec::new();
    for _ in 0..ROUNDS {
        trips.push(run(&exe, "tests::yield_round_trip", audit));
        floors.push(switch_floor());
    }
    let (trip, floor) = (median(trips), median(floors));
    println!(
        "microthread suspend + resume round trip: {trip:.1} ns (target <= {ROUND_TRIP_NS}): {}; corosensei alone through a C call: {floor:.1} ns, {:+.1} ns over it",
        verdict(trip <= ROUND_TRIP_NS),
        trip - floor
    );
}

/// The yielder the floor's coroutine suspends through.
static FLOOR_YIELDER: AtomicPtr<Yielder<(), ()>> = AtomicPtr::new(std::ptr::null_mut());

#[inline(never)]
extern "C" fn floor_yield() -> i32 {
    let y = FLOOR_YIELDER.load(Ordering::Relaxed);
    // SAFETY: set by the coroutine that calls this, before its first call,
    // and that coroutine is the one running.
    unsafe { (*y).suspend(()) };
    0
}

/// ns per round trip of a bare corosensei coroutine whose body suspends
/// inside a C-ABI function reached through a pointer.
fn switch_floor() -> f64 {
    const TRIPS: u64 = 5_000_000;
    let call: extern "C" fn() -> i32 = std::hint::black_box(floor_yield);
    let mut co = Coroutine::new(move |y: &Yielder<(), ()>, ()| {
        FLOOR_YIELDER.store(std::ptr::from_ref(y).cast_mut(), Ordering::Relaxed);
        for _ in 0..=TRIPS {
            call();
        }
    });
    let _ = co.resume(());
    let start = std::time::Instant::now();
    let mut trips = 0u64;
    while let CoroutineResult::Yield(()) = co.resume(()) {
        trips += 1;
    }
    start.elapsed().as_nanos() as f64 / trips.max(1) as f64
}
