//! The run's scratch traces, `traces/<suite>/run-<pid>/`: kept as `last`
//! when a run completes, removed when it is interrupted, and removed by a
//! later run when the runner that made them is gone (it was killed).
//!
//! A run starts in the files of the `last` one, emptied as each test
//! starts, rather than in new ones (so an interrupted run takes the last
//! traces with it): ext4 without a journal skips inodes freed in the last
//! minutes when it makes a file, so a run that made its files right after
//! the last one's were deleted took about 0.7 ms per file here, against
//! 24–34 µs in a quiet folder.

use std::path::Path;
use std::time::SystemTime;

/// Takes over the suite's `last` traces as this run's folder, when there
/// is no such folder yet. A second run at once finds no `last` and starts
/// empty.
pub fn reuse_last(last: &Path, run: &Path) {
    if !run.exists() {
        let _ = std::fs::rename(last, run);
    }
}

/// Keeps this run's traces as the suite's `last` (for a look at what the
/// runtime wrote), without the files it took over and did not write
/// (modified before `started`); an older `last` goes.
pub fn keep_as_last(run: &Path, last: &Path, started: SystemTime) {
    if run.is_dir() {
        remove_unwritten(run, started);
        let _ = std::fs::remove_dir_all(last);
        if std::fs::rename(run, last).is_err() {
            let _ = std::fs::remove_dir_all(run);
        }
    }
}

/// Removes the files under `dir` last modified before `started`.
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
        } else if meta.modified().is_ok_and(|m| m < started) {
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
