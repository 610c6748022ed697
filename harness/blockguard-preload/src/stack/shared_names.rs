//! Names resolved by earlier processes of the same binary, shared on disk.
//!
//! Resolving an address the first time parses the DWARF of its unit: for
//! std's and libtest's units, tens of milliseconds, the same in every test
//! process of a binary. The runner names a folder (`BLOCKGUARD_SYMBOLS`),
//! kept between runs. In it, each build of the guard runtime has a folder
//! named by its own GNU build id (a change to how it names frames is a new
//! build), and each object with a build id a file there, named by it, of
//! lines `OFFSET\tNAME\tNAME…` (innermost first). A process looks an
//! address up there before resolving it, and appends what it resolved
//! with one `write` to an `O_APPEND` descriptor, so that processes running
//! side by side never tear each other's lines. The two build ids name the
//! exact files, so a line can never be stale.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One object's file, as far as it has been read.
#[derive(Default)]
struct Names {
    by_offset: HashMap<usize, Vec<String>>,
    /// Bytes read so far (always up to the end of a whole line).
    read_to: u64,
}

/// The folder's files, read as needed.
pub struct SharedNames {
    dir: Option<PathBuf>,
    objects: HashMap<Arc<str>, Names>,
}

impl SharedNames {
    /// The folder the runner named, if any, within it this runtime's own
    /// (`None` when the runtime has no build id), created if missing.
    pub fn new(dir: Option<&Path>, runtime: Option<&str>) -> SharedNames {
        let dir = dir.zip(runtime).map(|(d, r)| d.join(r));
        let dir = dir.filter(|d| std::fs::create_dir_all(d).is_ok());
        SharedNames {
            dir,
            objects: HashMap::new(),
        }
    }

    /// The names at `offset` in the object with `build_id`, if a process
    /// of this run resolved them.
    pub fn get(&mut self, build_id: &Arc<str>, offset: usize) -> Option<Vec<String>> {
        let dir = self.dir.as_deref()?;
        let names = self.objects.entry(build_id.clone()).or_default();
        if let Some(found) = names.by_offset.get(&offset) {
            return Some(found.clone());
        }
        // Others may have added lines since the last read.
        read_more(&file_of(dir, build_id), names);
        names.by_offset.get(&offset).cloned()
    }

    /// Shares the names just resolved at `offset` in `build_id`'s object.
    pub fn put(&mut self, build_id: &Arc<str>, offset: usize, resolved: &[String]) {
        let Some(dir) = self.dir.as_deref() else {
            return;
        };
        // A name that cannot be written as one field is not shared.
        if resolved.iter().any(|n| n.contains(['\t', '\n'])) {
            return;
        }
        let mut line = format!("{offset:x}");
        for name in resolved {
            line.push('\t');
            line.push_str(name);
        }
        line.push('\n');
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file_of(dir, build_id))
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if appended.is_ok() {
            let names = self.objects.entry(build_id.clone()).or_default();
            names.by_offset.insert(offset, resolved.to_vec());
        }
    }
}

fn file_of(dir: &Path, build_id: &str) -> PathBuf {
    dir.join(build_id)
}

/// Reads the whole lines added to `path` since `names.read_to`.
fn read_more(path: &Path, names: &mut Names) {
    let Ok(mut file) = std::fs::File::open(path) else {
        return;
    };
    let mut text = Vec::new();
    if file.seek(SeekFrom::Start(names.read_to)).is_err() || file.read_to_end(&mut text).is_err() {
        return;
    }
    // A line still being written has no newline yet: leave it for later.
    let Some(whole) = text.iter().rposition(|&b| b == b'\n') else {
        return;
    };
    names.read_to += whole as u64 + 1;
    for line in String::from_utf8_lossy(&text[..whole]).lines() {
        if let Some((offset, resolved)) = parse_line(line) {
            names.by_offset.entry(offset).or_insert(resolved);
        }
    }
}

fn parse_line(line: &str) -> Option<(usize, Vec<String>)> {
    let mut fields = line.split('\t');
    let offset = usize::from_str_radix(fields.next()?, 16).ok()?;
    let resolved: Vec<String> = fields.map(str::to_owned).collect();
    (!resolved.is_empty()).then_some((offset, resolved))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(dir: &Path) -> SharedNames {
        SharedNames::new(Some(dir), Some("runtime"))
    }

    #[test]
    fn what_one_process_resolves_another_reads_and_a_torn_line_waits() {
        let dir = std::env::temp_dir().join(format!("blockguard-names-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let id: Arc<str> = "ab12".into();
        let names = vec!["std::thread::sleep".to_owned(), "x::y".to_owned()];
        let mut first = shared(&dir);
        assert_eq!(first.get(&id, 0x1f0), None);
        first.put(&id, 0x1f0, &names);
        let mut second = shared(&dir);
        assert_eq!(second.get(&id, 0x1f0), Some(names.clone()));
        assert_eq!(second.get(&id, 0x2000), None);
        // A line half written (no newline yet) is not read ...
        let path = dir.join("runtime/ab12");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"2000\ta::b").unwrap();
        assert_eq!(second.get(&id, 0x2000), None);
        // ... until it is whole.
        f.write_all(b"\n").unwrap();
        assert_eq!(second.get(&id, 0x2000), Some(vec!["a::b".to_owned()]));
        // A name that cannot be one field is kept to the process.
        first.put(&id, 0x30, &["a\tb".to_owned()]);
        assert_eq!(shared(&dir).get(&id, 0x30), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn without_a_folder_nothing_is_shared() {
        let mut none = SharedNames::new(None, Some("runtime"));
        let id: Arc<str> = "ab".into();
        none.put(&id, 1, &["a".to_owned()]);
        assert_eq!(none.get(&id, 1), None);
        let dir = std::env::temp_dir().join(format!("blockguard-no-id-{}", std::process::id()));
        let mut no_id = SharedNames::new(Some(&dir), None);
        no_id.put(&id, 1, &["a".to_owned()]);
        assert!(!dir.exists());
    }
}
