//! The run's init: PID 1 of the run's PID namespace, started by the
//! namespace's holder (`run_pids`) and dying with it (a parent-death
//! signal), whereupon the kernel kills every process left in the
//! namespace. While the run lasts, each test's reaper keeps what its test
//! starts below itself; a process becomes init's only when its reaper was
//! killed (the runner kills a test's launcher, and the reaper with it,
//! when the test outlived its timeout and ignored SIGTERM), and init
//! kills it, and whatever is below it.
//!
//! Each run numbers its processes in its own namespace. Init starts the
//! numbering after its holder's pid where it may (`ns_last_pid`), so that
//! two runs side by side number from different places, not both from 2,
//! and seldom give two tests that name files in the host's `/tmp` by
//! their pid the same one. In the sandbox, whose `/proc` is read-only,
//! the numbering starts at 2: there each test has a `/tmp` of its own,
//! and each run its own network and IPC namespaces.

use crate::{sweep, sys};
use std::io::{PipeWriter, Write};

/// How often init looks for orphans: the kernel does not say when one
/// comes.
const SWEEP_EVERY_MS: u64 = 20;

/// Init's life; `ready` gets a byte once it dies with its holder, whose
/// pid is `holder`.
pub fn run(mut ready: PipeWriter, holder: u32) -> ! {
    let _ = sys::die_with_parent();
    // Before any process of the namespace is made.
    let _ = std::fs::write("/proc/sys/kernel/ns_last_pid", holder.to_string());
    // The holder waits for this byte: it cannot have gone before the
    // parent-death signal was set, unless killed, and then this fails.
    if ready.write_all(&[1]).is_err() {
        sys::exit_now(1);
    }
    drop(ready);
    loop {
        if sweep::reap_ended() {
            sweep::kill_all();
        }
        sys::sleep_ms(SWEEP_EVERY_MS);
    }
}
