//! Whether a run is sandboxed: what the flags and the suite's origin ask
//! for, and whether the sandbox can be made here.

use super::error::SandboxError;
use super::holder::Sandbox;
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
pub fn check(launcher: &Path) -> Result<(), SandboxError> {
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
