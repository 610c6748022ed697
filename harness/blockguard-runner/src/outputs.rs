//! Output paths are proved writable before anything runs, so that a bad
//! `--report` fails at once rather than after every test has run.
//!
//! Reports are written to a temporary file beside the target and renamed
//! (`write_atomically`), so the proof is the same act: create and remove a
//! file in the target's folder.

use std::io;
use std::path::{Path, PathBuf};

/// An output path that cannot be written (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Its folder does not exist and cannot be created.
    #[error("{flag} {}: cannot create the folder {}: {source}", .path.display(), .dir.display())]
    CreateDir {
        /// The option that named it.
        flag: &'static str,
        /// The path as given.
        path: PathBuf,
        /// The folder that could not be created.
        dir: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// Nothing can be written in its folder.
    #[error("{flag} {}: cannot write in {}: {source}", .path.display(), .dir.display())]
    NotWritable {
        /// The option that named it.
        flag: &'static str,
        /// The path as given.
        path: PathBuf,
        /// The folder written in.
        dir: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A file is to be written where a folder is.
    #[error("{flag} {}: is a folder; give a file path", .path.display())]
    IsAFolder {
        /// The option that named it.
        flag: &'static str,
        /// The path as given.
        path: PathBuf,
    },
}

/// `path` can be written as a file: its folder exists (it is created if
/// needed) and takes new files.
pub fn file(flag: &'static str, path: &Path) -> Result<(), OutputError> {
    if path.is_dir() {
        return Err(OutputError::IsAFolder {
            flag,
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    writable(flag, path, dir)
}

/// `dir` is a folder (created if needed) that takes new files.
pub fn folder(flag: &'static str, dir: &Path) -> Result<(), OutputError> {
    writable(flag, dir, dir)
}

fn writable(flag: &'static str, path: &Path, dir: &Path) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::CreateDir {
        flag,
        path: path.to_path_buf(),
        dir: dir.to_path_buf(),
        source,
    })?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let probe = dir.join(format!(".{name}.{}.probe", std::process::id()));
    let created = std::fs::File::create(&probe);
    let _ = std::fs::remove_file(&probe);
    created
        .map(drop)
        .map_err(|source| OutputError::NotWritable {
            flag,
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("blockguard-outputs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_missing_folder_is_created_and_no_probe_is_left() {
        let dir = scratch("create");
        file("--report", &dir.join("a/b/report.json")).unwrap();
        assert!(dir.join("a/b").is_dir());
        assert_eq!(std::fs::read_dir(dir.join("a/b")).unwrap().count(), 0);
        folder("--out", &dir.join("out")).unwrap();
        assert_eq!(std::fs::read_dir(dir.join("out")).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unwritable_paths_name_the_flag_the_path_and_the_os_error() {
        let dir = scratch("refuse");
        let blocker = dir.join("a-file");
        std::fs::write(&blocker, "").unwrap();
        let under_a_file = blocker.join("report.json");
        let shown = file("--junit", &under_a_file).unwrap_err().to_string();
        assert!(
            shown.starts_with(&format!(
                "--junit {}: cannot create the folder {}: ",
                under_a_file.display(),
                blocker.display()
            )) && shown.contains("os error"),
            "{shown}"
        );
        let shown = file("--report", &dir).unwrap_err().to_string();
        assert!(shown.ends_with("is a folder; give a file path"), "{shown}");
        let shown = folder("--out", Path::new("/proc/blockguard-nope"))
            .unwrap_err()
            .to_string();
        assert!(
            shown.starts_with("--out /proc/blockguard-nope: "),
            "{shown}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
