//! The run's scratch traces, `traces/<suite>/run-<pid>/`: kept as `last`
//! when a run completes, removed when it is interrupted, and removed by a
//! later run when the runner that made them is gone (it was killed).
//!
//! A run starts in the files of the `last` one, emptied as each test
//! starts, rather than in new ones (so an interrupted run takes the last
//! traces with it): ext4 without a journal skips inodes freed in the last
//! minutes when it makes a file, so a run that made its files right after
//! the last one's were deleted took about 0.7 ms per file here, against
//! 24–34 µs in a quiet folder. Emptying a file the last run wrote costs
//! too (0.7–1.1 ms for a test's four), so the files taken over are emptied
//! on a thread of their own while the sandbox starts and the tests are
//! listed, not one test at a time between tests.

use crate::untrusted_file;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::SystemTime;

/// Takes over the suite's `last` traces as this run's folder, when there
/// is no such folder yet. A second run at once finds no `last` and starts
/// empty.
pub fn reuse_last(last: &Path, run: &Path) {
    if !run.exists() {
        let _ = std::fs::rename(last, run);
    }
}

/// Empties, on a thread of its own, the traces and the runtime's side
/// files under `run` (what [`reuse_last`] took over). Join it before any
/// test starts: it must never empty what a test of this run writes. The
/// launcher's status files are left alone: the runner removes each before
/// its launch. `None` when no thread could start: each test's files are
/// then emptied as it starts, as always.
pub fn clear_taken_over(run: &Path) -> Option<JoinHandle<()>> {
    let mut files = Vec::new();
    traces_under(run, &mut files);
    std::thread::Builder::new()
        .name("clear-traces".to_owned())
        .spawn(move || files.iter().for_each(|f| untrusted_file::clear(f)))
        .ok()
}

/// The trace files (`N.jsonl`) and their side files under `dir`; what is
/// not a folder or a file (a link a test left) is listed too, for
/// [`untrusted_file::clear`] to remove.
fn traces_under(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => traces_under(&path, into),
            Ok(_) if is_trace_or_side_file(&path) => into.push(path),
            _ => {}
        }
    }
}

/// `N.jsonl`, or one of [`blockguard_protocol::side_files`] of one.
fn is_trace_or_side_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let Some(at) = name.find(".jsonl") else {
        return false;
    };
    let trace = path.with_file_name(&name[..at + ".jsonl".len()]);
    trace == path
        || blockguard_protocol::side_files(&trace)
            .iter()
            .any(|side| side == path)
}

/// Keeps this run's traces as the suite's `last` (for a look at what the
/// runtime wrote), without the files it took over and did not write
/// (modified before `started`, or empty); an older `last` goes.
pub fn keep_as_last(run: &Path, last: &Path, started: SystemTime) {
    if run.is_dir() {
        remove_unwritten(run, started);
        let _ = std::fs::remove_dir_all(last);
        if std::fs::rename(run, last).is_err() {
            let _ = std::fs::remove_dir_all(run);
        }
    }
}

/// Removes the files under `dir` last modified before `started`, and the
/// empty ones ([`clear_taken_over`] emptied them after `started`).
fn remove_unwritten(dir: &Path, started: SystemTime) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if meta.is_dir() {
            remove_unwritten(&path, started);
        } else if meta.len() == 0 || meta.modified().is_ok_and(|m| m < started) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Removes the `run-<pid>` folders beside `run` whose runner no longer runs.
