//! Plain `cargo test --no-fail-fast` in the crate's folder, cargo's and
//! libtest's lines on one stream (so each test line follows its binary's
//! `Running` line), kept in a log.

use super::crate_file::CrateSpec;
use super::libtest_output::{self, PlainOutcomes};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

/// The longest a plain run may take; a hung test is ended with it.
const PLAIN_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What the plain run said.
#[derive(Debug, Clone)]
pub struct PlainRun {
    /// Each test's outcome.
    pub outcomes: PlainOutcomes,
    /// Binaries without libtest lines.
    pub silent: Vec<String>,
    /// It built (cargo's exit code is 101 for failed tests, and for a
    /// failed build; a failed build prints no test lines at all).
    pub built: bool,
}

/// Runs it; the log gets everything it printed.
pub fn run(cargo: &Path, dir: &Path, krate: &CrateSpec, log: &Path) -> std::io::Result<PlainRun> {
    let (features, libtest) = (&krate.features, &krate.args);
    let (mut reader, writer) = std::io::pipe()?;
    let mut cmd = Command::new(cargo);
    cmd.args(["test", "--no-fail-fast"])
        .current_dir(dir)
        .env("CARGO_TERM_COLOR", "never")
        .envs(&krate.env)
        .stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer)
        .process_group(0);
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    if !libtest.is_empty() {
        cmd.arg("--").args(libtest);
    }
    let mut child = cmd.spawn()?;
    // Our copies of the pipe's write end go with the command.
    drop(cmd);
    let reading = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = reader.read_to_end(&mut bytes);
        bytes
    });
    if child.wait_timeout(PLAIN_TIMEOUT)?.is_none() {
        // The whole group: cargo and the test binary it runs.
        let _ = rustix::process::kill_process_group(
            rustix::process::Pid::from_child(&child),
            rustix::process::Signal::KILL,
        );
        child.wait()?;
    }
    let bytes = reading.join().unwrap_or_default();
    std::fs::write(log, &bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let (outcomes, silent) = libtest_output::parse(&text);
    let built = text.lines().any(|l| l.trim_start().starts_with("Running "));
    Ok(PlainRun {
        outcomes,
        silent,
        built,
    })
}
