//! The sandbox: the test runs under bubblewrap inside the launcher's PID
//! namespace, with no network but loopback, a private `/tmp` and
//! `/dev/shm`, and the host read-only except the folders the runner
//! names (the crate's copy, the build folder, the trace and names folders).
//! `$HOME` is read-only with the rest.

use std::ffi::{CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// bubblewrap: `$BLOCKGUARD_BWRAP`, else `bwrap` on `PATH`.
fn bwrap() -> Vec<u8> {
    std::env::var_os(blockguard_protocol::contain::BWRAP_VAR)
        .map_or_else(|| b"bwrap".to_vec(), |v| v.as_bytes().to_vec())
}

/// The argv that runs `program` in the sandbox, with `preload` as the
/// test's `LD_PRELOAD` (bubblewrap itself must not load it).
pub fn wrap(program: &[CString], writable: &[PathBuf], preload: Option<&OsStr>) -> Vec<CString> {
    let mut argv: Vec<Vec<u8>> = vec![bwrap()];
    argv.extend(
        [
            "--die-with-parent",
            "--unshare-net",
            "--unshare-ipc",
            "--unshare-uts",
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--tmpfs",
            "/tmp",
        ]
        .iter()
        .map(|a| a.as_bytes().to_vec()),
    );
    for dir in writable.iter().filter(|d| d.is_dir()) {
        let dir = dir.as_os_str().as_bytes().to_vec();
        argv.extend([b"--bind".to_vec(), dir.clone(), dir]);
    }
    if let Some(preload) = preload {
        argv.extend([
            b"--setenv".to_vec(),
            b"LD_PRELOAD".to_vec(),
            preload.as_bytes().to_vec(),
        ]);
    }
    argv.push(b"--".to_vec());
    let mut argv: Vec<CString> = argv
        .into_iter()
        .filter_map(|a| CString::new(a).ok())
        .collect();
    argv.extend(program.iter().cloned());
    argv
}

/// The test's own wait status from bubblewrap's: bubblewrap exits with
/// 128 + N when signal N killed the test, so that is read back as the
/// signal (a test that exits 129–192 on purpose reads as killed).
pub fn unwrap_status(status: i32) -> i32 {
    if libc::WIFEXITED(status) {
        let code = libc::WEXITSTATUS(status);
        if (129..=192).contains(&code) {
            // A wait status for "killed by signal N".
            return code - 128;
        }
    }
    status
}
