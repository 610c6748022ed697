//! Names resolved by earlier processes of the same binary, shared on disk.
//!
//! Resolving an address the first time parses the DWARF of its unit: for
//! std's and libtest's units about 15 ms, and for libc with its separate
//! debug info installed about 85 ms (inflating all of it), the same in
//! every test process of a binary. The runner names a folder (`BLOCKGUARD_SYMBOLS`),
//! kept between runs. In it, each build of the guard runtime has a folder
//! named by its own GNU build id (a change to how it names frames, or to
//! this format, is a new build), and each object with a build id a file
//! there, named by it, of lines `OFFSET` then, per frame at that address
//! (innermost first), `\tNAME\tFILE\tLINE\tCOLUMN` (each of the last
//! three empty when the debug info has none). The line tables are parsed
//! with the names, so a location costs what its name does: once per
//! binary. A process looks an address up there before resolving it, and
//! appends what it resolved with one `write` to an `O_APPEND` descriptor,
//! so that processes running side by side never tear each other's lines.
//! The two build ids name the exact files, so a line can never be stale.

use super::resolved::{Location, Resolved};
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One object's file, as far as it has been read.
#[derive(Default)]
struct Names {
    by_offset: HashMap<usize, Vec<Resolved>>,
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

    /// The frames at `offset` in the object with `build_id`, if a process
    /// resolved them.
    pub fn get(&mut self, build_id: &Arc<str>, offset: usize) -> Option<Vec<Resolved>> {
        let dir = self.dir.as_deref()?;
        let names = self.objects.entry(build_id.clone()).or_default();
        if let Some(found) = names.by_offset.get(&offset) {
            return Some(found.clone());
        }
        // Others may have added lines since the last read.
        read_more(&file_of(dir, build_id), names);
        names.by_offset.get(&offset).cloned()
    }

    /// Shares the frames just resolved at `offset` in `build_id`'s object.
    pub fn put(&mut self, build_id: &Arc<str>, offset: usize, resolved: &[Resolved]) {
        let Some(dir) = self.dir.as_deref() else {
            return;
        };
        let Some(line) = format_line(offset, resolved) else {
            return;
        };
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

/// The line for the frames at `offset`; `None` when a name or file cannot
/// be written as one field (such frames stay the process's own).
fn format_line(offset: usize, resolved: &[Resolved]) -> Option<String> {
    let mut line = format!("{offset:x}");
    for frame in resolved {
        let file = frame.location.as_ref().map_or("", |l| &l.file);
        if frame.name.contains(['\t', '\n']) || file.contains(['\t', '\n']) {
            return None;
        }
        let number = |n: Option<u32>| n.map_or_else(String::new, |n| n.to_string());
        let at = frame.location.as_ref();
        line.push('\t');
        line.push_str(&frame.name);
        line.push('\t');
        line.push_str(file);
        line.push('\t');
        line.push_str(&number(at.and_then(|l| l.line)));
        line.push('\t');
        line.push_str(&number(at.and_then(|l| l.column)));
    }
    line.push('\n');
    Some(line)
}

/// A line's offset and frames; `None` for one not in this format.
fn parse_line(line: &str) -> Option<(usize, Vec<Resolved>)> {
    let (offset, rest) = line.split_once('\t')?;
    let offset = usize::from_str_radix(offset, 16).ok()?;
    let fields: Vec<&str> = rest.split('\t').collect();
    let frames = fields.chunks_exact(FIELDS);
    if !frames.remainder().is_empty() {
        return None;
    }
    let number = |s: &str| -> Option<Option<u32>> {
        if s.is_empty() {
            Some(None)
        } else {
            s.parse().ok().map(Some)
        }
    };
    let mut resolved = Vec::with_capacity(fields.len() / FIELDS);
    for frame in frames {
        let [name, file, line, column] = [frame[0], frame[1], frame[2], frame[3]];
        let location = match file {
            "" => None,
            file => Some(Location {
                file: file.into(),
                line: number(line)?,
                column: number(column)?,
            }),
        };
        resolved.push(Resolved {
            name: name.to_owned(),
            location,
        });
    }
    Some((offset, resolved))
}

/// Fields per frame: name, file, line, column.
const FIELDS: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(dir: &Path) -> SharedNames {
        SharedNames::new(Some(dir), Some("runtime"))
    }

    fn at(name: &str, file: &str, line: Option<u32>, column: Option<u32>) -> Resolved {
        Resolved {
            name: name.to_owned(),
            location: Some(Location {
                file: file.into(),
                line,
                column,
            }),
        }
    }

    fn scratch(what: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("blockguard-{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn what_one_process_resolves_another_reads_and_a_torn_line_waits() {
        let dir = scratch("names");
        let id: Arc<str> = "ab12".into();
        let frames = vec![
            at(
                "std::thread::sleep",
                "/rustc/x/std/src/thread/mod.rs",
                Some(9),
                Some(5),
            ),
            at("x::y", "/src/x/src/lib.rs", Some(3), None),
            Resolved::named("x::main"),
        ];
        let mut first = shared(&dir);
        assert_eq!(first.get(&id, 0x1f0), None);
        first.put(&id, 0x1f0, &frames);
        let mut second = shared(&dir);
        assert_eq!(second.get(&id, 0x1f0), Some(frames.clone()));
        assert_eq!(second.get(&id, 0x2000), None);
        // A line half written (no newline yet) is not read ...
        let path = dir.join("runtime/ab12");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"2000\ta::b\t/a.rs\t7").unwrap();
        assert_eq!(second.get(&id, 0x2000), None);
        // ... until it is whole.
        f.write_all(b"\t\n").unwrap();
        assert_eq!(
            second.get(&id, 0x2000),
            Some(vec![at("a::b", "/a.rs", Some(7), None)])
        );
        // A name or file that cannot be one field is kept to the process.
        first.put(&id, 0x30, &[Resolved::named("a\tb")]);
        first.put(&id, 0x40, &[at("a", "/x\ny.rs", Some(1), None)]);
        assert_eq!(shared(&dir).get(&id, 0x30), None);
        assert_eq!(shared(&dir).get(&id, 0x40), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_line_carries_each_frames_location_in_four_fields() {
        let frames = [
            at("inner", "/src/a.rs", Some(12), Some(9)),
            Resolved::named("<unknown>"),
        ];
        let line = format_line(0xbeef, &frames).unwrap();
        assert_eq!(line, "beef\tinner\t/src/a.rs\t12\t9\t<unknown>\t\t\t\n");
        assert_eq!(
            parse_line(line.strip_suffix('\n').unwrap()),
            Some((0xbeef, frames.to_vec()))
        );
        // A line of another shape is no line of this format.
        assert_eq!(parse_line("beef\tinner"), None);
        assert_eq!(parse_line("beef\tinner\t/a.rs\tx\t"), None);
        assert_eq!(parse_line("zz\tinner\t\t\t"), None);
    }

    #[test]
    fn without_a_folder_nothing_is_shared() {
        let mut none = SharedNames::new(None, Some("runtime"));
        let id: Arc<str> = "ab".into();
        none.put(&id, 1, &[Resolved::named("a")]);
        assert_eq!(none.get(&id, 1), None);
        let dir = std::env::temp_dir().join(format!("blockguard-no-id-{}", std::process::id()));
        let mut no_id = SharedNames::new(Some(&dir), None);
        no_id.put(&id, 1, &[Resolved::named("a")]);
        assert!(!dir.exists());
    }
}
