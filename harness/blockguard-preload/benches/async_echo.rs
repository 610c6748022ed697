//! The guard runtime's cost on async code, side by side in one run: a tokio
//! echo server and 8 clients over loopback on a multi-thread runtime
//! (`fixtures/async-bench`), with the runtime in audit mode against without
//! it. Every task poll on the workers is a guarded context, so each socket
//! call is classified.
//!
//! Two figures: the steady ratio per round trip (target ≤ 1.10), timed
//! after each client's 50 untimed round trips; and the warm-up, where the
//! runtime meets every call site for the first time and symbolises it
//! once, as the extra milliseconds it costs.
//! Run: `cargo bench -p blockguard-preload --bench async_echo`.

// Shared by the benchmarks; this one uses part of it.
#[allow(dead_code)]
mod support;

use support::{ROUNDS, build_fixture, build_preload, figures, median};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "async echo benchmark: run with `cargo bench -p blockguard-preload --bench async_echo`"
        );
        return;
    }
    let so = build_preload();
    let exe = build_fixture("async-bench");
    let test = "tests::echo";
    let figure = |all: &[(String, f64)], name: &str| {
        all.iter()
            .find(|(n, _)| n == name)
            .map(|&(_, v)| v)
            .unwrap_or_else(|| panic!("no `{name}` figure in {all:?}"))
    };
    let (mut plain, mut guarded) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        plain.push(figures(&exe, test, None));
        guarded.push(figures(&exe, test, Some((so.as_path(), "audit"))));
    }
    let median_of = |runs: &[Vec<(String, f64)>], name: &str| {
        median(runs.iter().map(|r| figure(r, name)).collect())
    };
    let (trip, guarded_trip) = (median_of(&plain, "echo"), median_of(&guarded, "echo"));
    let (warmup, guarded_warmup) = (median_of(&plain, "warmup"), median_of(&guarded, "warmup"));
    println!(
        "tokio multi_thread echo, 8 clients x 5000 timed round trips over loopback: {trip:.0} ns/trip plain, {guarded_trip:.0} ns/trip guarded (audit), ratio {:.3} (target <= 1.10)",
        guarded_trip / trip
    );
    println!(
        "warm-up (8 x 50 round trips, every call site met for the first time): {:.1} ms plain, {:.1} ms guarded: {:+.1} ms once",
        warmup / 1e6,
        guarded_warmup / 1e6,
        (guarded_warmup - warmup) / 1e6
    );
}
