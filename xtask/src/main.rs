//! `cargo xtask`: blockguard's command line for this repository's suites.
//!
//! A thin dispatcher: the command line is parsed in [`cli`], and each task
//! is the engine's (`blockguard-runner`), run against this repository.

#![forbid(unsafe_code)]

mod cli;
mod release;
mod target_dir;
mod test_setup;

use blockguard_runner::{
    env, exit, live, nightly, real_crates, run_suite, stability, suites_table,
};
use clap::Parser;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root");
    let env = match env::Env::from_process(root) {
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
        cli::Command::RealCrates(args) => real_crates::run(&args, &env),
        cli::Command::Nightly(args) => nightly::run(&args, &env),
        cli::Command::MergeReports(args) => nightly::merge_reports(&args),
        cli::Command::Serve(args) => {
            live::saved::run(&args, &root.join("target/blockguard/reports"))
        }
        cli::Command::Test(args) => test_setup::run(&args, root),
        cli::Command::Dist(args) => release::run(&args, root),
    };
    ExitCode::from(code)
}
