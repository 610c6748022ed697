//! Thin wrappers over the system calls that join a sandbox's namespaces
//! and take a test's privileges away.
//!
//! # Safety
//! Each wrapper passes only valid pointers (to locals or C strings that
//! outlive the call) and owns the descriptors it creates. The launcher is
//! single-threaded, as `setns` into a user namespace requires.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

/// `_LINUX_CAPABILITY_VERSION_3`: 64-bit capability sets, two words each.
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn owned(fd: libc::c_int) -> io::Result<OwnedFd> {
    // SAFETY: a descriptor just returned to us, owned by no one else.
    check(fd).map(|fd| unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Opens `path` close-on-exec, as a plain handle (`O_PATH`) if `handle`.
pub fn open(path: &Path, handle: bool) -> io::Result<OwnedFd> {
    use std::os::unix::ffi::OsStrExt;
    let path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    let flags = libc::O_CLOEXEC | if handle { libc::O_PATH } else { libc::O_RDONLY };
    // SAFETY: a valid C string.
    owned(unsafe { libc::open(path.as_ptr(), flags) })
}

/// `setns(2)` into the namespace `ns` of type `kind` (a `CLONE_NEW*` flag).
pub fn setns(ns: &OwnedFd, kind: libc::c_int) -> io::Result<()> {
    // SAFETY: setns takes a descriptor and a flag.
    check(unsafe { libc::setns(ns.as_raw_fd(), kind) }).map(drop)
}

/// Makes the directory `dir` our root and `cwd` (a path under it) our
/// working directory.
pub fn enter_root(dir: &OwnedFd, cwd: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let here = CString::new(".").expect("no NUL");
    let cwd = CString::new(cwd.as_os_str().as_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: a descriptor of ours and valid C strings.
    unsafe {
        check(libc::fchdir(dir.as_raw_fd()))?;
        check(libc::chroot(here.as_ptr()))?;
        check(libc::chdir(cwd.as_ptr()))?;
    }
    Ok(())
}

/// Takes every capability away, for good: the bounding and ambient sets
/// are emptied, then the effective, permitted and inheritable ones, and no
/// exec may grant new privileges (setuid, file capabilities).
pub fn drop_privileges() -> io::Result<()> {
    let last = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|text| text.trim().parse::<libc::c_ulong>().ok())
        .unwrap_or(63);
    // SAFETY: prctl options that take integers only.
    unsafe {
        for cap in 0..=last {
            // A capability this kernel does not know fails harmlessly.
            libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0);
        }
        check(libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        ))?;
    }
    #[repr(C)]
    struct Header {
        version: u32,
        pid: libc::c_int,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let header = Header {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let none = [Data {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    }; 2];
    // SAFETY: a version-3 header and its two data words, both live.
    check(unsafe { libc::syscall(libc::SYS_capset, &header, none.as_ptr()) as libc::c_int })?;
    // SAFETY: PR_SET_NO_NEW_PRIVS takes integers only.
    check(unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }).map(drop)
}
