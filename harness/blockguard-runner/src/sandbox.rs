//! The sandbox for untrusted suites: each test runs under bubblewrap
//! (`bwrap`) inside its launcher's PID namespace, with no network but
//! loopback, a private `/tmp` and `/dev/shm`, and the host read-only
//! except the crate's copy, the build folder and the runner's trace and
//! names folders. On by default for crates.io crates.
//!
//! A run that asks for the sandbox where it cannot be made stops before
//! any test runs; it never runs unsandboxed instead.

use blockguard_protocol::sandbox;
use std::process::Command;

/// What `--sandbox` / `--no-sandbox` say, and whether the suite is a
/// crates.io crate's: whether to sandbox.
pub fn wanted(sandbox: bool, no_sandbox: bool, from_crates_io: bool) -> bool {
    match (sandbox, no_sandbox) {
        (true, _) => true,
        (_, true) => false,
        _ => from_crates_io,
    }
}

/// Proves the sandbox can be made here: bubblewrap runs `true` with the
/// namespaces the tests get. Why not, in a sentence that names the way out.
pub fn check() -> Result<(), String> {
    let bwrap = sandbox::bwrap();
    let out = Command::new(&bwrap)
        .args(sandbox::bwrap_args(&sandbox::SandboxPaths::default()))
        .args(["--", "true"])
        .output();
    let why = match out {
        Ok(out) if out.status.success() => return Ok(()),
        Ok(out) => String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => format!(
            "bubblewrap ({}) is not installed (Debian: apt-get install bubblewrap)",
            std::path::Path::new(&bwrap).display()
        ),
        Err(e) => format!("cannot run {}: {e}", std::path::Path::new(&bwrap).display()),
    };
    Err(format!(
        "the sandbox cannot be made here: {why}. It needs bubblewrap and user namespaces \
         (or root); run with --no-sandbox to run the suite's code unsandboxed"
    ))
}

/// `program` as a command that runs in the sandbox with `paths`: the build of an untrusted crate, whose build scripts and
/// proc macros are its code too.
pub fn command(program: &std::path::Path, paths: &sandbox::SandboxPaths) -> Command {
    let mut cmd = Command::new(sandbox::bwrap());
    cmd.args(sandbox::bwrap_args(paths)).arg("--").arg(program);
    cmd
}

#[cfg(test)]
mod tests {
    use super::wanted;

    #[test]
    fn crates_io_crates_are_sandboxed_unless_told_otherwise() {
        assert!(wanted(false, false, true));
        assert!(!wanted(false, false, false));
        assert!(wanted(true, false, false));
        assert!(!wanted(false, true, true));
    }
}