pub fn remove_abandoned(run: &Path) {
    let Some(suite) = run.parent() else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(suite) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("run-"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::untrusted_file::clear;

    #[test]
    fn a_run_takes_over_the_last_files_and_keeps_only_what_it_wrote() {
        let suite =
            std::env::temp_dir().join(format!("blockguard-traces-reuse-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&suite);
        let (last, run) = (suite.join("last"), suite.join("run-1"));
        std::fs::create_dir_all(last.join("bin")).unwrap();
        let (kept, stale) = (last.join("bin/0.jsonl"), last.join("bin/1.jsonl"));
        std::fs::write(&kept, "earlier run\n").unwrap();
        std::fs::write(&stale, "earlier run\n").unwrap();
        let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
        let kept_inode = inode(&kept);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let started = SystemTime::now();

        reuse_last(&last, &run);
        assert!(!last.exists() && run.join("bin/1.jsonl").exists());
        let reused = run.join("bin/0.jsonl");
        clear(&reused);
        assert_eq!(std::fs::read(&reused).unwrap(), b"");
        assert_eq!(inode(&reused), kept_inode, "the same file, not a new one");
        clear(&run.join("bin/2.jsonl"));
        assert!(!run.join("bin/2.jsonl").exists(), "clear makes nothing");
        std::fs::write(&reused, "this run\n").unwrap();

        keep_as_last(&run, &last, started);
        assert!(!run.exists());
        assert_eq!(
            std::fs::read_to_string(last.join("bin/0.jsonl")).unwrap(),
            "this run\n"
        );
        assert!(
            !last.join("bin/1.jsonl").exists(),
            "not written by this run"
        );

        // With a folder of its own already there, a run does not take `last`.
        std::fs::create_dir_all(&run).unwrap();
        reuse_last(&last, &run);
        assert!(last.join("bin/0.jsonl").exists());
        let _ = std::fs::remove_dir_all(&suite);
    }

    #[test]
    fn the_taken_over_traces_and_side_files_are_emptied_and_nothing_else() {
        let run = std::env::temp_dir().join(format!(
            "blockguard-traces-taken-over-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&run);
        std::fs::create_dir_all(run.join("bin")).unwrap();
        let trace = run.join("bin/0.jsonl");
        let mut emptied = vec![trace.clone()];
        emptied.extend(blockguard_protocol::side_files(&trace));
        let left = [run.join("list.status"), run.join("bin/0.contain.json")];
        for file in emptied.iter().chain(&left) {
            std::fs::write(file, "earlier run\n").unwrap();
        }
        let host = run.join("host-file");
        std::fs::write(&host, "not the run's\n").unwrap();
        let link = run.join("bin/1.jsonl");
        std::os::unix::fs::symlink(&host, &link).unwrap();

        clear_taken_over(&run).unwrap().join().unwrap();

        for file in &emptied {
            assert_eq!(std::fs::read(file).unwrap(), b"", "{}", file.display());
        }
        for file in &left {
            assert_eq!(std::fs::read_to_string(file).unwrap(), "earlier run\n");
        }
        assert!(
            std::fs::symlink_metadata(&link).is_err(),
            "the link is removed"
        );
        assert_eq!(std::fs::read_to_string(&host).unwrap(), "not the run's\n");

        // What stayed empty was not written by this run: not kept.
        std::fs::write(&trace, "this run\n").unwrap();
        let last = run.with_extension("last");
        keep_as_last(&run, &last, SystemTime::UNIX_EPOCH);
        assert!(last.join("bin/0.jsonl").exists());
        assert!(!last.join("bin/0.jsonl.tally").exists());
        assert!(last.join("list.status").exists());
        let _ = std::fs::remove_dir_all(&last);
    }

    #[test]
    fn only_folders_of_runners_that_are_gone_are_removed() {
        let suite = std::env::temp_dir().join(format!(
            "blockguard-traces-abandoned-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&suite);
        // pid 1 always runs; a pid past the kernel's maximum never does.
        for name in ["run-1", "run-4194305", "last", "run-x"] {
            std::fs::create_dir_all(suite.join(name)).unwrap();
        }
        let ours = suite.join(format!("run-{}", std::process::id()));
        std::fs::create_dir_all(&ours).unwrap();
        remove_abandoned(&ours);
        let mut left: Vec<String> = std::fs::read_dir(&suite)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        let mut expected = vec!["last".to_owned(), "run-1".into(), "run-x".into()];
        expected.push(format!("run-{}", std::process::id()));
        expected.sort();
        assert_eq!(left, expected);
    }
}
