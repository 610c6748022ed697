//! Thin wrappers over the system calls that build a sandbox's file tree
//! and bring up its loopback interface.
//!
//! # Safety
//! Each wrapper passes only valid pointers (C strings and structures that
//! live across the call) and owns the descriptors it creates. The launcher
//! is single-threaded.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// `MOUNT_ATTR_RDONLY` and `MOUNT_ATTR_NOSUID` (`linux/mount.h`).
const ATTR_RDONLY: u64 = 0x1;
const ATTR_NOSUID: u64 = 0x2;
/// `OPEN_TREE_CLONE` and `MOVE_MOUNT_F_EMPTY_PATH` (`linux/mount.h`).
const OPEN_TREE_CLONE: libc::c_uint = 0x1;
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x4;

/// `struct mount_attr` (`linux/mount.h`), size version 0.
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

fn check(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path with a NUL byte"))
}

fn c_str(text: &str) -> CString {
    CString::new(text).expect("no NUL in a mount argument")
}

/// `mount(2)`: `source` may be `None` (a remount or a propagation change),
/// `data` the file system's options.
pub fn mount(
    source: Option<&Path>,
    target: &Path,
    fstype: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> io::Result<()> {
    let source = source.map(c_path).transpose()?;
    let target = c_path(target)?;
    let fstype = fstype.map(c_str);
    let data = data.map(c_str);
    let ptr = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
    // SAFETY: valid C strings or null pointers, which mount(2) accepts
    // for the source, the type and the data.
    let ret = unsafe {
        libc::mount(
            ptr(&source),
            target.as_ptr(),
            ptr(&fstype),
            flags,
            ptr(&data).cast(),
        )
    };
    check(ret.into()).map(drop)
}

/// A recursive bind of `source` onto `target`.
pub fn bind(source: &Path, target: &Path) -> io::Result<()> {
    mount(
        Some(source),
        target,
        None,
        libc::MS_BIND | libc::MS_REC,
        None,
    )
}

/// Makes the mount at `target` and every mount under it read-only (and
/// without set-user-ID), for good: `mount_setattr(2)` with `AT_RECURSIVE`.
pub fn read_only_tree(target: &Path) -> io::Result<()> {
    let path = c_path(target)?;
    let attr = MountAttr {
        attr_set: ATTR_RDONLY | ATTR_NOSUID,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: a valid C string and a mount_attr that lives across the call,
    // with its size.
    check(unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            libc::AT_RECURSIVE as libc::c_uint,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    })
    .map(drop)
}

/// `umount2(2)` with `MNT_DETACH`.
pub fn detach(target: &Path) -> io::Result<()> {
    let path = c_path(target)?;
    // SAFETY: a valid C string.
    check(unsafe { libc::umount2(path.as_ptr(), libc::MNT_DETACH) }.into()).map(drop)
}

/// `pivot_root(2)`.
pub fn pivot_root(new_root: &Path, put_old: &Path) -> io::Result<()> {
    let (new_root, put_old) = (c_path(new_root)?, c_path(put_old)?);
    // SAFETY: two valid C strings.
    check(unsafe { libc::syscall(libc::SYS_pivot_root, new_root.as_ptr(), put_old.as_ptr()) })
        .map(drop)
}

/// A detached copy of the mount tree at `path` (`open_tree(2)` with
/// `OPEN_TREE_CLONE`), to be put back with [`attach`].
pub fn clone_tree(path: &Path) -> io::Result<OwnedFd> {
    let path = c_path(path)?;
    let flags =
        OPEN_TREE_CLONE | libc::O_CLOEXEC as libc::c_uint | libc::AT_RECURSIVE as libc::c_uint;
    // SAFETY: a valid C string; the descriptor returned is ours alone.
    let fd =
        check(unsafe { libc::syscall(libc::SYS_open_tree, libc::AT_FDCWD, path.as_ptr(), flags) })?;
    // SAFETY: a descriptor just returned to us, owned by no one else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) })
}

/// Attaches the detached tree `tree` at `target` (`move_mount(2)`).
pub fn attach(tree: &OwnedFd, target: &Path) -> io::Result<()> {
    let (empty, target) = (c_str(""), c_path(target)?);
    // SAFETY: a descriptor of ours and two valid C strings.
    check(unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            tree.as_raw_fd(),
            empty.as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH,
        )
    })
    .map(drop)
}

/// The bytes still free to an unprivileged writer on the file system at
/// `path`.
pub fn free_bytes(path: &Path) -> io::Result<u64> {
    let path = c_path(path)?;
    // SAFETY: all-zero bytes are a valid `statvfs`.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid C string and out-buffer.
    check(unsafe { libc::statvfs(path.as_ptr(), &mut stat) }.into())?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Brings the loopback interface of our network namespace up.
pub fn loopback_up() -> io::Result<()> {
    // SAFETY: socket takes integers only.
    let fd = check(
        unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) }.into(),
    )?;
    // SAFETY: a descriptor just returned to us.
    let socket = unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) };
    // SAFETY: all-zero bytes are a valid `ifreq`.
    let mut request: libc::ifreq = unsafe { std::mem::zeroed() };
    for (to, from) in request.ifr_name.iter_mut().zip(b"lo") {
        *to = *from as libc::c_char;
    }
    // SAFETY: the ioctls read and write the ifreq, which outlives them.
    unsafe {
        check(libc::ioctl(socket.as_raw_fd(), libc::SIOCGIFFLAGS, &mut request).into())?;
        request.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
        check(libc::ioctl(socket.as_raw_fd(), libc::SIOCSIFFLAGS, &request).into())?;
    }
    Ok(())
}
