//! The options of each task, declared once: the command lines
//! (`cargo xtask`, `cargo blockguard`) embed these, and the engine reads
//! them.

use blockguard_protocol::{GuardScope, Mode};
use clap::Args;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

/// `cargo xtask nightly [OPTIONS]`.
#[derive(Debug, Args)]
#[command(after_help = "\
Verdicts: compatible (all pass, no denied call), blocking (passes only with denied calls), \
failing, build-failed, error (could not run, e.g. a toolchain that is not installed). \
Exit codes: 0 the report was written (whatever the verdicts); 1 with --fail-on-regression, \
something regressed; 2 bad input or a setup error.")]
pub struct NightlyArgs {
    /// Only suites matching NAME, a name or a glob (repeatable).
    #[arg(long = "suite", value_name = "NAME|GLOB")]
    pub suites: Vec<String>,

    /// A toolchain to run under (repeatable), e.g. stable, nightly.
    #[arg(long = "toolchain", value_name = "NAME", default_value = "stable")]
    pub toolchains: Vec<String>,

    /// The report folder: new, empty, or an earlier report (whose own
    /// files alone are replaced). Default: reports/<date>/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// The report to compare with. Default: the newest earlier
    /// reports/<date>/ beside --out.
    #[arg(long, value_name = "DIR")]
    pub baseline: Option<PathBuf>,

    /// Exit 1 when a suite or test is newly blocking or failing, or a
    /// blocking site is new.
    #[arg(long)]
    pub fail_on_regression: bool,

    /// Run one shard of the suites: hash:K/N (K from 1 to N).
    #[arg(long, value_name = "hash:K/N")]
    pub partition: Option<crate::nightly::partition::Partition>,

    /// Tests run at once within a suite. Default: the number of cores.
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<NonZeroUsize>,

    /// The report's date, YYYY-MM-DD. Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,

    /// Where the suite files are. Default: suites/.
    #[arg(long, value_name = "DIR")]
    pub suites_dir: Option<PathBuf>,

    /// Serve a live dashboard of every suite's run at ADDR (127.0.0.1:0
    /// picks a free port), and keep serving after it until interrupted.
    #[arg(long, value_name = "ADDR")]
    pub serve: Option<String>,

    /// Whether the suites' tests run in the sandbox.
    #[command(flatten)]
    pub sandboxing: SandboxFlags,
}

/// `--sandbox` / `--no-sandbox`, which `run-suite`, `cargo blockguard
/// test` and `nightly` share.
#[derive(Debug, Clone, Default, Args)]
pub struct SandboxFlags {
    /// Run the build and each test in the sandbox: no network but
    /// loopback, the homes hidden, a private /tmp, the host read-only but
    /// for the suite's own folders (needs user namespaces). Default: on
    /// for crates.io crates.
    #[arg(long, overrides_with = "no_sandbox")]
    pub sandbox: bool,

    /// Run the tests outside the sandbox, also a crates.io crate's.
    #[arg(long, overrides_with = "sandbox")]
    pub no_sandbox: bool,
}

impl SandboxFlags {
    /// Whether a suite runs in the sandbox: as told, else when it is a
    /// crates.io crate's.
    pub fn wanted(&self, from_crates_io: bool) -> bool {
        crate::sandbox::wanted(self.sandbox, self.no_sandbox, from_crates_io)
    }

    /// The flags as a run-suite child takes them.
    pub fn to_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if self.sandbox {
            args.push("--sandbox".to_owned());
        }
        if self.no_sandbox {
            args.push("--no-sandbox".to_owned());
        }
        args
    }
}

/// `cargo xtask serve [DIR] [--addr ADDR]`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 once interrupted; 2 the reports do not read, or the address is taken."
)]
pub struct ServeArgs {
    /// A folder of run-suite reports, a nightly's report folder, or one
    /// report file. Default: target/blockguard/reports/.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Where to serve (127.0.0.1:0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub addr: String,
}

/// `cargo xtask merge-reports --out DIR SHARD_DIR...`.
#[derive(Debug, Args)]
pub struct MergeReportsArgs {
    /// The merged report folder: new, empty, or an earlier report (whose
    /// own files alone are replaced).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// The report to compare with. Default: the newest earlier
    /// reports/<date>/ beside --out.
    #[arg(long, value_name = "DIR")]
    pub baseline: Option<PathBuf>,

    /// Exit 1 when something regressed.
    #[arg(long)]
    pub fail_on_regression: bool,

    /// The shards' report folders.
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub shards: Vec<PathBuf>,
}

/// `cargo xtask stability [--suite NAME]... [--runs N] [-j N]`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 no snapshot changed; 1 one did, or a run failed to report; 2 a setup error."
)]
pub struct StabilityArgs {
    /// Only this suite (repeatable); default: every suite in suites/.
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,

    /// Consecutive runs per suite.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub runs: usize,

    /// Tests run at once. Default: the number of cores.
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<NonZeroUsize>,
}

