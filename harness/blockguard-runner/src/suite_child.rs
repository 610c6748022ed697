//! `cargo xtask run-suite` as a child process of another task, with its
//! output in a log file and its JSON report read back.

use crate::process::{Ended, Launch, spawn_and_wait};
use crate::schema::Report;
use crate::schema::exit;
use crate::suite_child_error::{ReadReportError, SuiteRunError};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
#[derive(Debug)]
pub struct SuiteRunResult {
    /// The report, or why there is none.
    pub report: Result<Report, SuiteRunError>,
}

/// The longest a run-suite child may take: its own per-test timeouts end
/// hung tests, so only a runner that itself hangs meets this bound.
const SUITE_TIMEOUT: Duration = Duration::from_secs(4 * 60 * 60);

impl SuiteRun<'_> {
    /// Runs it to its end, through the process module: its own group,
    /// both streams into the log as they come, a bound on its time.
    pub fn run(&self) -> SuiteRunResult {
        let _ = std::fs::remove_file(&self.report);
        let failed = |why| SuiteRunResult { report: Err(why) };
        let exe = match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => return failed(SuiteRunError::OwnExe(e)),
        };
        let mut args: Vec<OsString> = vec!["run-suite".into(), self.suite.into()];
        args.extend(self.args.iter().map(OsString::from));
        args.extend(["--report".into(), self.report.clone().into_os_string()]);
        let mut env: Vec<(OsString, OsString)> = self
            .env
            .iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect();
        env.push((
            crate::env::PARENT.into(),
            std::process::id().to_string().into(),
        ));
        let launch = Launch {
            exe,
            args,
            cwd: std::env::current_dir().unwrap_or_else(|_| "/".into()),
            env,
            timeout: SUITE_TIMEOUT,
            label: format!("run-suite {}", self.suite),
            log: Some(self.log.clone()),
            ..Launch::default()
        };
        let code = match spawn_and_wait(&launch) {
            Ok(done) => match done.ended {
                Ended::Exited(code) => Some(code),
                Ended::Signaled(_) | Ended::TimedOut => None,
            },
            Err(e) => return failed(SuiteRunError::Spawn(e)),
        };
        let report = if code == Some(i32::from(exit::ERROR)) {
            Err(match last_error(&self.log) {
                Some(line) => SuiteRunError::Failed(line),
                None => SuiteRunError::FailedSilently {
                    log: self.log.clone(),
                },
            })
        } else {
            read_report(&self.report).map_err(|source| SuiteRunError::NoReport {
                source,
                log: self.log.clone(),
            })
        };
        SuiteRunResult { report }
    }
}

/// A run-suite report from disk.
pub fn read_report(path: &Path) -> Result<Report, ReadReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReadReportError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ReadReportError::Parse {
        path: path.to_owned(),
        source,
    })
}

/// The `error: …` line run-suite printed last.
fn last_error(log: &Path) -> Option<String> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .map(str::to_owned)
}
