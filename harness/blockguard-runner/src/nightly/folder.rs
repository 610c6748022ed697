//! The report folder `--out` names, made ready before anything runs.
//!
//! It must be new, empty, or a nightly report (its marker, or a
//! `results.json` of schema `blockguard-nightly/1`); anything else is
//! refused. `--out .` once removed the repository's own `suites/`: an
//! earlier report is cleared of exactly the files a nightly writes, its
//! entries, their logs and the four report files, and nothing else.

use super::entry::{self, Entry};
use super::folder_error::FolderError;
use super::schema::{MARKER, SCHEMA};
use crate::outputs;
use std::io;
use std::path::{Path, PathBuf};

/// The files a night renders from its entries, in the order
/// [`super::publish::publish`] renders them.
pub const RENDERED: [&str; 4] = ["results.json", "report.md", "junit.xml", "index.html"];

/// The folder of each child's log and report.
pub const LOGS: &str = "logs";

/// Makes `out` a report folder with no entries: created, or cleared of an
/// earlier night's files; proved writable; marked.
pub fn prepare(out: &Path, baseline: Option<&Path>) -> Result<(), FolderError> {
    if let Some(dir) = baseline
        && same_folder(dir, out)
    {
        return Err(FolderError::BaselineIsOut(dir.to_path_buf()));
    }
    if out.exists() {
        if !out.is_dir() {
            return Err(FolderError::NotAFolder(out.to_path_buf()));
        }
        if is_report(out) {
            clear(out)?;
        } else if !is_empty(out)? {
            return Err(FolderError::Foreign(out.to_path_buf()));
        }
    }
    outputs::folder("--out", out)?;
    for dir in [out.join(entry::DIR), out.join(LOGS)] {
        std::fs::create_dir_all(&dir).map_err(io_at(&dir))?;
    }
    let marker = out.join(MARKER);
    std::fs::write(&marker, format!("{SCHEMA}\n")).map_err(io_at(&marker))
}

/// Whether `dir` holds a nightly report, finished or not.
pub fn is_report(dir: &Path) -> bool {
    #[derive(serde::Deserialize)]
    struct Schema {
        schema: String,
    }
    dir.join(MARKER).is_file()
        || std::fs::read_to_string(dir.join("results.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<Schema>(&text).ok())
            .is_some_and(|s| s.schema == SCHEMA)
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn is_empty(dir: &Path) -> Result<bool, FolderError> {
    let mut listing = std::fs::read_dir(dir).map_err(io_at(dir))?;
    Ok(listing.next().is_none())
}

/// Removes an earlier night's files: every entry (a `suites/*.json` that
/// reads as one), the logs of each, and the rendered files.
fn clear(out: &Path) -> Result<(), FolderError> {
    let mut ours: Vec<PathBuf> = RENDERED.iter().map(|name| out.join(name)).collect();
    let entries = out.join(entry::DIR);
    if entries.is_dir() {
        for item in std::fs::read_dir(&entries).map_err(io_at(&entries))? {
            let path = item.map_err(io_at(&entries))?.path();
            let Some(key) = entry_key(&path) else {
                continue;
            };
            let logs = out.join(LOGS);
            ours.push(logs.join(format!("{key}.log")));
            ours.push(logs.join(format!("{key}.report.json")));
            ours.push(path);
        }
    }
    for path in ours {
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_at(&path)(e)),
            _ => {}
        }
    }
    Ok(())
}

/// The key of the entry file at `path`: its name when it reads as an entry
/// of that name, so that no other file is taken for one.
fn entry_key(path: &Path) -> Option<String> {
    let stem = path.file_name()?.to_str()?.strip_suffix(".json")?;
    let text = std::fs::read_to_string(path).ok()?;
    let entry: Entry = serde_json::from_str(&text).ok()?;
    (entry.key() == stem).then(|| stem.to_owned())
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> FolderError + '_ {
    move |source| FolderError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("blockguard-folder-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entry(suite: &str) -> Entry {
        Entry {
            suite: suite.to_owned(),
            krate: suite.to_owned(),
            version: String::new(),
            toolchain: "stable".to_owned(),
            rustc: None,
            error: Some("not run".to_owned()),
            report: None,
        }
    }

    #[test]
    fn a_report_is_known_by_its_marker_or_its_results() {
        let dir = scratch("known");
        assert!(!is_report(&dir));
        std::fs::write(
            dir.join("results.json"),
            r#"{"schema": "blockguard-report/1"}"#,
        )
        .unwrap();
        assert!(!is_report(&dir), "another schema");
        std::fs::write(
            dir.join("results.json"),
            format!(r#"{{"schema": "{SCHEMA}"}}"#),
        )
        .unwrap();
        assert!(is_report(&dir));
        std::fs::remove_file(dir.join("results.json")).unwrap();
        std::fs::write(dir.join(MARKER), "").unwrap();
        assert!(is_report(&dir), "an interrupted night's folder");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn clearing_removes_only_entries_their_logs_and_the_rendered_files() {
        let dir = scratch("clear");
        prepare(&dir, None).unwrap();
        entry("a").write(&dir).unwrap();
        let theirs = [
            "suites/b@stable.json", // not an entry
            "suites/notes.md",
            "logs/b@stable.log", // no entry of that key
            "notes.md",
        ];
        for file in theirs.iter().chain(&["logs/a@stable.log", "report.md"]) {
            std::fs::write(dir.join(file), "{}").unwrap();
        }
        prepare(&dir, None).unwrap();
        assert!(!dir.join("suites/a@stable.json").exists());
        assert!(!dir.join("logs/a@stable.log").exists());
        assert!(!dir.join("report.md").exists());
        for file in theirs {
            assert!(dir.join(file).is_file(), "{file} was removed");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_foreign_folder_a_file_and_the_baseline_itself_are_refused() {
        let dir = scratch("refused");
        std::fs::write(dir.join("Cargo.toml"), "").unwrap();
        assert!(matches!(prepare(&dir, None), Err(FolderError::Foreign(_))));
        assert!(matches!(
            prepare(&dir.join("Cargo.toml"), None),
            Err(FolderError::NotAFolder(_))
        ));
        let out = dir.join("2026-11-24");
        prepare(&out, None).unwrap();
        assert!(matches!(
            prepare(&out, Some(&dir.join("./2026-11-24"))),
            Err(FolderError::BaselineIsOut(_))
        ));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
