//! A sandboxed test's own `/tmp` and `/dev/shm`: two folders of one tmpfs,
//! so that together they hold at most the memory limit. What the sandbox
//! shows under `/tmp` (a host folder the tests need) is kept in place.

use crate::sandbox_error::SandboxError;
use crate::sys_mount::{self, bind, mount};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Below this much free space, the test is taken to have filled them.
const FULL_BELOW: u64 = 64 << 10;

/// Mounts them, `size` bytes in all. Runs in init, in the test's own mount
/// namespace, before the test starts.
pub fn make(size: u64) -> Result<(), SandboxError> {
    let kept = mounts_under(Path::new("/tmp"))
        .into_iter()
        .map(|path| {
            let tree = sys_mount::clone_tree(&path);
            let dir = path.is_dir();
            tree.map(|tree| (path, tree, dir))
        })
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| SandboxError::step("keeping what /tmp shows", e))?;
    let shm = Path::new("/dev/shm");
    mount(
        Some(Path::new("tmpfs")),
        shm,
        Some("tmpfs"),
        libc::MS_NOSUID | libc::MS_NODEV,
        Some(&format!("mode=0755,size={size}")),
    )
    .map_err(|e| SandboxError::step("a tmpfs for /tmp and /dev/shm", e))?;
    for (folder, target) in [("tmp", Path::new("/tmp")), ("shm", shm)] {
        let source = shm.join(folder);
        std::fs::create_dir(&source)
            .and_then(|()| {
                std::fs::set_permissions(&source, std::fs::Permissions::from_mode(0o1777))
            })
            .and_then(|()| bind(&source, target))
            .map_err(|e| SandboxError::step(target.display().to_string(), e))?;
    }
    for (path, tree, dir) in kept {
        let made = if dir {
            std::fs::create_dir_all(&path)
        } else {
            path.parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::File::create(&path).map(drop))
        };
        made.and_then(|()| sys_mount::attach(&tree, &path))
            .map_err(|e| SandboxError::step(format!("showing {} again", path.display()), e))?;
    }
    Ok(())
}

/// Whether the test filled them: less than [`FULL_BELOW`] is left.
pub fn filled() -> bool {
    sys_mount::free_bytes(Path::new("/tmp")).is_ok_and(|free| free < FULL_BELOW)
}

/// The outermost mount points strictly inside `dir`, from our mount table.
fn mounts_under(dir: &Path) -> Vec<PathBuf> {
    let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut points: Vec<PathBuf> = table
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|field| PathBuf::from(unescape(field)))
        .filter(|p| p.starts_with(dir) && p != dir)
        .collect();
    points.sort();
    points.dedup();
    let mut outermost: Vec<PathBuf> = Vec::new();
    for point in points {
        if !outermost.iter().any(|o| point.starts_with(o)) {
            outermost.push(point);
        }
    }
    outermost
}

/// A mount point as the kernel writes it: space, tab, newline and
/// backslash as three octal digits after a backslash.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).and_then(|d| {
            let text = std::str::from_utf8(d).ok()?;
            u8::from_str_radix(text, 8).ok()
        });
        match (bytes[i], octal) {
            (b'\\', Some(byte)) => {
                out.push(byte);
                i += 4;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn mount_points_are_unescaped() {
        assert_eq!(unescape(r"/tmp/a\040b"), "/tmp/a b");
        assert_eq!(unescape(r"/tmp/back\134slash"), "/tmp/back\\slash");
        assert_eq!(unescape("/tmp/plain"), "/tmp/plain");
    }
}
