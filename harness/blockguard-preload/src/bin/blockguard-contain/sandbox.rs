//! The sandbox: the run's namespaces, made once (`sandbox_make`) with the
//! run's PID namespace inside them (`run_pids`), and held open by
//! `blockguard-contain --hold-sandbox` (see [`hold()`]). Each test's
//! launcher joins them all, then makes the test's own mount namespace: no
//! network but loopback, private IPC and hostname, a fresh `/dev` and
//! `/sys`, the host read-only but for the run's folders, the homes hidden.
//! The test itself then runs with no capabilities at all, in a `/proc` of
//! the run's PID namespace and its own sized `/tmp` (`private_tmp`). A
//! sandboxed build makes a sandbox of its own the same way (`--sandbox`),
//! and a PID namespace of its own.
//!
//! Joining costs a few system calls where making the namespaces afresh
//! for every test (a network namespace above all) cost about 4 ms.

use crate::sandbox_error::SandboxError;
use crate::{hold, run_pids, sandbox_make, sys_ns};
use blockguard_protocol::contain::NO_SANDBOX;
use blockguard_protocol::sandbox::SandboxPaths;
use std::path::PathBuf;

/// The namespaces to join after the user namespace that owns them, in
/// order: each one's file in `/proc/<holder>/ns`, its name, its kind. The
/// PID namespace is the one the holder made for its children (its init's).
const JOINED: [(&str, &str, libc::c_int); 5] = [
    ("mnt", "mount", libc::CLONE_NEWNS),
    ("net", "network", libc::CLONE_NEWNET),
    ("ipc", "IPC", libc::CLONE_NEWIPC),
    ("uts", "UTS", libc::CLONE_NEWUTS),
    ("pid_for_children", "PID", libc::CLONE_NEWPID),
];

/// A process in a sandbox: what is left to do is [`confine`] the test.
pub struct Joined;

/// Joins the namespaces of the holder `holder`, keeping the working
/// directory (which must be visible in the sandbox).
pub fn join(holder: i32) -> Result<Joined, SandboxError> {
    let proc = PathBuf::from(format!("/proc/{holder}"));
    let open = |name: &str, handle: bool| {
        let path = proc.join(name);
        sys_ns::open(&path, handle).map_err(|e| SandboxError::step(path.display().to_string(), e))
    };
    let cwd =
        std::env::current_dir().map_err(|e| SandboxError::step("the working directory", e))?;
    // The user namespace first: it owns the others, and gives us the
    // capabilities to join them.
    let user = open("ns/user", false)?;
    let others = JOINED
        .iter()
        .map(|(file, name, kind)| Ok((open(&format!("ns/{file}"), false)?, *name, *kind)))
        .collect::<Result<Vec<_>, SandboxError>>()?;
    let root = open("root", true)?;
    sys_ns::setns(&user, libc::CLONE_NEWUSER)
        .map_err(|e| SandboxError::step("joining the sandbox's user namespace", e))?;
    for (ns, name, kind) in &others {
        sys_ns::setns(ns, *kind).map_err(|e| {
            SandboxError::step(format!("joining the sandbox's {name} namespace"), e)
        })?;
    }
    sys_ns::enter_root(&root, &cwd).map_err(|source| SandboxError::Outside {
        cwd: cwd.clone(),
        source,
    })?;
    Ok(Joined)
}

/// Makes a sandbox with `paths` for this process and what it starts.
pub fn make(paths: &SandboxPaths) -> Result<Joined, SandboxError> {
    sandbox_make::make(paths)?;
    Ok(Joined)
}

/// In the test, just before its exec: every capability gone, for good.
pub fn confine() -> Result<(), SandboxError> {
    sys_ns::drop_privileges().map_err(|e| SandboxError::step("dropping capabilities", e))
}

/// `--hold-sandbox PATHS…`: makes the sandbox and the run's PID namespace
/// in it, says our pid, then lives until stdin ends (the runner closes it,
/// or dies).
pub fn hold(mut argv: impl Iterator<Item = std::ffi::OsString>) -> std::process::ExitCode {
    let mut paths = SandboxPaths::default();
    while let Some(flag) = argv.next() {
        let taken = match (flag.to_str(), argv.next()) {
            (Some(flag), Some(value)) => paths.take_arg(flag, &value),
            _ => false,
        };
        if !taken {
            eprintln!(
                "blockguard-contain: --hold-sandbox: unexpected {}",
                flag.to_string_lossy()
            );
            return std::process::ExitCode::from(2);
        }
    }
    if let Err(why) = sandbox_make::make(&paths).and_then(|()| run_pids::make()) {
        eprintln!("{why}");
        return std::process::ExitCode::from(NO_SANDBOX as u8);
    }
    hold::until_stdin_ends()
}
