//! The report to compare with: `--baseline DIR`, else the newest earlier
//! dated report folder beside the new one (`reports/<date>/`).

use super::date::is_date;
use std::path::{Path, PathBuf};

/// The newest folder next to `out` whose name is a date before `date` and
/// that holds a `results.json`.
pub fn newest_before(out: &Path, date: &str) -> Option<PathBuf> {
    let parent = out.parent()?;
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(parent)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            (is_date(&name) && name.as_str() < date && path.join("results.json").is_file())
                .then_some((name, path))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, path)| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_earlier_dated_report_is_the_baseline() {
        let root = std::env::temp_dir().join(format!("blockguard-baseline-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (name, complete) in [
            ("2026-11-20", true),
            ("2026-11-23", true),
            ("2026-11-24", false),
            ("2026-11-26", true),
            ("notes", true),
        ] {
            std::fs::create_dir_all(root.join(name)).unwrap();
            if complete {
                std::fs::write(root.join(name).join("results.json"), "{}").unwrap();
            }
        }
        let found = newest_before(&root.join("2026-11-25"), "2026-11-25").unwrap();
        assert!(found.ends_with("2026-11-23"), "{}", found.display());
        assert_eq!(newest_before(&root.join("2026-11-01"), "2026-11-01"), None);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
