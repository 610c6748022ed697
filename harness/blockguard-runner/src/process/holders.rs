//! Who still holds a pipe: every process with a descriptor on it, found in
//! `/proc/<pid>/fd`. Used when a test's output stays open after it exited.

use std::path::Path;

/// The inode of the pipe behind `fd`, as `/proc/<pid>/fd` links name it.
pub fn pipe_inode(fd: impl std::os::fd::AsFd) -> Option<u64> {
    rustix::fs::fstat(fd).ok().map(|st| st.st_ino)
}

/// Processes other than this one with a descriptor on any of `inodes`,
/// each with its command line.
pub fn holders(inodes: &[u64]) -> Vec<(i32, String)> {
    let links: Vec<String> = inodes.iter().map(|i| format!("pipe:[{i}]")).collect();
    let me = std::process::id() as i32;
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        if pid == me || !holds(&entry.path(), &links) {
            continue;
        }
        found.push((pid, command_line(&entry.path())));
    }
    found
}

fn holds(proc_dir: &Path, links: &[String]) -> bool {
    let Ok(fds) = std::fs::read_dir(proc_dir.join("fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path())
            .is_ok_and(|target| links.iter().any(|l| target.as_os_str() == l.as_str()))
    })
}

fn command_line(proc_dir: &Path) -> String {
    let raw = std::fs::read(proc_dir.join("cmdline")).unwrap_or_default();
    blockguard_protocol::contain::shown_command_line(&raw)
}

#[cfg(test)]
mod tests {
    use super::command_line;

    #[test]
    fn a_long_command_line_is_cut_at_a_character() {
        let dir = std::env::temp_dir().join(format!("bg-holders-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Byte 200 falls inside the two-byte 'é'.
        let cmdline = format!("{}é tail\0", "a".repeat(199));
        std::fs::write(dir.join("cmdline"), cmdline).unwrap();
        let shown = command_line(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(shown, "a".repeat(199));
    }
}
