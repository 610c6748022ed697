//! Making a sandbox: a user namespace that maps our ids onto themselves
//! (also as root, so that every user gets the same sandbox), new mount,
//! network, IPC and UTS namespaces, loopback up, and the file tree of
//! `sandbox_tree`. Where the kernel refuses, the error says what to change.

use crate::sandbox_error::SandboxError;
use crate::{sandbox_tree, sys, sys_mount};
use blockguard_protocol::sandbox::SandboxPaths;

/// Puts this process in a new sandbox with `paths`.
pub fn make(paths: &SandboxPaths) -> Result<(), SandboxError> {
    let (uid, gid) = sys::ids();
    let namespaces = libc::CLONE_NEWUSER
        | libc::CLONE_NEWNS
        | libc::CLONE_NEWNET
        | libc::CLONE_NEWIPC
        | libc::CLONE_NEWUTS;
    sys::unshare(namespaces).map_err(|e| refused(SandboxError::step("unshare", e)))?;
    let maps = [
        ("/proc/self/setgroups", "deny".to_owned()),
        ("/proc/self/uid_map", format!("{uid} {uid} 1")),
        ("/proc/self/gid_map", format!("{gid} {gid} 1")),
    ];
    for (file, map) in maps {
        std::fs::write(file, map).map_err(|e| refused(SandboxError::step(file, e)))?;
    }
    sys_mount::loopback_up().map_err(|e| refused(SandboxError::step("bringing up loopback", e)))?;
    sandbox_tree::build(paths).map_err(refused)
}

/// The kernel settings that turn user namespaces off, what each must be
/// set to, and what to run.
const SETTINGS: [(&str, &str, &str); 3] = [
    (
        "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
        "1",
        "AppArmor restricts unprivileged user namespaces (Ubuntu 23.10 and later): \
         sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0",
    ),
    (
        "/proc/sys/kernel/unprivileged_userns_clone",
        "0",
        "unprivileged user namespaces are off: sudo sysctl -w kernel.unprivileged_userns_clone=1",
    ),
    (
        "/proc/sys/user/max_user_namespaces",
        "0",
        "user namespaces are limited to none: sudo sysctl -w user.max_user_namespaces=10000",
    ),
];

/// `why` the sandbox could not be made, with what to change.
fn refused(why: SandboxError) -> SandboxError {
    let settings: Vec<&str> = SETTINGS
        .iter()
        .filter(|(file, off, _)| std::fs::read_to_string(file).is_ok_and(|v| v.trim() == *off))
        .map(|(_, _, fix)| *fix)
        .collect();
    let fix = if settings.is_empty() {
        "the sandbox needs user namespaces (`unshare --user --map-root-user true` must work); \
         a container may need them allowed by its seccomp profile"
            .to_owned()
    } else {
        settings.join("; ")
    };
    SandboxError::Refused {
        why: Box::new(why),
        fix,
    }
}
