//! The command line, declared in one place.

use blockguard_runner::options::{
    MergeReportsArgs, NightlyArgs, RealCratesArgs, RunSuiteArgs, ServeArgs, StabilityArgs,
    SuitesTableArgs,
};
use clap::{Parser, Subcommand};

/// blockguard: run crates' test suites with guards on every blocking call.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", version, about)]
pub struct Cli {
    /// The task to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The tasks.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one crate's test suite under the guards: one process per test,
    /// per-test outcomes and blocking calls, snapshots and a report.
    RunSuite(RunSuiteArgs),
    /// Run every suite in suites/ under plain `cargo nextest run`, then
    /// `run-suite --mode audit` and `--mode check`, and print the
    /// transparency and findings table (Markdown).
    SuitesTable(SuitesTableArgs),
    /// Run suites several times in a row against their accepted snapshots
    /// and name every snapshot that changed.
    Stability(StabilityArgs),
    /// The precision gate: pinned real crates (real-crates/*.toml) through
    /// `cargo blockguard test`, audit against plain `cargo test` and check
    /// against reviewed expectations; any drift fails.
    RealCrates(RealCratesArgs),
    /// The compatibility report: every suite × toolchain under the guards,
    /// a verdict per crate, regressions against the last report.
    Nightly(NightlyArgs),
    /// Merge the report folders of `nightly --partition` shards into one.
    MergeReports(MergeReportsArgs),
    /// Browse saved reports (run-suite's or a nightly's) on the live
    /// dashboard's page.
    Serve(ServeArgs),
    /// blockguard's own tests: installs what they need where it is
    /// missing (cargo-insta, cargo-nextest, mdbook, Chromium and its
    /// driver, actionlint, the SARIF validator), then runs `cargo test
    /// --workspace`.
    Test(crate::test_setup::TestArgs),
    /// The prebuilt `cargo-blockguard` a release carries: a release build
    /// packed where cargo-binstall looks for it, with its checksum.
    Dist(crate::release::DistArgs),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroUsize;
    use std::time::Duration;

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn libtest_flags_after_the_separator_are_kept_verbatim() {
        let cli = Cli::parse_from([
            "xtask",
            "run-suite",
            "itoa",
            "-j",
            "3",
            "--timeout",
            "5s",
            "--",
            "--exact",
            "x",
        ]);
        let Command::RunSuite(args) = cli.command else {
            panic!("parsed as another command");
        };
        assert_eq!(args.target.as_deref(), Some("itoa"));
        assert_eq!(args.run.jobs.map(NonZeroUsize::get), Some(3));
        assert_eq!(args.run.timeout, Some(Duration::from_secs(5)));
        assert_eq!(args.run.libtest, ["--exact", "x"]);
    }
}
