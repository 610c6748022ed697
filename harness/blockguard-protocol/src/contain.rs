//! The contract between the runner and `blockguard-contain`, the launcher
//! that every test process runs under.
//!
//! The runner starts `blockguard-contain [--preload LIB] --status FILE
//! [--join-pids HOLDER | --join-sandbox HOLDER] --parent PID -- EXE ARGS…`
//! in a process group of its own. The launcher dies with the runner
//! (parent-death signal), runs the test in the run's PID namespace, under
//! a reaper of its own so that nothing the test starts outlives it, and
//! exits exactly as the test did. One PID namespace for the run's tests
//! gives each a pid of its own, as it would have without us. It writes
//! FILE, a [`Status`], only when it has something to say: the test left
//! processes behind, or no namespace could be made. Within a run the
//! launchers are forked by the run's launch server instead of started
//! (`crate::launch`), with the same arguments.

use serde::{Deserialize, Serialize};

/// `--preload LIB`: the guard runtime, set as `LD_PRELOAD` for the test
/// only (the launcher itself must not load it).
pub const PRELOAD_ARG: &str = "--preload";
/// `--status FILE`: where the [`Status`] goes.
pub const STATUS_ARG: &str = "--status";
/// `--parent PID`: the runner; the launcher exits at once if it is gone.
pub const PARENT_ARG: &str = "--parent";
/// `--join-sandbox PID`: run the test in the run's sandbox, the namespaces
/// (no network but loopback, the host read-only but for the run's
/// folders; see `crate::sandbox`) that the holder PID lives in, and in the
/// PID namespace it made for its children. The launcher never runs the
/// test unsandboxed then.
pub const JOIN_SANDBOX_ARG: &str = "--join-sandbox";
/// `--join-pids PID`: run the test in the run's PID namespace, the one the
/// holder PID made for its children (see [`HOLD_PIDS_ARG`]). Without it
/// (nor the sandbox), the test gets a PID namespace of its own.
pub const JOIN_PIDS_ARG: &str = "--join-pids";
/// `--sandbox`, with the paths of a `crate::sandbox::SandboxPaths`: run
/// the program in a sandbox of its own (a sandboxed build).
pub const MAKE_SANDBOX_ARG: &str = "--sandbox";
/// `blockguard-contain --hold-sandbox PATHS…`: makes the run's sandbox
/// with the paths of a `crate::sandbox::SandboxPaths`, and the run's PID
/// namespace in it, and holds them. It writes its pid and a newline on
/// stdout, then lives until its stdin ends; if the sandbox cannot be
/// made, it says why on stderr and exits with [`NO_SANDBOX`].
pub const HOLD_SANDBOX_ARG: &str = "--hold-sandbox";
/// `blockguard-contain --hold-pids`: makes the PID namespace of a run
/// without the sandbox (inside a user namespace that maps the user onto
/// itself, where the user may not make one directly) and holds it, as
/// [`HOLD_SANDBOX_ARG`] holds the sandbox; its init dies with it, and the
/// kernel then kills whatever is left in the namespace. If it cannot be
/// made, it says why on stderr and exits with 1.
pub const HOLD_PIDS_ARG: &str = "--hold-pids";
/// The exit code of a launcher that was asked for a sandbox and could not
/// make one; the status file says why.
pub const NO_SANDBOX: i32 = 125;

/// What the launcher saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The test ran in a PID namespace (the run's, or one of its own) under
    /// its reaper.
    pub contained: bool,
    /// Why it did not, when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Processes still alive after the test exited and a grace period
    /// passed (each as `pid: command line`); they were killed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaked: Vec<String>,
    /// In the sandbox: the test filled its `/tmp` and `/dev/shm`, which
    /// share this many bytes (the memory limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filled_tmp: Option<u64>,
}

impl Status {
    /// The status file's text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a status serializes") + "\n"
    }

    /// Parses a status file; `None` if it is not one.
    pub fn parse(text: &str) -> Option<Status> {
        serde_json::from_str(text).ok()
    }
}

/// The most bytes of a command line a process is named with.
pub const COMMAND_LINE_MAX: usize = 200;

/// A process's `/proc/<pid>/cmdline` as a leaked process (and the runner's
/// list of who holds a file) names it: its arguments joined by spaces, cut
/// at a character to [`COMMAND_LINE_MAX`] bytes.
pub fn shown_command_line(cmdline: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(cmdline)
        .split('\0')
        .filter(|a| !a.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut end = text.len().min(COMMAND_LINE_MAX);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_round_trips() {
        let status = Status {
            contained: true,
            why: None,
            leaked: vec!["3: sleep 3600".to_owned()],
            filled_tmp: Some(1 << 20),
        };
        assert_eq!(Status::parse(&status.to_json()), Some(status));
        assert_eq!(Status::parse("not json"), None);
    }

    #[test]
    fn a_command_line_is_joined_and_cut_at_a_character() {
        assert_eq!(shown_command_line(b"sleep\x003600\x00"), "sleep 3600");
        let long = format!("{}\u{e9} tail\0", "a".repeat(COMMAND_LINE_MAX - 1));
        assert_eq!(
            shown_command_line(long.as_bytes()),
            "a".repeat(COMMAND_LINE_MAX - 1)
        );
    }
}
