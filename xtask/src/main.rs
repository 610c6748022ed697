//! `cargo xtask`: blockguard's command line.
//!
//! A thin dispatcher: the command line is parsed in [`cli`], the environment
//! in [`env`], and each task lives in its own module.

#![forbid(unsafe_code)]

mod catalog;
mod child;
mod cli;
mod env;
mod exit;
mod findings;
mod nightly;
mod outputs;
mod run_suite;
mod stability;
mod suites_table;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let env = match env::Env::from_process() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    let code = match cli.command {
        cli::Command::RunSuite(args) => run_suite::run(&args, &env),
        cli::Command::SuitesTable(args) => suites_table::run(&args, &env),
        cli::Command::Stability(args) => stability::run(&args, &env),
        cli::Command::Nightly(args) => nightly::run(&args, &env),
        cli::Command::MergeReports(args) => nightly::merge_reports(&args),
    };
    ExitCode::from(code)
}
