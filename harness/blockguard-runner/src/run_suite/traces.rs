//! The run's scratch traces, `traces/<suite>/run-<pid>/`: kept as `last`
//! when a run completes, removed when it is interrupted, and removed by a
//! later run when the runner that made them is gone (it was killed).

use std::path::Path;

/// Keeps this run's traces as the suite's `last` (for a look at what the
/// runtime wrote); an older `last` goes.
pub fn keep_as_last(run: &Path, last: &Path) {
    if run.is_dir() {
        let _ = std::fs::remove_dir_all(last);
        if std::fs::rename(run, last).is_err() {
            let _ = std::fs::remove_dir_all(run);
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
