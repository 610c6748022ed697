//! `blockguard-contain`: the launcher every test process runs under.
//!
//! ```text
//! runner ── blockguard-contain --hold-pids ──fork── init (PID 1 of the run's PID namespace)
//!           (or --hold-sandbox)                     dies with its holder; then the kernel
//!                                                   kills every process left in the namespace
//!
//! runner ── blockguard-contain ──────────fork── reaper ───────────────fork── test
//!           joins the run's PID namespace       in the run's PID            its own pid and
//!           (setns), then a mount namespace     namespace; a child          process group;
//!           of the test's own; dies with        subreaper, dying with       exec
//!           the runner (parent-death signal)    the launcher
//! ```
//!
//! One PID namespace per run, so that tests side by side each see a pid of
//! their own; a reaper per test, so that nothing the test starts outlives
//! it: a `setsid` daemon is still below the reaper, which names and kills
//! what the test left behind. A reaper killed outright (the runner's
//! SIGKILL at a timeout) leaves its orphans to the run's init, which kills
//! them; and when the runner dies, so do the holder and its init, and the
//! kernel kills the rest. The launcher exits exactly as the test did (its
//! code, or its signal re-raised). Given no run's namespace to join, it
//! makes a PID namespace of its own (its reaper is PID 1 there); where no
//! namespace can be made, it execs the test in its own place, keeping only
//! the parent-death signal, and says why in the status file (see
//! `blockguard_protocol::contain`). With `--join-sandbox PID` it joins the
//! run's sandbox (`sandbox.rs`) and the PID namespace in it, with
//! `--sandbox PATHS…` it makes one of its own, and it never runs the test
//! outside it.
//!
//! The launcher is single-threaded, so everything it does between `fork`
//! and `exec` is safe to do there, and it may join user namespaces.
#![deny(unsafe_code)]

mod args;
mod args_error;
mod contain;
mod descendants;
mod hold;
mod namespace;
mod private_tmp;
mod reaper;
mod replay;
mod run_init;
mod run_pids;
mod sandbox;
mod sandbox_error;
mod sandbox_make;
mod sandbox_tree;
mod serve;
mod sweep;
mod sys;
mod sys_fd;
mod sys_mount;
mod sys_ns;
mod sys_reap;

use blockguard_protocol::contain::{HOLD_PIDS_ARG, HOLD_SANDBOX_ARG};
use blockguard_protocol::launch::SERVE_LAUNCHES_ARG;
use contain::Ran;
use std::process::ExitCode;

/// The exit code for a launcher that could not start the test.
const CANNOT_RUN: u8 = 127;

fn main() -> ExitCode {
    let first = std::env::args_os().nth(1);
    if first.as_ref().is_some_and(|a| a == HOLD_SANDBOX_ARG) {
        return sandbox::hold(std::env::args_os().skip(2));
    }
    if first.as_ref().is_some_and(|a| a == HOLD_PIDS_ARG) {
        return run_pids::hold();
    }
    if first.as_ref().is_some_and(|a| a == SERVE_LAUNCHES_ARG) {
        return serve::serve(std::env::args_os().skip(2));
    }
    let args = match args::Args::parse(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("blockguard-contain: {e}");
            return ExitCode::from(2);
        }
    };
    // Dies with the runner; if the runner is already gone, so are we.
    if sys::die_with_parent().is_err() || sys::parent() != args.parent {
        return ExitCode::from(CANNOT_RUN);
    }
    match contain::contain(&args) {
        Ran::Waited(wait_status) => replay::exit_as(wait_status),
        Ran::NotRun(code) => ExitCode::from(code),
        Ran::Uncontained => {
            let error = sys::exec(&args.program);
            eprintln!(
                "blockguard-contain: cannot run {}: {error}",
                args.program[0].to_string_lossy()
            );
            ExitCode::from(CANNOT_RUN)
        }
    }
}
