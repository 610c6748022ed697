//! From entries to the four files: results (with regressions against the
//! baseline's entries), then Markdown, JUnit and HTML.

use super::entry::{self, Entry};
use super::error::NightlyError;
use super::folder::RENDERED;
use super::regressions::{Regressions, compare};
use super::render::{html, junit, markdown};
use super::results::{Results, results};
use crate::run_suite::{to_json, write_atomically};
use std::path::Path;

/// Writes `results.json`, `report.md`, `junit.xml` and `index.html` into
/// `out`; returns the results.
pub fn publish(
    out: &Path,
    date: &str,
    entries: &[Entry],
    baseline: Option<&Path>,
) -> Result<Results, NightlyError> {
    let (baseline_name, regressions) = match baseline {
        Some(dir) => {
            let before = entry::read_all(dir).map_err(|e| NightlyError::Baseline {
                dir: dir.to_path_buf(),
                source: Box::new(e),
            })?;
            let name = dir.file_name().map_or_else(
                || dir.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            (Some(name), compare(entries, &before))
        }
        None => (None, Regressions::default()),
    };
    let results = results(date, baseline_name, entries, regressions);
    let texts = [
        to_json(&results),
        markdown(&results, entries),
        junit(entries),
        html(&results, entries),
    ];
    for (name, text) in RENDERED.into_iter().zip(texts) {
        write_atomically(&out.join(name), &text)?;
    }
    Ok(results)
}
