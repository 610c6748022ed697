//! The sandbox's contract between the runner and `blockguard-contain`,
//! which makes it: what of the host is shown, and the limits on a test.
//!
//! No network but loopback, private IPC and hostname, the host read-only,
//! the homes hidden, a fresh `/dev` and `/sys`, per test a `/proc` of the
//! run's PID namespace and a `/tmp` and `/dev/shm` of its own sized by the
//! memory limit, and read-write only the folders named.

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

/// `--ro PATH`, `--rw PATH`, `--hide PATH`: one folder of a
/// [`SandboxPaths`], as the launcher takes them.
pub const READABLE_ARG: &str = "--ro";
/// See [`READABLE_ARG`].
pub const WRITABLE_ARG: &str = "--rw";
/// See [`READABLE_ARG`].
pub const HIDDEN_ARG: &str = "--hide";

/// What of the host a sandboxed program sees. The host's root is shown
/// read-only, with a fresh `/dev`, `/sys`, and per test a `/proc` of the
/// run's PID namespace and its own sized `/tmp` and `/dev/shm`; then, from
/// the outermost path in:
/// `hidden` paths (the homes) are empty, read-only folders (a file is
/// empty), `readable` ones are shown read-only, and `writable` ones
/// read-write. At one path, writable wins over readable, and both over
/// hidden.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SandboxPaths {
    /// Shown read-only, also inside a hidden folder or the private `/tmp`.
    pub readable: Vec<PathBuf>,
    /// Shown read-write.
    pub writable: Vec<PathBuf>,
    /// Shown empty.
    pub hidden: Vec<PathBuf>,
}

/// How a path of a [`SandboxPaths`] is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Empty and read-only.
    Hidden,
    /// Read-only.
    Readable,
    /// Read-write.
    Writable,
}

impl Access {
    fn flag(self) -> &'static str {
        match self {
            Access::Hidden => HIDDEN_ARG,
            Access::Readable => READABLE_ARG,
            Access::Writable => WRITABLE_ARG,
        }
    }
}

impl SandboxPaths {
    /// Every path with how it is shown, in the order to mount them: a
    /// folder before the paths inside it, one entry per path (the most
    /// open access wins).
    pub fn plan(&self) -> Vec<(PathBuf, Access)> {
        let mut all: Vec<(PathBuf, Access)> = [
            (&self.hidden, Access::Hidden),
            (&self.readable, Access::Readable),
            (&self.writable, Access::Writable),
        ]
        .into_iter()
        .flat_map(|(paths, access)| paths.iter().map(move |p| (p.clone(), access)))
        .collect();
        // Path order puts a folder before what it holds; at one path the
        // most open access comes last and is kept.
        all.sort();
        let mut plan: Vec<(PathBuf, Access)> = Vec::new();
        for (path, access) in all {
            match plan.last_mut() {
                Some(last) if last.0 == path => last.1 = access,
                _ => plan.push((path, access)),
            }
        }
        plan
    }

    /// The launcher's arguments for these paths.
    pub fn to_args(&self) -> Vec<OsString> {
        self.plan()
            .into_iter()
            .flat_map(|(path, access)| [access.flag().into(), path.into_os_string()])
            .collect()
    }

    /// Takes `flag VALUE` if `flag` is one of ours; whether it was.
    pub fn take_arg(&mut self, flag: &str, value: &std::ffi::OsStr) -> bool {
        let list = match flag {
            READABLE_ARG => &mut self.readable,
            WRITABLE_ARG => &mut self.writable,
            HIDDEN_ARG => &mut self.hidden,
            _ => return false,
        };
        list.push(PathBuf::from(value));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_mounts_folders_before_their_contents_and_the_most_open_access_wins() {
        let paths = SandboxPaths {
            readable: vec!["/w".into(), "/root/.rustup".into(), "/w/target".into()],
            writable: vec!["/w/target/sandboxed/x".into(), "/w".into()],
            hidden: vec!["/root".into(), "/w/target".into()],
        };
        let plan: Vec<(String, Access)> = paths
            .plan()
            .into_iter()
            .map(|(p, a)| (p.display().to_string(), a))
            .collect();
        let want = [
            ("/root", Access::Hidden),
            ("/root/.rustup", Access::Readable),
            ("/w", Access::Writable),
            ("/w/target", Access::Readable),
            ("/w/target/sandboxed/x", Access::Writable),
        ];
        let want: Vec<(String, Access)> = want.iter().map(|(p, a)| (p.to_string(), *a)).collect();
        assert_eq!(plan, want);
    }

    #[test]
    fn paths_round_trip_through_the_launchers_arguments() {
        let paths = SandboxPaths {
            readable: vec!["/a".into()],
            writable: vec!["/b".into()],
            hidden: vec!["/c".into()],
        };
        let args = paths.to_args();
        let mut back = SandboxPaths::default();
        for pair in args.chunks(2) {
            assert!(back.take_arg(pair[0].to_str().unwrap(), &pair[1]));
        }
        assert_eq!(back, paths);
        assert!(!back.take_arg("--limits", "1:2:3".as_ref()));
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
