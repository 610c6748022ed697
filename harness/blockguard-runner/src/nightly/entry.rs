//! One suite × toolchain as the nightly ran it: the run-suite report, or
//! why there is none. Stored as `suites/<suite>@<toolchain>.json` in the
//! report folder; shards carry these to the merge.

use super::error::NightlyError;
use crate::run_suite::to_json;
use crate::schema::Report;
use crate::schema::Verdict;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The folder of entries inside a report folder.
pub const DIR: &str = "suites";

/// One suite under one toolchain.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The suite's name.
    pub suite: String,
    /// The crate, as the suite file names it.
    #[serde(rename = "crate")]
    pub krate: String,
    /// Its pinned version (empty for a local crate that did not resolve).
    pub version: String,
    /// The toolchain as asked for (`stable`, `nightly`).
    pub toolchain: String,
    /// Its `rustc --version`, when it is installed.
    pub rustc: Option<String>,
    /// Why the suite could not run.
    pub error: Option<String>,
    /// run-suite's report.
    pub report: Option<Report>,
}

impl Entry {
    /// The entry's verdict.
    pub fn verdict(&self) -> Verdict {
        match &self.report {
            Some(report) if self.error.is_none() => Verdict::of(report),
            _ => Verdict::Error,
        }
    }

    /// `suite@toolchain`.
    pub fn key(&self) -> String {
        format!("{}@{}", self.suite, self.toolchain)
    }

    /// Writes it into `report_dir/suites/`.
    pub fn write(&self, report_dir: &Path) -> Result<(), NightlyError> {
        let dir = report_dir.join(DIR);
        std::fs::create_dir_all(&dir).map_err(NightlyError::io(&dir))?;
        let path = dir.join(format!("{}.json", self.key()));
        let text = to_json(self);
        std::fs::write(&path, text).map_err(NightlyError::io(&path))
    }
}

/// Every entry in `report_dir/suites/`, sorted by suite then toolchain.
/// No `suites/` is no entries: an empty shard's folder loses it on the way
/// through CI artifacts, which keep no empty folders.
pub fn read_all(report_dir: &Path) -> Result<Vec<Entry>, NightlyError> {
    let dir = report_dir.join(DIR);
    let listing = match std::fs::read_dir(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && report_dir.is_dir() => {
            return Ok(Vec::new());
        }
        listing => listing.map_err(NightlyError::io(&dir))?,
    };
    let mut entries = Vec::new();
    for item in listing {
        let path = item.map_err(NightlyError::io(&dir))?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(NightlyError::io(&path))?;
        let entry: Entry = serde_json::from_str(&text).map_err(NightlyError::json(&path))?;
        entries.push(entry);
    }
    sort(&mut entries);
    Ok(entries)
}

/// The order of every output: suite, then toolchain.
pub fn sort(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        (a.suite.as_str(), a.toolchain.as_str()).cmp(&(b.suite.as_str(), b.toolchain.as_str()))
    });
}
