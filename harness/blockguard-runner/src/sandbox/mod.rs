//! The sandbox for untrusted suites, made by the test launcher
//! (`blockguard-contain`) itself: no network but loopback, private IPC and
//! hostname, the host read-only with the homes hidden ([`host_view`]), a
//! fresh `/dev` and `/sys`, and per test its own `/proc` and a `/tmp` and
//! `/dev/shm` sized by the memory limit. A holder process keeps one set
//! of namespaces alive per run ([`Sandbox`]); each test's launcher joins
//! them, then makes the test's own PID and mount namespaces. A sandboxed
//! build runs in a sandbox of its own ([`command`]). On by default for
//! crates.io crates.
//!
//! A run that asks for the sandbox where it cannot be made stops before
//! any test runs; it never runs unsandboxed instead.

mod command;
mod holder;
pub mod host_view;

pub use command::command;
pub use holder::Sandbox;

use blockguard_protocol::sandbox::SandboxPaths;
use std::path::Path;

/// What `--sandbox` / `--no-sandbox` say, and whether the suite is a
/// crates.io crate's: whether to sandbox.
pub fn wanted(sandbox: bool, no_sandbox: bool, from_crates_io: bool) -> bool {
    match (sandbox, no_sandbox) {
        (true, _) => true,
        (_, true) => false,
        _ => from_crates_io,
    }
}

/// Proves the sandbox can be made here, with `launcher`: why not, in a
/// sentence that names what to change and the way out.
pub fn check(launcher: &Path) -> Result<(), String> {
    Sandbox::start(launcher, &SandboxPaths::default()).map(drop)
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
