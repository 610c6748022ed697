//! Why `nightly` or `merge-reports` could not do its job (exit code 2).

use super::folder_error::FolderError;
use crate::run_suite::preload::PreloadError;
use crate::run_suite::report::json::ReportError;
use std::path::PathBuf;

/// `nightly` or `merge-reports` could not run, or could not write its report.
#[derive(Debug, thiserror::Error)]
pub enum NightlyError {
    /// `--date` is not a date.
    #[error("--date {0}: expected YYYY-MM-DD")]
    BadDate(String),
    /// `--baseline` names a folder without a report.
    #[error("--baseline {}: no results.json there", .0.display())]
    NoBaseline(PathBuf),
    /// A `--suite` glob is longer than the rules files allow.
    #[error("--suite: the glob is {len} bytes; the limit is {limit}")]
    GlobTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A `--suite` glob does not parse.
    #[error("--suite {pattern}: {source}")]
    BadGlob {
        /// The glob.
        pattern: String,
        /// Why.
        source: globset::Error,
    },
    /// A `--suite` name that is no suite.
    #[error("--suite {pattern}: no such suite in {}", dir.display())]
    NoSuchSuite {
        /// The name.
        pattern: String,
        /// The suites folder.
        dir: PathBuf,
    },
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not the JSON it should be.
    #[error("{}: {source}", path.display())]
    Json {
        /// The path.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// The baseline report could not be read.
    #[error("the baseline {}: {source}", dir.display())]
    Baseline {
        /// Its folder.
        dir: PathBuf,
        /// Why.
        source: Box<NightlyError>,
    },
    /// A shard folder has no results.
    #[error("{}: {source} (is it a nightly report folder?)", path.display())]
    NotAReport {
        /// Its results.json.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Two shards of different nights.
    #[error("{}: dated {found}, but an earlier shard is dated {earlier}", shard.display())]
    DateMismatch {
        /// The shard.
        shard: PathBuf,
        /// Its date.
        found: String,
        /// The earlier shards' date.
        earlier: String,
    },
    /// A shard's folder lost entries its results name.
    #[error("{}: results.json names {named} run(s), but {dir}/ holds {held} entries", shard.display())]
    LostEntries {
        /// The shard.
        shard: PathBuf,
        /// Runs its results name.
        named: usize,
        /// The entries folder.
        dir: &'static str,
        /// Entries it holds.
        held: usize,
    },
    /// A run in two shards.
    #[error("{0} is in more than one shard")]
    Duplicate(String),
    /// `merge-reports` without shards.
    #[error("no shard folders given")]
    NoShards,
    /// The report folder may not be written.
    #[error(transparent)]
    Folder(#[from] FolderError),
    /// The guard runtime could not be built.
    #[error(transparent)]
    Runtime(#[from] PreloadError),
    /// A report file could not be written.
    #[error(transparent)]
    Write(#[from] ReportError),
}

impl NightlyError {
    /// An I/O error at `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> NightlyError {
        let path = path.into();
        move |source| NightlyError::Io { path, source }
    }

    /// A JSON error at `path`.
    pub fn json(path: impl Into<PathBuf>) -> impl FnOnce(serde_json::Error) -> NightlyError {
        let path = path.into();
        move |source| NightlyError::Json { path, source }
    }
}
