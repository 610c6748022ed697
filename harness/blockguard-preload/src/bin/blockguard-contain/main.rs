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
//! the status file (see `blockguard_protocol::contain`).
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

use blockguard_protocol::contain::Status;
use std::process::ExitCode;

/// The exit code for a launcher that could not start the test.
const CANNOT_RUN: u8 = 127;

fn main() -> ExitCode {
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
    // In the sandbox, bubblewrap hands the preload to the test alone.
    if let (Some(preload), None) = (&args.preload, &args.sandbox) {
        sys::set_preload(preload);
    }
    match namespace::enter() {
        Ok(()) => {
            let status = pid1::run_contained(&args);
            if let Some(status) = &status.status {
                write_status(&args, status);
            }
            replay::exit_as(status.wait_status)
        }
        Err(why) if args.sandbox.is_some() => {
            write_status(
                &args,
                &Status {
                    contained: false,
                    why: Some(format!("no sandbox: {why}")),
                    leaked: Vec::new(),
                },
            );
            ExitCode::from(blockguard_protocol::contain::NO_SANDBOX as u8)
        }
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

fn write_status(args: &args::Args, status: &Status) {
    if let Some(path) = &args.status {
        let _ = std::fs::write(path, status.to_json());
    }
}
