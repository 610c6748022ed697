//! The namespaces the launcher makes itself, directly as root, else inside
//! a user namespace that maps our ids onto themselves: the run's PID
//! namespace (for its holder, `run_pids`), or a PID and mount namespace of
//! the test's own where there is no run's to join; after joining the
//! run's, the test's own mount namespace; and its `/proc`.

use crate::sandbox_error::SandboxError;
use crate::sys;

/// Unshares a PID namespace (for our children) and a mount namespace (so
/// that the reaper can mount a `/proc` that shows only the namespace's
/// processes) of the test's own.
pub fn enter() -> Result<(), SandboxError> {
    unshare(libc::CLONE_NEWPID | libc::CLONE_NEWNS)
}

/// Unshares `namespaces`: directly, else together with a user namespace
/// in which our ids map onto themselves, so the test sees the same user.
pub fn unshare(namespaces: libc::c_int) -> Result<(), SandboxError> {
    let direct = match sys::unshare(namespaces) {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    let (uid, gid) = sys::ids();
    sys::unshare(libc::CLONE_NEWUSER | namespaces)
        .map_err(|nested| SandboxError::NoPidNamespace { direct, nested })?;
    let maps = [
        ("/proc/self/setgroups", "deny".to_owned()),
        ("/proc/self/uid_map", format!("{uid} {uid} 1")),
        ("/proc/self/gid_map", format!("{gid} {gid} 1")),
    ];
    for (file, map) in maps {
        std::fs::write(file, map).map_err(|e| SandboxError::step(file, e))?;
    }
    Ok(())
}

/// Unshares the mount namespace alone, once the run's PID namespace (and
/// the user namespace that owns it) is joined: the test's `/proc`, and in
/// the sandbox its `/tmp` and `/dev/shm`, are mounted there.
pub fn own_mounts() -> Result<(), SandboxError> {
    sys::unshare(libc::CLONE_NEWNS)
        .map_err(|e| SandboxError::step("a mount namespace of the test's own", e))
}

/// In the reaper: keeps mounts private to the namespace and mounts a
/// `/proc` of our PID namespace, so that the test's `getpid()` and
/// `/proc/<pid>` agree. Where the kernel refuses (a container that hides
/// parts of its own `/proc`), the test sees the `/proc` it had.
pub fn mount_proc() {
    let private = sys::mount("none", "/", "", libc::MS_REC | libc::MS_PRIVATE);
    if private.is_ok() {
        let _ = sys::mount(
            "proc",
            "/proc",
            "proc",
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        );
    }
}
