//! The run's PID namespace: one for all of a run's tests, so that tests
//! running side by side each see a pid of their own, as they would without
//! us. Its holder makes it and starts its init (`run_init`):
//! `--hold-pids`, or `--hold-sandbox`, which makes it inside the sandbox.
//! Each test's launcher joins it (`--join-pids`, or with the sandbox) and
//! forks the test's reaper into it (`reaper`).
//!
//! Joined, not made by whoever starts the launchers: the runner spawns
//! some launchers (`BLOCKGUARD_LAUNCH_SERVER=off`, listings) and the launch
//! server forks the others, and a namespace one of them made would not
//! hold the other's. `setns(2)` on the holder's `ns/pid_for_children`
//! serves both, as the sandbox's namespaces are joined; the user namespace
//! that owns it comes first, for the capability to join it.

use crate::sandbox_error::SandboxError;
use crate::{hold, namespace, run_init, sys, sys_ns};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::ExitCode;

/// Makes a PID namespace for our children (directly as root, else in a
/// user namespace that maps our ids onto themselves) and starts its init.
pub fn make() -> Result<(), SandboxError> {
    namespace::unshare(libc::CLONE_NEWPID)?;
    let holder = std::process::id();
    let starting = |e| SandboxError::step("starting the run's init", e);
    let (mut ready, said) = std::io::pipe().map_err(starting)?;
    match sys::fork().map_err(starting)? {
        sys::Fork::Child => {
            drop(ready);
            run_init::run(said, holder)
        }
        sys::Fork::Parent(_) => {
            drop(said);
            let mut byte = [0u8; 1];
            match ready.read(&mut byte).map_err(starting)? {
                1 => Ok(()),
                _ => Err(starting(std::io::Error::other("it ended at once"))),
            }
        }
    }
}

/// `--hold-pids`: makes the run's PID namespace, says our pid, then lives
/// until stdin ends. Where it cannot be made, says why on stderr.
pub fn hold() -> ExitCode {
    if let Err(why) = make() {
        eprintln!("blockguard-contain: the run's PID namespace: {why}");
        return ExitCode::from(1);
    }
    hold::until_stdin_ends()
}

/// Joins the PID namespace `holder` made for its children: its user
/// namespace first, unless it is ours (a holder running as root makes
/// none).
pub fn join(holder: i32) -> Result<(), SandboxError> {
    let ns = Path::new("/proc").join(holder.to_string()).join("ns");
    let open = |name: &str| {
        let path = ns.join(name);
        sys_ns::open(&path, false).map_err(|e| SandboxError::step(path.display().to_string(), e))
    };
    let user = open("user")?;
    let pids = open("pid_for_children")?;
    if !same(&ns.join("user"), Path::new("/proc/self/ns/user")) {
        sys_ns::setns(&user, libc::CLONE_NEWUSER)
            .map_err(|e| SandboxError::step("joining the run's user namespace", e))?;
    }
    sys_ns::setns(&pids, libc::CLONE_NEWPID)
        .map_err(|e| SandboxError::step("joining the run's PID namespace", e))
}

/// Whether two namespace links name the same namespace.
fn same(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}
