//! Files a sandboxed test could have replaced: its trace and the runtime's
//! side files, the launcher's status, doctest records. The runner reads
//! and empties them outside the sandbox, so it never follows a link there
//! (a test's link to a host file would be read into a report, or
//! truncated), never waits on a FIFO and never reads past a bound.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The most of one file read: a trace longer than this is cut.
const MOST: u64 = 1 << 30;

/// Opens `path` without following a link or blocking, if it is a regular
/// file.
fn open(path: &Path, write: bool) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .read(!write)
        .write(write)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    match file.metadata()?.is_file() {
        true => Ok(file),
        false => Err(std::io::Error::other("not a regular file")),
    }
}

/// The bytes of the regular file at `path`, at most [`MOST`].
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(path, false)?.take(MOST).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The bytes of the regular file at `path` from byte `from` on, up to
/// [`MOST`] in all: what was appended since an earlier read.
pub fn read_from(path: &Path, from: u64) -> std::io::Result<Vec<u8>> {
    let mut file = open(path, false)?;
    file.seek(SeekFrom::Start(from))?;
    let mut bytes = Vec::new();
    file.take(MOST.saturating_sub(from))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// [`read`], as text (lossily).
pub fn read_to_string(path: &Path) -> std::io::Result<String> {
    read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// Empties the regular file at `path`, keeping its inode; anything else
/// there (a link, a FIFO) is removed; makes nothing. An empty file is left
/// as it is: truncating costs even when there is nothing to free.
pub fn clear(path: &Path) {
    match open(path, true) {
        Ok(file) => {
            if file.metadata().map_or(true, |m| m.len() > 0) {
                let _ = file.set_len(0);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) => {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("bg-untrusted-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_link_is_never_followed_to_read_or_to_empty_its_target() {
        let dir = scratch("link");
        let host = dir.join("host-file");
        std::fs::write(&host, "a secret of the host").unwrap();
        let trace = dir.join("0.jsonl");
        std::os::unix::fs::symlink(&host, &trace).unwrap();
        assert!(read_to_string(&trace).is_err());
        clear(&trace);
        assert_eq!(
            std::fs::read_to_string(&host).unwrap(),
            "a secret of the host"
        );
        assert!(
            !trace.exists() && std::fs::symlink_metadata(&trace).is_err(),
            "the link is gone"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_fifo_or_a_device_is_not_read_and_a_regular_file_is_emptied_in_place() {
        let dir = scratch("fifo");
        let fifo = dir.join("1.jsonl");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        assert!(
            read(&fifo).is_err(),
            "read returned instead of waiting for a writer"
        );
        clear(&fifo);
        assert!(std::fs::symlink_metadata(&fifo).is_err());
        assert!(read(Path::new("/dev/zero")).is_err());
        let file = dir.join("2.jsonl");
        std::fs::write(&file, "old").unwrap();
        let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
        let before = inode(&file);
        clear(&file);
        assert_eq!(std::fs::read(&file).unwrap(), b"");
        assert_eq!(inode(&file), before);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
