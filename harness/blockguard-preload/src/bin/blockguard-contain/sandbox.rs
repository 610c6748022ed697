//! The sandbox: the test runs under bubblewrap inside the launcher's PID
//! namespace, with no network but loopback, a private `/tmp` and
//! `/dev/shm`, and the host read-only except the folders the runner
//! names (the crate's copy, the build folder, the trace and names folders).
//! `$HOME` is read-only with the rest.

use blockguard_protocol::sandbox::{self, SandboxPaths};
use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::OsStringExt;

/// The argv that runs `program` in the sandbox, with `preload` as the
/// test's `LD_PRELOAD` (bubblewrap itself must not load it).
pub fn wrap(program: &[CString], paths: &SandboxPaths, preload: Option<&OsStr>) -> Vec<CString> {
    let mut argv: Vec<OsString> = vec![sandbox::bwrap()];
    argv.extend(sandbox::bwrap_args(paths));
    if let Some(preload) = preload {
        argv.extend(["--setenv".into(), "LD_PRELOAD".into(), preload.to_owned()]);
    }
    argv.push("--".into());
    let mut argv: Vec<CString> = argv
        .into_iter()
        .filter_map(|a| CString::new(a.into_vec()).ok())
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