/// `cargo xtask suites-table [--suite NAME]... [--write] [-j N]`.
#[derive(Debug, Args)]
#[command(after_help = "\
Exit codes: 0 audit passed the same tests as nextest in every suite; \
1 it did not in some suite (named on stderr); 2 a setup error.")]
pub struct SuitesTableArgs {
    /// Only this suite (repeatable); default: every suite in suites/.
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,

    /// Also write the table into suites/README.md, between its markers.
    #[arg(long)]
    pub write: bool,

    /// Tests run at once, the same for nextest and run-suite. Default: the
    /// number of cores.
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<NonZeroUsize>,

    /// Run the suites' tests outside the sandbox (crates.io suites are
    /// sandboxed by default).
    #[arg(long)]
    pub no_sandbox: bool,
}

/// `cargo xtask real-crates [--crate NAME]... [--write] [-j N] [--sandbox]`.
#[derive(Debug, Args)]
#[command(after_help = "\
Each crate of real-crates/*.toml runs three times: plain `cargo test`, then `cargo blockguard test` \
in audit mode (each test must end as it did plainly) and in check mode (each denied call must be \
one the file expects, and each expected one must be denied). Drift is printed with the [[expect]] \
table that would accept it once reviewed.\n\n\
Exit codes: 0 no drift; 1 drift in some crate (named on stderr); 2 a setup error.")]
pub struct RealCratesArgs {
    /// Only this crate (repeatable); default: every file in the folder.
    #[arg(long = "crate", value_name = "NAME")]
    pub crates: Vec<String>,

    /// The folder of crate files. Default: real-crates/.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Also write the table into the book (docs/src/guide/real-crates.md).
    #[arg(long)]
    pub write: bool,

    /// Tests run at once in the guarded runs. Default: the number of cores.
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<NonZeroUsize>,

    /// Run the guarded builds and tests in the sandbox.
    #[arg(long)]
    pub sandbox: bool,

    /// Gate this `cargo-blockguard` (an installed one, say) instead of
    /// building one from this workspace (release).
    #[arg(long, value_name = "PATH")]
    pub cargo_blockguard: Option<PathBuf>,
}

/// `cargo xtask run-suite [CRATE|SUITE] [OPTIONS] [-- LIBTEST ARGS]`.
#[derive(Debug, Args)]
#[command(after_help = "\
Exit codes: 0 everything passed, was suppressed or ignored; \
1 a test failed, was blocked, timed out or crashed, a snapshot changed, or the suite did not build \
(with --strict also stale rules and new snapshots); 2 bad input or a setup error.")]
pub struct RunSuiteArgs {
    /// A crates.io crate (`name` or `name@version`; newest when no version),
    /// a suite defined in `suites/<name>.toml`, or the path of a suite file.
    #[arg(value_name = "CRATE|SUITE", conflicts_with = "path")]
    pub target: Option<String>,

    /// Run the crate or workspace at DIR (your own) instead of one from
    /// crates.io.
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,

    /// How to run it.
    #[command(flatten)]
    pub run: RunOptions,
}

/// How a suite runs: what `cargo xtask run-suite` and `cargo blockguard
/// test` share.
#[derive(Debug, Clone, Default, Args)]
pub struct RunOptions {
    /// Only this package of a workspace (repeatable). Default: the package
    /// in the folder, or at a virtual workspace's root every member.
    #[arg(short = 'p', long = "package", value_name = "PKG")]
    pub packages: Vec<String>,

    /// Every member of the workspace.
    #[arg(long, conflicts_with = "packages")]
    pub workspace: bool,

    /// What a denied call does: deny (stop the test), check (run it, then
    /// mark the test blocked), audit (only record it) or farm (run it on a
    /// worker thread while the microthread waits; recorded as farmed).
    /// Default: the suite's mode, else check.
    #[arg(long, value_name = "deny|check|audit|farm")]
    pub mode: Option<Mode>,

    /// Which contexts are guarded: test (the test's body and everything
    /// it runs: "is this library safe to call from a task?") or tasks
    /// (only executor task polls and blockguard's own microthreads: "does
    /// my async code block inside its tasks?"). Default: the suite's
    /// `guard`, else test.
    #[arg(long, value_name = "test|tasks")]
    pub guard: Option<GuardScope>,

    /// Farm mode's worker threads (default 16).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub farm_workers: Option<u16>,

    /// Snapshots of each test's blocking calls: new (compare, and write a
    /// pending `.snap.new` for `cargo insta review` where one is new or
    /// changed), check (compare only: new or changed fails, nothing is
    /// written, for CI) or none (take no snapshots).
    #[arg(long, value_name = "new|check|none", default_value = "new")]
    pub snapshots: SnapshotMode,

    /// What a run whose filters chose no test is: fail (exit code 4, the
    /// last report left as it was), warn, or pass.
    #[arg(long, value_name = "fail|warn|pass", default_value = "fail")]
    pub no_tests: NoTests,

    /// A rules file (`[[allow]]`, `[[suppress]]`, optional `[suite]`); it
    /// replaces the suite file's rules.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Also write the JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Write the denied calls as a SARIF 2.1.0 log to FILE (for GitHub
    /// code scanning), one result per blocking site.
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,

    /// human: diagnostics in the closing summary on stderr; json: also
    /// cargo's JSON messages on stdout, one per blocking site, and
    /// libtest's lines on stderr.
    #[arg(long, value_name = "FMT", value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,

    /// Per-test timeout, e.g. 60s, 500ms, 2m. Default: the suite's, else 60s.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,

    /// Tests run at once. Default: the number of cores.
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<NonZeroUsize>,

    /// Run a failing test again, up to N more times; one that then passes
    /// is reported flaky, with every attempt's outcome.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retries: u32,

    /// Treat stale rules and new (unreviewed) snapshots as failures.
    #[arg(long)]
    pub strict: bool,

    /// Serve a live dashboard of the run at ADDR (HOST:PORT, or a port on
    /// loopback; 127.0.0.1:0 picks a free port), and keep serving after the
    /// run until interrupted.
    #[arg(long, value_name = "ADDR")]
    pub serve: Option<String>,

    /// Whether the tests run in the sandbox.
    #[command(flatten)]
    pub sandboxing: SandboxFlags,

    /// In the sandbox: a test's memory (its data: heap, stacks), e.g. 8GiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub limit_memory: Option<u64>,

    /// In the sandbox: the largest file a test may write, e.g. 4GiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub limit_file_size: Option<u64>,

    /// In the sandbox: processes of the test's user (root is not held to it).
    #[arg(long, value_name = "N")]
    pub limit_processes: Option<u64>,

    /// Write the run's events to FILE as they happen, one JSON line each
    /// (how a nightly follows its suites' runs).
    #[arg(long, value_name = "FILE", hide = true)]
    pub live_feed: Option<PathBuf>,

    /// libtest flags, after `--`: FILTER, --exact, --skip, --ignored,
    /// --include-ignored, --list, --format, --test-threads.
    #[arg(last = true, value_name = "LIBTEST ARGS")]
    pub libtest: Vec<String>,
}

/// What `--message-format` asks stdout to carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    /// For people: libtest's lines on stdout, the diagnostics on stderr.
    #[default]
    Human,
    /// For programs: cargo's JSON messages alone on stdout.
    Json,
}

impl RunOptions {
    /// The sandbox's resource limits: the defaults, with those given.
    pub fn limits(&self) -> blockguard_protocol::sandbox::Limits {
        let default = blockguard_protocol::sandbox::Limits::default();
        blockguard_protocol::sandbox::Limits {
            memory: self.limit_memory.unwrap_or(default.memory),
            file_size: self.limit_file_size.unwrap_or(default.file_size),
            processes: self.limit_processes.unwrap_or(default.processes),
        }
    }
}

/// `512MiB`, `8GiB`, `1048576`: bytes.
fn parse_size(text: &str) -> Result<u64, SizeError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().map_err(|_| SizeError::NotANumber {
        text: text.to_owned(),
    })?;
    let scale: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "K" => 1 << 10,
        "MiB" | "M" => 1 << 20,
        "GiB" | "G" => 1 << 30,
        other => {
            return Err(SizeError::UnknownUnit {
                text: text.to_owned(),
                unit: other.to_owned(),
            });
        }
    };
    n.checked_mul(scale).ok_or_else(|| SizeError::TooLarge {
        text: text.to_owned(),
    })
}

/// A size flag's value that is not a size.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum SizeError {
    /// No number of bytes.
    #[error("{text}: a size is a number of bytes, KiB, MiB or GiB")]
    NotANumber {
        /// The value, trimmed.
        text: String,
    },
    /// A unit that is not a binary one.
    #[error("{text}: unknown unit {unit:?} (B, KiB, MiB, GiB)")]
    UnknownUnit {
        /// The value, trimmed.
        text: String,
        /// The unit given.
        unit: String,
    },
    /// More bytes than 64 bits hold.
    #[error("{text}: too large")]
    TooLarge {
        /// The value, trimmed.
        text: String,
    },
}

fn parse_timeout(text: &str) -> Result<Duration, blockguard_rules::DurationError> {
    blockguard_rules::parse_duration(text)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_binary_units_and_refuse_the_rest() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("8GiB"), Ok(8 << 30));
        assert_eq!(parse_size("4K"), Ok(4 << 10));
        assert_eq!(
            parse_size("1MB").unwrap_err().to_string(),
            "1MB: unknown unit \"MB\" (B, KiB, MiB, GiB)"
        );
        assert!(parse_size("lots").is_err());
        assert!(
            parse_size("99999999999GiB")
                .unwrap_err()
                .to_string()
                .contains("too large")
        );
    }
}

/// `--no-tests`: what a run that ran no test is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum NoTests {
    /// An error: exit code 4, no report written.
    #[default]
    Fail,
    /// A warning; the run exits as it went.
    Warn,
    /// Nothing to say.
    Pass,
}

/// `--snapshots`: what the run does with snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SnapshotMode {
    /// Compare, and write pending `.snap.new` files for review.
    #[default]
    New,
    /// Compare only: new or changed fails; nothing is written.
    Check,
    /// Take none.
    None,
}
