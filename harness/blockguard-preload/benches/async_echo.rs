//! The guard runtime's cost on async code, side by side in one run: a tokio
//! echo server and 8 clients over loopback on a multi-thread runtime
//! (`fixtures/async-bench`), 2000 round trips each, with the runtime in
//! audit mode against without it: a ratio (target ≤ 1.10). Every task poll
//! on the workers is a guarded context, so each socket call is classified.
//! Run: `cargo bench -p blockguard-preload --bench async_echo`.

mod support;

use support::{build_fixture, build_preload, run, side_by_side};

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
    let (plain, guarded) = side_by_side(
        || run(&exe, test, None),
        || run(&exe, test, Some((so.as_path(), "audit"))),
    );
    println!(
        "tokio multi_thread echo, 8 clients x 2000 round trips over loopback: {plain:.0} ns/trip plain, {guarded:.0} ns/trip guarded (audit), ratio {:.3} (target <= 1.10)",
        guarded / plain
    );
}
