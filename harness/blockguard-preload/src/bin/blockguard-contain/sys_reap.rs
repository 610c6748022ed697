//! Thin wrappers over the system calls that keep a test's processes
//! below its reaper and end them.
//!
//! # Safety
//! Each wrapper passes integers only.
#![allow(unsafe_code)]

use std::io;

/// Makes us a child subreaper: a process below us whose parent dies
/// becomes our child, not the namespace's init's.
pub fn become_subreaper() -> io::Result<()> {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes a flag and nothing else.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Sends `signal` to the process `pid` of our PID namespace; one that is
/// gone already is no error worth knowing.
pub fn kill(pid: i32, signal: i32) {
    // SAFETY: kill takes two integers.
    unsafe { libc::kill(pid, signal) };
}
