//! The scheduler's costs, measured side by side in one run:
//!
//! 1. A farmed call's round trip (guarded call → worker → resume) against
//!    the same call made directly: 1-byte reads of /dev/zero, farm mode
//!    against no runtime.
//! 2. Spawning a microthread (and joining it).
//! 3. One value through a channel between two microthreads (send + recv).
//!
//! Run: `cargo bench -p blockguard-preload --bench scheduler`.

mod support;

use support::{ROUNDS, build_fixture, build_preload, median, run, side_by_side, verdict};

/// The farmed round trip's target, as the book's
/// `docs/src/benchmarks/scheduler.md` gives it.
const FARMED_TRIP_NS: f64 = 5000.0;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "scheduler benchmark: run with `cargo bench -p blockguard-preload --bench scheduler`"
        );
        return;
    }
    let so = build_preload();
    let exe = build_fixture("scheduler-bench");
    let farm = Some((so.as_path(), "farm"));
    let (direct, farmed) = side_by_side(
        || run(&exe, "tests::direct_reads", None),
        || run(&exe, "tests::farmed_reads", farm),
    );
    println!(
        "farmed call round trip: {farmed:.0} ns/call farmed (target <= {FARMED_TRIP_NS}): {}, {direct:.1} ns/call direct, {:.0}x, {:.0} ns added",
        verdict(farmed <= FARMED_TRIP_NS),
        farmed / direct,
        farmed - direct
    );
    let spawn: Vec<f64> = (0..ROUNDS)
        .map(|_| run(&exe, "tests::spawn_and_join", farm))
        .collect();
    println!("spawn + join of a microthread: {:.0} ns", median(spawn));
    let channel: Vec<f64> = (0..ROUNDS)
        .map(|_| run(&exe, "tests::channel_send_and_receive", farm))
        .collect();
    println!(
        "channel send + receive between two microthreads: {:.0} ns",
        median(channel)
    );
}
