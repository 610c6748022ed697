//! The command line: `cargo blockguard <command>`, as cargo passes it
//! (`cargo-blockguard blockguard <command> ...`).

use blockguard_runner::options::RunOptions;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// How cargo runs a subcommand: its own name comes first.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo")]
pub enum Cargo {
    /// blockguard: your tests, with a guard on every call that can block
    /// the thread.
    #[command(version, about)]
    Blockguard(Blockguard),
}

/// `cargo blockguard`.
#[derive(Debug, Args)]
pub struct Blockguard {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

impl From<Blockguard> for Command {
    fn from(b: Blockguard) -> Command {
        b.command
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the workspace's tests under the guards: one process per test,
    /// per-test outcomes and blocking calls, snapshots and a report.
    Test(Box<TestArgs>),
    Exec(ExecArgs),
    /// Run a program with its `main` as the guarded microthread, and watch
    /// its blocking calls live with --serve.
    Run(RunArgs),
}

// `cargo blockguard exec` parsed on its own: the target runner starts
// once per test binary (per test under nextest), and building the whole
// command line's parser first cost it 0.15 ms each time.
#[derive(Debug, Parser)]
#[command(name = "cargo blockguard exec", bin_name = "cargo blockguard exec")]
pub struct ExecOnly {
    #[command(flatten)]
    pub args: ExecArgs,
}

impl ExecOnly {
    /// The arguments after `cargo-blockguard blockguard exec`, when this
    /// process was started as the target runner.
    pub fn from_process() -> Option<ExecOnly> {
        let mut args = std::env::args_os().skip(1);
        let exec = args.next().is_some_and(|a| a == "blockguard")
            && args.next().is_some_and(|a| a == "exec");
        exec.then(|| ExecOnly::parse_from(std::iter::once("exec".into()).chain(args)))
    }
}

/// `cargo blockguard run [--mode M] [--serve ADDR] -- PROGRAM ARGS…`.
#[derive(Debug, Args)]
#[command(after_help = "\
The program's output passes through. Rules and mode come from the workspace's blockguard.toml \
when run inside one. With --serve the dashboard is served while the program runs, and after it \
ends until interrupted (Ctrl-C). Exit code: the program's (128 + N when signal N ended it; \
86 when deny mode stopped it), 2 when it could not start.")]
pub struct RunArgs {
    /// What a denied call does. Default: the configuration's, else audit.
    #[arg(long, value_name = "deny|check|audit|farm")]
    pub mode: Option<blockguard_protocol::Mode>,

    /// Farm mode's worker threads (default 16).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub farm_workers: Option<u16>,

    /// A rules file instead of the workspace's blockguard.toml.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Serve a live dashboard at ADDR (127.0.0.1:0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub serve: Option<String>,

    /// The program and its arguments.
    #[arg(last = true, required = true, value_name = "PROGRAM ARGS")]
    pub command: Vec<std::ffi::OsString>,
}

/// A target runner for `cargo test` and `cargo nextest run`: under
/// `cargo test` the binary runs whole in one guarded process, each test
/// thread guarded and its events its own; under nextest (one test asked
/// for) that test runs in a guarded process of its own.
#[derive(Debug, Args)]
#[command(after_help = "Set it as the target runner in .cargo/config.toml:

  [target.x86_64-unknown-linux-gnu]
  runner = [\"cargo-blockguard\", \"blockguard\", \"exec\", \"--\"]

(cargo-blockguard itself, not `cargo blockguard`: a cargo started for every test binary would cost \
each one about 20 ms more.) Rules and mode come from the workspace's blockguard.toml. Exit code: 101 when a test failed or was blocked (as libtest), else 0; other programs run through it unchanged.")]
pub struct ExecArgs {
    /// What a denied call does. Default: the configuration's, else check.
    #[arg(long, value_name = "deny|check|audit")]
    pub mode: Option<blockguard_protocol::Mode>,

    /// A rules file instead of the workspace's blockguard.toml.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Write each guarded doctest's result into DIR, numbered in the order
    /// they ran (how `cargo blockguard test` collects doctests).
    #[arg(long, value_name = "DIR", hide = true)]
    pub record: Option<PathBuf>,

    /// The program and its arguments.
    #[arg(last = true, required = true, value_name = "BINARY ARGS")]
    pub command: Vec<String>,
}

/// `cargo blockguard test [OPTIONS] [-- LIBTEST ARGS]`.
#[derive(Debug, Args)]
#[command(after_help = "\
Configuration: blockguard.toml at the workspace root, or .config/blockguard.toml \
(the rules format of blockguard's suites/*.toml: [[allow]], [[suppress]], and in [suite] \
the mode, timeout and features). Snapshots: <package>/blockguard/snapshots/, reviewed with \
`cargo insta review`. The report: target/blockguard/reports/<workspace>.json.\n\n\
Exit codes: 0 everything passed, was suppressed or ignored; \
1 a test failed, was blocked, timed out or crashed, a snapshot changed, or a package did not build \
(with --strict also stale rules and new snapshots); 2 bad input or a setup error.")]
pub struct TestArgs {
    /// The workspace (or package) manifest. Default: found from the
    /// current folder, as cargo finds it.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,

    /// How the tests run.
    #[command(flatten)]
    pub run: RunOptions,
}
