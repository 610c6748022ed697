//! `cargo xtask run-suite` as a child process of another task, with its
//! output in a log file and its JSON report read back.

use crate::exit;
use crate::run_suite::report::model::Report;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A run-suite child to start.
#[derive(Debug, Clone)]
pub struct SuiteRun<'a> {
    /// The suite (as run-suite takes it).
    pub suite: &'a str,
    /// Further run-suite flags (`--mode audit`, `-j 2`).
    pub args: Vec<String>,
    /// Where its report goes.
    pub report: PathBuf,
    /// Where its stdout and stderr go.
    pub log: PathBuf,
    /// Environment variables to set.
    pub env: Vec<(&'a str, String)>,
}

/// What the child left.
#[derive(Debug, Clone)]
pub struct SuiteRunResult {
    /// The report, or why there is none.
    pub report: Result<Report, String>,
}

impl SuiteRun<'_> {
    /// Runs it to its end.
    pub fn run(&self) -> SuiteRunResult {
        let _ = std::fs::remove_file(&self.report);
        let failed = |why: String| SuiteRunResult { report: Err(why) };
        let exe = match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => return failed(format!("cannot find xtask's own executable: {e}")),
        };
        let log = match std::fs::File::create(&self.log) {
            Ok(f) => f,
            Err(e) => return failed(format!("{}: {e}", self.log.display())),
        };
        let status = Command::new(exe)
            .arg("run-suite")
            .arg(self.suite)
            .args(&self.args)
            .arg("--report")
            .arg(&self.report)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env(crate::env::PARENT, std::process::id().to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_or_else(|_| Stdio::null(), Stdio::from))
            .stderr(log)
            .status();
        let code = match status {
            Ok(s) => s.code(),
            Err(e) => return failed(format!("cannot run run-suite: {e}")),
        };
        let report = if code == Some(i32::from(exit::ERROR)) {
            Err(format!(
                "run-suite could not run it: {}",
                last_error(&self.log).unwrap_or_else(|| format!("see {}", self.log.display()))
            ))
        } else {
            read_report(&self.report).map_err(|why| format!("{why}; see {}", self.log.display()))
        };
        SuiteRunResult { report }
    }
}

/// A run-suite report from disk.
pub fn read_report(path: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The `error: …` line run-suite printed last.
fn last_error(log: &Path) -> Option<String> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .map(str::to_owned)
}
