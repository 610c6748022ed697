//! The tests a binary runs with given arguments, kept from an earlier run
//! of the same build, so a binary run whole does not list itself again.
//!
//! libtest's list is fixed when the binary is built, so it is known again
//! from the caller's arguments and the file the binary is. A file holds
//! the names one a line, as the guard runtime reads them
//! (`BLOCKGUARD_TESTS`). Its name is two hashes: of the binary's path and
//! the arguments, then of the file's identity (device, inode, size,
//! modification and change times), so a rebuilt binary misses, and its
//! list replaces the old build's. An empty list is not kept: a file cut
//! short (a crash while writing) reads as empty or without its last
//! newline, and is not taken.

use super::file_name::fnv1a;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Where the list of `exe` run with `args` is kept in `dir`, and the
/// prefix its earlier builds' lists share; `None` when `exe` cannot be
/// looked at.
fn place(dir: &Path, exe: &Path, args: &[String]) -> Option<(PathBuf, String)> {
    let meta = std::fs::metadata(exe).ok()?;
    let mut call: Vec<&[u8]> = vec![exe.as_os_str().as_bytes()];
    for arg in args {
        // 0xFF, never in UTF-8, keeps `a b` apart from `ab`.
        call.extend([&[0xFF][..], arg.as_bytes()]);
    }
    let identity = [
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime() as u64,
        meta.mtime_nsec() as u64,
        meta.ctime() as u64,
        meta.ctime_nsec() as u64,
    ]
    .map(u64::to_le_bytes);
    let identity: Vec<&[u8]> = identity.iter().map(|b| &b[..]).collect();
    let prefix = format!("{:016x}-", fnv1a(&call));
    let name = format!("{prefix}{:016x}", fnv1a(&identity));
    Some((dir.join(name), prefix))
}

/// The kept list of `exe` run with `args`: the file and the names.
pub fn get(dir: &Path, exe: &Path, args: &[String]) -> Option<(PathBuf, Vec<String>)> {
    let (path, _) = place(dir, exe, args)?;
    let text = std::fs::read_to_string(&path).ok()?;
    if !text.ends_with('\n') {
        return None;
    }
    let tests = text.lines().map(str::to_owned).collect();
    Some((path, tests))
}

/// Keeps `tests` as the list of `exe` run with `args`, replacing earlier
/// builds' lists of the same; the file, when it was written.
pub fn put(dir: &Path, exe: &Path, args: &[String], tests: &[String]) -> Option<PathBuf> {
    if tests.is_empty() || tests.iter().any(|t| t.is_empty() || t.contains('\n')) {
        return None;
    }
    let (path, prefix) = place(dir, exe, args)?;
    std::fs::create_dir_all(dir).ok()?;
    let temp = dir.join(format!(".{prefix}{}.tmp", std::process::id()));
    let text: String = tests.iter().map(|t| format!("{t}\n")).collect();
    if std::fs::write(&temp, text)
        .and_then(|()| std::fs::rename(&temp, &path))
        .is_err()
    {
        let _ = std::fs::remove_file(&temp);
        return None;
    }
    forget_earlier_builds(dir, &prefix, &path);
    Some(path)
}

/// Removes the lists of the same binary and arguments but another build.
fn forget_earlier_builds(dir: &Path, prefix: &str, kept: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let earlier = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(prefix));
        if earlier && entry.path() != kept {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{get, put};
    use std::path::PathBuf;

    /// A folder of the test's own, emptied first.
    fn scratch(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bg-lists-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|&a| a.to_owned()).collect()
    }

    #[test]
    fn a_list_is_found_again_for_the_same_build_and_arguments_only() {
        let dir = scratch("same_build");
        let exe = dir.join("tests-0123456789abcdef");
        std::fs::write(&exe, b"build one").unwrap();
        let lists = dir.join("lists");
        let tests = args(&["a::b", "c"]);
        let kept = put(&lists, &exe, &args(&["a"]), &tests).unwrap();
        let (found, names) = get(&lists, &exe, &args(&["a"])).unwrap();
        assert_eq!((found, names), (kept, tests));
        assert!(get(&lists, &exe, &args(&["b"])).is_none());
        assert!(get(&lists, &exe, &args(&["a", "--exact"])).is_none());
    }

    #[test]
    fn a_rebuilt_binary_is_listed_again_and_its_old_list_goes() {
        let dir = scratch("rebuilt");
        let exe = dir.join("tests-0123456789abcdef");
        std::fs::write(&exe, b"build one").unwrap();
        let lists = dir.join("lists");
        put(&lists, &exe, &[], &args(&["old"])).unwrap();
        // cargo writes a new build as a new file.
        std::fs::remove_file(&exe).unwrap();
        std::fs::write(&exe, b"build two, longer").unwrap();
        assert!(get(&lists, &exe, &[]).is_none());
        put(&lists, &exe, &[], &args(&["new"])).unwrap();
        assert_eq!(get(&lists, &exe, &[]).unwrap().1, ["new"]);
        assert_eq!(std::fs::read_dir(&lists).unwrap().count(), 1);
    }

    #[test]
    fn an_empty_or_cut_short_list_is_not_taken() {
        let dir = scratch("cut_short");
        let exe = dir.join("tests-0123456789abcdef");
        std::fs::write(&exe, b"build").unwrap();
        let lists = dir.join("lists");
        assert!(put(&lists, &exe, &[], &[]).is_none());
        let kept = put(&lists, &exe, &[], &args(&["a", "b"])).unwrap();
        std::fs::write(&kept, "a\nb").unwrap();
        assert!(get(&lists, &exe, &[]).is_none());
        std::fs::write(&kept, "").unwrap();
        assert!(get(&lists, &exe, &[]).is_none());
    }
}
