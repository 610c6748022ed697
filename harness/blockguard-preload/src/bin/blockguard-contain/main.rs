//! `blockguard-contain`: the launcher every test process runs under.
//!
//! ```text
//! runner ── blockguard-contain ──fork── init (PID 1 of a new PID namespace) ──fork── test (PID 2)
//!           dies with the runner        dies with the launcher; when it           own process
//!           (parent-death signal)       exits, the kernel kills every             group; exec
//!                                       process left in the namespace
//! ```
//!
//! Nothing the test starts can outlive it: a `setsid` daemon is still in
//! the namespace. The launcher exits exactly as the test did (its code, or
//! its signal re-raised). Where no namespace can be made, it execs the test
//! in its own place, keeping only the parent-death signal, and says why in
//! the status file (see `blockguard_protocol::contain`). With
//! `--join-sandbox PID` it first joins the run's sandbox (`sandbox.rs`),
//! with `--sandbox PATHS…` it makes one of its own, and it never runs the
//! test outside it.
//!
//! The launcher is single-threaded, so everything it does between `fork`
//! and `exec` is safe to do there.
#![deny(unsafe_code)]

mod args;
mod args_error;
mod contain;
mod namespace;
mod pid1;
mod private_tmp;
mod replay;
mod sandbox;
mod sandbox_error;
mod sandbox_make;
mod sandbox_tree;
mod serve;
mod sys;
mod sys_fd;
mod sys_mount;
mod sys_ns;

use blockguard_protocol::contain::HOLD_SANDBOX_ARG;
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
