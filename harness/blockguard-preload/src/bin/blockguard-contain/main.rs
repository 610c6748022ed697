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
//! and never runs the test outside it.
//!
//! The launcher is single-threaded, so everything it does between `fork`
//! and `exec` is safe to do there.
#![deny(unsafe_code)]

mod args;
mod namespace;
mod pid1;
mod replay;
mod sandbox;
mod sys;
mod sys_ns;

use blockguard_protocol::contain::{HOLD_SANDBOX_ARG, NO_SANDBOX, Status};
use std::process::ExitCode;

/// The exit code for a launcher that could not start the test.
const CANNOT_RUN: u8 = 127;

fn main() -> ExitCode {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == HOLD_SANDBOX_ARG)
    {
        return sandbox::hold();
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
    if let Some(preload) = &args.preload {
        sys::set_preload(preload);
    }
    let joined = match args.sandbox.map(sandbox::join).transpose() {
        Ok(joined) => joined,
        Err(why) => return no_sandbox(&args, why),
    };
    match namespace::enter() {
        Ok(()) => {
            let status = pid1::run_contained(&args, joined.as_ref());
            if let Some(status) = &status.status {
                write_status(&args, status);
            }
            replay::exit_as(status.wait_status)
        }
        Err(why) if args.sandbox.is_some() => no_sandbox(&args, why),
        Err(why) => {
            write_status(
                &args,
                &Status {
                    contained: false,
                    why: Some(why),
                    leaked: Vec::new(),
                },
            );
            let error = sys::exec(&args.program);
            eprintln!(
                "blockguard-contain: cannot run {}: {error}",
                args.program[0].to_string_lossy()
            );
            ExitCode::from(CANNOT_RUN)
        }
    }
}

/// Asked for the sandbox and cannot give it: never runs the test.
fn no_sandbox(args: &args::Args, why: String) -> ExitCode {
    write_status(
        args,
        &Status {
            contained: false,
            why: Some(format!("no sandbox: {why}")),
            leaked: Vec::new(),
        },
    );
    ExitCode::from(NO_SANDBOX as u8)
}

fn write_status(args: &args::Args, status: &Status) {
    if let Some(path) = &args.status {
        let _ = std::fs::write(path, status.to_json());
    }
}
