//! `cargo blockguard`: your own crate or workspace under blockguard's
//! guards.
//!
//! `cargo blockguard test` runs every test of the selected packages in a
//! guarded process of its own, as `cargo xtask run-suite` does for other
//! crates: the engine is `blockguard-runner`'s, the guard runtime is the
//! one this binary carries ([`runtime`]), and the rules come from the
//! workspace's `blockguard.toml` ([`config`]).

#![forbid(unsafe_code)]

mod cli;
mod config;
mod exec;
mod exec_error;
mod run;
mod runtime;
mod runtime_error;
mod test;

use blockguard_runner::exit;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A merged doctest harness runs this program, with no arguments, for
    // each of its doctests.
    if let Some(code) = exec::doctest_shim() {
        return ExitCode::from(code);
    }
    if let Some(exec) = cli::ExecOnly::from_process() {
        return ExitCode::from(exec::run(&exec.args));
    }
    quiet_insta();
    let cli = cli::Cargo::parse();
    let cli::Cargo::Blockguard(blockguard) = cli;
    let code = match cli::Command::from(blockguard) {
        cli::Command::Test(args) => test::run(&args),
        cli::Command::Exec(args) => exec::run(&args),
        cli::Command::Run(args) => run::run(&args),
    };
    ExitCode::from(code)
}

/// The engine prints its own snapshot diffs and summary; insta's would
/// repeat them. insta reads `INSTA_OUTPUT` from the environment, so when
/// the user has not set it this process replaces itself with one where it
/// is `none` (a value the user set wins).
fn quiet_insta() {
    use std::os::unix::process::CommandExt;
    // Only `test` takes snapshots; `exec` runs once per test and must not
    // pay for a second start.
    let snapshots = std::env::args_os().nth(2).is_some_and(|a| a == "test");
    if !snapshots || std::env::var_os("INSTA_OUTPUT").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("INSTA_OUTPUT", "none")
        .exec();
    eprintln!("warning: could not restart with INSTA_OUTPUT=none: {err}");
}

/// Prints an error the way every command here does; exit code 2.
fn fail(message: impl std::fmt::Display) -> u8 {
    eprintln!("error: {message}");
    exit::ERROR
}
