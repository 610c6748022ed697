//! `cargo xtask serve [DIR]`: saved reports on the live page, the run
//! already done. DIR is a folder of run-suite reports
//! (`target/blockguard/reports/`), a nightly's report folder (its suites'
//! reports are in `logs/`), or one report file.

use super::dashboard::Dashboard;
use super::hub::Hub;
use crate::options::ServeArgs;
use crate::schema::exit;
use crate::schema::{Report, RunEvent, TestEntry, TestRecord};
use std::path::{Path, PathBuf};

/// Why the reports could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SavedError {
    /// No report where one was looked for.
    #[error(
        "{0}: no run-suite report there (a reports folder, a nightly folder, or a report file)"
    )]
    NoReports(PathBuf),
    /// A report did not read.
    #[error("{}: {why}", .path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
}

/// Runs the command; 0 once interrupted, 2 when the reports do not read.
pub fn run(args: &ServeArgs, default_dir: &Path) -> u8 {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| default_dir.to_path_buf());
    let reports = match read_reports(&dir) {
        Ok(reports) => reports,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::ERROR;
        }
    };
    // Loaded and ended before the address is announced: the first request
    // sees the whole run.
    let live = Hub::new("", "");
    let failed = load(&live, &dir, &reports);
    let code = if failed { exit::FAILED } else { exit::OK };
    live.end(code.into());
    // Before the address is announced: a signal sent the moment it is
    // must end the command, not be lost.
    let signals = super::dashboard::ending_signals();
    let dashboard = match Dashboard::serve(&args.addr, live) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::ERROR;
        }
    };
    eprintln!("serve: {} report(s) from {}", reports.len(), dir.display());
    dashboard.finish_on(code, signals);
    exit::OK
}

/// Every report under `dir` (or `dir` itself, a report file), by name.
pub fn read_reports(dir: &Path) -> Result<Vec<(String, Report)>, SavedError> {
    let files: Vec<PathBuf> = if dir.is_file() {
        vec![dir.to_path_buf()]
    } else {
        let folder = if dir.join("logs").is_dir() {
            dir.join("logs")
        } else {
            dir.to_path_buf()
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|_| SavedError::NoReports(dir.to_path_buf()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
    };
    let mut reports = Vec::new();
    for path in files {
        let unreadable = |why: String| SavedError::Unreadable {
            path: path.clone(),
            why,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| unreadable(e.to_string()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
        // A folder may hold other JSON (a nightly's results.json): only
        // run-suite reports count.
        if value["schema"] != "blockguard-report/1" {
            continue;
        }
        let report: Report =
            serde_json::from_value(value).map_err(|e| unreadable(e.to_string()))?;
        let name = path
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .trim_end_matches(".json")
                    .trim_end_matches(".report")
                    .to_owned()
            })
            .unwrap_or_default();
        reports.push((name, report));
    }
    if reports.is_empty() {
        return Err(SavedError::NoReports(dir.to_path_buf()));
    }
    Ok(reports)
}

/// Shows `reports` on `live`; whether any test failed.
fn load(live: &Hub, dir: &Path, reports: &[(String, Report)]) -> bool {
    let one = reports.len() == 1;
    let (suite, mode) = match reports {
        [(_, report)] => (report.suite.name.clone(), report.mode.as_str().to_owned()),
        _ => (dir.display().to_string(), "per suite".to_owned()),
    };
    live.describe(&suite, &mode);
    let mut failed = false;
    for (name, report) in reports {
        let suite = if one { suite.as_str() } else { name.as_str() };
        for entry in &report.tests {
            failed |= entry.outcome.is_failure();
            let event = RunEvent::TestFinished {
                record: Box::new(record_of(entry)),
                stderr_tail: String::new(),
            };
            live.apply(Some(suite), &event);
        }
    }
    failed
}

/// A saved entry as the record it was written from (what a report does
/// not keep is left empty).
fn record_of(entry: &TestEntry) -> TestRecord {
    let mut record = TestRecord::ignored(entry.key.clone());
    record.outcome = entry.outcome;
    record.duration = std::time::Duration::from_millis(entry.duration_ms);
    record.message.clone_from(&entry.message);
    record.rule.clone_from(&entry.rule);
    record.snapshot = entry.snapshot;
    record.blocking.clone_from(&entry.blocking);
    record.leaked.clone_from(&entry.leaked);
    record.attempts.clone_from(&entry.attempts);
    record
}
