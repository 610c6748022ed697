//! `cargo xtask merge-reports --out DIR SHARD_DIR...`: the shards' entries
//! into one folder, rendered as one run would have rendered them.

use super::baseline::newest_before;
use super::entry::{self, Entry};
use super::error::NightlyError;
use super::folder::prepare;
use super::publish::publish;
use super::results::Results;
use crate::options::MergeReportsArgs;
use crate::schema::exit;
use std::collections::BTreeMap;

/// Runs the command; returns its exit code.
pub fn run(args: &MergeReportsArgs) -> u8 {
    match merge(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            exit::ERROR
        }
    }
}

fn merge(args: &MergeReportsArgs) -> Result<u8, NightlyError> {
    let mut date: Option<String> = None;
    let mut all: BTreeMap<String, Entry> = BTreeMap::new();
    for shard in &args.shards {
        let results = shard.join("results.json");
        let text =
            std::fs::read_to_string(&results).map_err(|source| NightlyError::NotAReport {
                path: results.clone(),
                source,
            })?;
        let shard_results: Results =
            serde_json::from_str(&text).map_err(NightlyError::json(&results))?;
        match &date {
            Some(d) if *d != shard_results.date => {
                return Err(NightlyError::DateMismatch {
                    shard: shard.clone(),
                    found: shard_results.date,
                    earlier: d.clone(),
                });
            }
            _ => date = Some(shard_results.date.clone()),
        }
        let entries = entry::read_all(shard)?;
        // The folder must hold what its results name: a lost entry would
        // quietly drop a run from the merge.
        if entries.len() != shard_results.suites.len() {
            return Err(NightlyError::LostEntries {
                shard: shard.clone(),
                named: shard_results.suites.len(),
                dir: entry::DIR,
                held: entries.len(),
            });
        }
        for e in entries {
            if all.insert(e.key(), e.clone()).is_some() {
                return Err(NightlyError::Duplicate(e.key()));
            }
        }
    }
    let date = date.ok_or(NightlyError::NoShards)?;
    let baseline = match &args.baseline {
        Some(dir) => Some(dir.clone()),
        None => newest_before(&args.out, &date),
    };
    // The shards are read; now `--out` may be emptied of earlier entries.
    prepare(&args.out, baseline.as_deref())?;
    let mut entries: Vec<Entry> = all.into_values().collect();
    entry::sort(&mut entries);
    for e in &entries {
        e.write(&args.out)?;
    }
    let results = publish(&args.out, &date, &entries, baseline.as_deref())?;
    eprintln!(
        "merge-reports: {} entries from {} shard(s) into {}",
        entries.len(),
        args.shards.len(),
        args.out.display()
    );
    if args.fail_on_regression && results.regressions.any() {
        return Ok(exit::FAILED);
    }
    Ok(exit::OK)
}
