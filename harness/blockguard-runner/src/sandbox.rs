//! The sandbox for untrusted suites: bubblewrap (`bwrap`) makes one set of
//! namespaces per run, with no network but loopback, a private `/tmp` and
//! `/dev`, and the host read-only except the crate's copy, the build
//! folder and the runner's trace and names folders. A holder process keeps
//! them alive; each test's launcher joins them, then makes the test's own
//! PID namespace. On by default for crates.io crates.
//!
//! A run that asks for the sandbox where it cannot be made stops before
//! any test runs; it never runs unsandboxed instead.

use blockguard_protocol::contain::HOLD_SANDBOX_ARG;
use blockguard_protocol::sandbox;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

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

/// `program` as a command that runs in a sandbox of its own with
/// `paths`: the build of an untrusted crate, whose build scripts and proc
/// macros are its code too.
pub fn command(program: &std::path::Path, paths: &sandbox::SandboxPaths) -> Command {
    // Only folders that exist are shown: one still to be made (a fresh
    // build folder) would be read-only.
    for dir in &paths.writable {
        let _ = std::fs::create_dir_all(dir);
    }
    let mut cmd = Command::new(sandbox::bwrap());
    cmd.args(sandbox::bwrap_args(paths)).arg("--").arg(program);
    cmd
}

/// A run's sandbox, alive while this lives: bubblewrap running
/// `blockguard-contain --hold-sandbox`.
pub struct Sandbox {
    bwrap: Child,
    /// Closed to end the holder.
    stdin: Option<ChildStdin>,
    holder: u32,
}

impl Sandbox {
    /// Makes the sandbox with `paths`, held by `launcher`; why not, in a
    /// sentence.
    pub fn start(launcher: &Path, paths: &sandbox::SandboxPaths) -> Result<Sandbox, String> {
        let mut paths = paths.clone();
        // Only folders that exist are shown; the tests' ones must be.
        for dir in &paths.writable {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("the sandbox cannot be made: {}: {e}", dir.display()))?;
        }
        // The holder is the launcher, so it must be visible inside.
        if let Some(dir) = launcher.parent() {
            paths.readable.push(dir.to_path_buf());
        }
        // Sorted, a folder comes before the folders in it, as binds must.
        paths.readable.sort();
        paths.readable.dedup();
        let mut bwrap = Command::new(sandbox::bwrap())
            .args(sandbox::bwrap_args(&paths))
            .arg("--")
            .arg(launcher)
            .arg(HOLD_SANDBOX_ARG)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!(
                    "the sandbox cannot be made: {}: {e}",
                    sandbox::bwrap().to_string_lossy()
                )
            })?;
        let stdin = bwrap.stdin.take();
        let mut line = String::new();
        let said = bwrap
            .stdout
            .take()
            .map(|out| BufReader::new(out).read_line(&mut line));
        match (said, line.trim().parse::<u32>()) {
            (Some(Ok(_)), Ok(holder)) => Ok(Sandbox {
                bwrap,
                stdin,
                holder,
            }),
            _ => {
                let _ = bwrap.kill();
                let _ = bwrap.wait();
                let mut why = String::new();
                if let Some(mut err) = bwrap.stderr.take() {
                    let _ = err.read_to_string(&mut why);
                }
                Err(format!("the sandbox cannot be made: {}", why.trim()))
            }
        }
    }

    /// The holder's pid, for `blockguard-contain --join-sandbox`.
    pub fn holder(&self) -> u32 {
        self.holder
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // The holder ends with its stdin, and bubblewrap with it.
        drop(self.stdin.take());
        if !matches!(self.bwrap.wait_timeout(Duration::from_secs(5)), Ok(Some(_))) {
            let _ = self.bwrap.kill();
            let _ = self.bwrap.wait();
        }
    }
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
