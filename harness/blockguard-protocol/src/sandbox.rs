//! The sandbox's bubblewrap arguments, declared once: the runner makes
//! each run's sandbox with them (its tests' launchers join it), and runs
//! its build and its check that the sandbox can be made under them.
//!
//! No network but loopback (brought up by bubblewrap), private IPC and
//! hostname, the host read-only, a fresh `/dev`, `/proc` and `/tmp`, and
//! read-write only the folders named.

use std::ffi::OsString;
use std::path::PathBuf;

/// `--limits MEMORY:FILE_SIZE:PROCESSES`: the launcher's argument that
/// sets the sandbox's resource limits on the test.
pub const LIMITS_ARG: &str = "--limits";

/// The resource limits of a sandboxed test: its data (heap, stacks and
/// other writable private mappings, `RLIMIT_DATA`), the size of any file
/// it writes (`RLIMIT_FSIZE`), and the processes of its user
/// (`RLIMIT_NPROC`; root is not held to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of data.
    pub memory: u64,
    /// Bytes per file written.
    pub file_size: u64,
    /// Processes.
    pub processes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            memory: 8 << 30,
            file_size: 4 << 30,
            processes: 4096,
        }
    }
}

impl Limits {
    /// `MEMORY:FILE_SIZE:PROCESSES`, as the launcher takes them.
    pub fn to_arg(self) -> String {
        format!("{}:{}:{}", self.memory, self.file_size, self.processes)
    }

    /// Reads [`Limits::to_arg`] back.
    pub fn parse(text: &str) -> Option<Limits> {
        let mut parts = text.split(':').map(|p| p.parse::<u64>().ok());
        let limits = Limits {
            memory: parts.next()??,
            file_size: parts.next()??,
            processes: parts.next()??,
        };
        parts.next().is_none().then_some(limits)
    }
}

/// The variable naming bubblewrap, when it is not `bwrap` on `PATH`.
pub const BWRAP_VAR: &str = "BLOCKGUARD_BWRAP";

/// bubblewrap: `$BLOCKGUARD_BWRAP`, else `bwrap`.
pub fn bwrap() -> OsString {
    std::env::var_os(BWRAP_VAR).unwrap_or_else(|| "bwrap".into())
}

/// What of the host a sandboxed program sees besides the read-only root:
/// `readable` folders under the private `/tmp` that it needs (the guard
/// runtime, the repository, when they live there), and the `writable`
/// ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SandboxPaths {
    /// Shown read-only, also where the private `/tmp` would hide them.
    pub readable: Vec<PathBuf>,
    /// Shown read-write.
    pub writable: Vec<PathBuf>,
}

/// The arguments before `--` that sandbox a program with `paths` (those
/// that exist).
pub fn bwrap_args(paths: &SandboxPaths) -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "--die-with-parent",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    // In this order: the host's folders over the private /tmp, then the
    // writable ones over both.
    for (flag, dirs) in [("--ro-bind", &paths.readable), ("--bind", &paths.writable)] {
        for dir in dirs.iter().filter(|d| d.exists()) {
            args.extend([flag.into(), dir.clone().into(), dir.clone().into()]);
        }
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_folders_that_exist_are_shown_readable_first_then_writable() {
        let here = std::env::temp_dir();
        let args = bwrap_args(&SandboxPaths {
            readable: vec![PathBuf::from("/")],
            writable: vec![here.clone(), PathBuf::from("/no/such/folder")],
        });
        let binds: Vec<&OsString> = args.iter().skip_while(|a| *a != "--bind").collect();
        assert_eq!(
            binds,
            [
                &OsString::from("--bind"),
                &here.clone().into(),
                &here.into()
            ]
        );
        let ro = args.iter().rposition(|a| a == "--ro-bind").unwrap();
        let rw = args.iter().position(|a| a == "--bind").unwrap();
        assert!(ro < rw, "readable ones before writable ones");
        assert!(args.contains(&"--unshare-net".into()));
        assert_eq!(args.iter().filter(|a| *a == "--ro-bind").count(), 2);
    }

    #[test]
    fn limits_round_trip_and_a_malformed_argument_is_none() {
        let limits = Limits {
            memory: 1 << 20,
            file_size: 7,
            processes: 9,
        };
        assert_eq!(Limits::parse(&limits.to_arg()), Some(limits));
        assert_eq!(Limits::parse("1:2"), None);
        assert_eq!(Limits::parse("1:2:3:4"), None);
        assert_eq!(Limits::parse("a:2:3"), None);
    }
}
