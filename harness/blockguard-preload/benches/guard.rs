//! The guard runtime's cost, measured side by side in one run:
//!
//! 1. 1M cheap guarded calls (1-byte reads of /dev/zero) on an unguarded
//!    worker thread, with the preload against without: a ratio (target ≤ 1.05).
//! 2. The same calls on the test's microthread in audit mode, one site seen
//!    over and over: added nanoseconds per call (target ≤ 1000).
//! 3. A microthread suspend + resume round trip (target ≤ 50 ns).
//!
//! Each measurement alternates the two sides over several rounds and takes
//! medians, since the machines are shared. Run: `cargo bench -p blockguard-preload`.

mod support;

use support::{ROUNDS, build_fixture, build_preload, median, run, side_by_side};

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
        "unguarded thread, 1M reads of /dev/zero: {plain:.1} ns/call plain, {guarded:.1} ns/call preloaded, ratio {:.3} (target <= 1.05)",
        guarded / plain
    );
    let test = "tests::microthread_reads";
    let (plain, guarded) = side_by_side(|| run(&exe, test, None), || run(&exe, test, audit));
    println!(
        "microthread, audit, same site: {plain:.1} ns/call plain, {guarded:.1} ns/call guarded, added {:.1} ns/call (target <= 1000)",
        guarded - plain
    );
    let trips: Vec<f64> = (0..ROUNDS)
        .map(|_| run(&exe, "tests::yield_round_trip", audit))
        .collect();
    println!(
        "microthread suspend + resume round trip: {:.1} ns (target <= 50)",
        median(trips)
    );
}
