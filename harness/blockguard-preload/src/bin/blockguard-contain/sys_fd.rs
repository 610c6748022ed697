//! Thin wrappers for the launch server: receiving a request with its
//! descriptors, and setting up a forked launcher's stdio and environment.
//!
//! # Safety
//! Each wrapper passes only valid pointers (to locals that outlive the
//! call) and takes ownership only of descriptors the kernel just gave us.
//! The launch server is single-threaded, so `fork` leaves no lock held by
//! another thread and changing the environment races with no reader.
#![allow(unsafe_code)]

use std::ffi::OsString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// The largest request taken (a Unix datagram cannot be much larger).
const MAX_REQUEST: usize = 1 << 20;

/// A buffer for [`receive`], made once: a request is at most this long.
pub fn request_buffer() -> Vec<u8> {
    vec![0u8; MAX_REQUEST]
}

/// Receives one packet into `data` and up to `max_fds` descriptors from
/// `socket` (close-on-exec): the packet's length and the descriptors;
/// `None` once the sender is gone.
pub fn receive(
    socket: RawFd,
    max_fds: usize,
    data: &mut [u8],
) -> io::Result<Option<(usize, Vec<OwnedFd>)>> {
    let fd_bytes = (max_fds * std::mem::size_of::<RawFd>()) as u32;
    // SAFETY: CMSG_SPACE only computes a size.
    let mut control = vec![0u8; unsafe { libc::CMSG_SPACE(fd_bytes) } as usize];
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    // SAFETY: all-zero bytes are a valid msghdr.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = control.len();
    let n = loop {
        // SAFETY: msg points at live buffers of the sizes it says.
        let n = unsafe { libc::recvmsg(socket, &mut msg, libc::MSG_CMSG_CLOEXEC) };
        if n >= 0 {
            break n as usize;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    };
    let mut fds = Vec::new();
    // SAFETY: msg is the header recvmsg filled; the CMSG_* walk stays
    // within its control buffer, and each SCM_RIGHTS descriptor is new
    // and ours alone.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                let bytes = (*cmsg).cmsg_len as usize - libc::CMSG_LEN(0) as usize;
                let first = libc::CMSG_DATA(cmsg).cast::<RawFd>();
                for i in 0..bytes / std::mem::size_of::<RawFd>() {
                    fds.push(OwnedFd::from_raw_fd(first.add(i).read_unaligned()));
                }
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
    }
    if n == 0 && fds.is_empty() {
        return Ok(None);
    }
    Ok(Some((n, fds)))
}

/// Makes `fd` our descriptor `target` (kept across exec).
pub fn install(fd: &OwnedFd, target: RawFd) -> io::Result<()> {
    // SAFETY: dup2 on a descriptor of ours.
    if unsafe { libc::dup2(fd.as_raw_fd(), target) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Writes all of `bytes` to `fd`.
pub fn write_all(fd: &OwnedFd, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        // SAFETY: bytes is a live slice; fd is ours.
        let n = unsafe { libc::write(fd.as_raw_fd(), bytes.as_ptr().cast(), bytes.len()) };
        if n < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        bytes = &bytes[n as usize..];
    }
    Ok(())
}

/// Ended children are reaped by the kernel (the server never waits).
pub fn reap_children_automatically(on: bool) {
    let action = if on { libc::SIG_IGN } else { libc::SIG_DFL };
    // SAFETY: setting a disposition.
    unsafe { libc::signal(libc::SIGCHLD, action) };
}

/// Replaces the whole environment with `vars`.
pub fn replace_environment(vars: &[(OsString, OsString)]) {
    for (name, _) in std::env::vars_os() {
        // SAFETY: single-threaded: nothing reads the environment meanwhile.
        unsafe { std::env::remove_var(name) };
    }
    for (name, value) in vars {
        if !name.is_empty() {
            // SAFETY: as above.
            unsafe { std::env::set_var(name, value) };
        }
    }
}
