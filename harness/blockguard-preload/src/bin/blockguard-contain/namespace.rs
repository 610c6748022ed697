//! Entering a PID and mount namespace of our own: as root directly, else
//! inside a user namespace that maps our ids onto themselves.

use crate::sandbox_error::SandboxError;
use crate::sys;

/// Unshares the PID namespace (for our children) and the mount namespace
/// (so that init can mount a `/proc` that shows only the test's processes).
pub fn enter() -> Result<(), SandboxError> {
    let namespaces = libc::CLONE_NEWPID | libc::CLONE_NEWNS;
    let direct = match sys::unshare(namespaces) {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    let (uid, gid) = sys::ids();
    sys::unshare(libc::CLONE_NEWUSER | namespaces)
        .map_err(|nested| SandboxError::NoPidNamespace { direct, nested })?;
    // Our own ids map onto themselves, so the test sees the same user.
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

/// In init: keeps mounts private to the namespace and mounts a `/proc` for
/// it, so that the test's `getpid()` and `/proc/<pid>` agree. Returns
/// whether `/proc` is the namespace's own.
pub fn mount_proc() -> bool {
    let private = sys::mount("none", "/", "", libc::MS_REC | libc::MS_PRIVATE);
    private.is_ok()
        && sys::mount(
            "proc",
            "/proc",
            "proc",
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        )
        .is_ok()
}
