//! One program in a sandbox of its own: the build of an untrusted crate,
//! whose build scripts and proc macros are its code too.

use blockguard_protocol::contain::{MAKE_SANDBOX_ARG, PARENT_ARG};
use blockguard_protocol::sandbox::SandboxPaths;
use std::path::Path;
use std::process::Command;

/// `program` (its arguments still to add) run by `launcher` in a sandbox
/// with `paths` (only those that exist are shown); it dies with us.
pub fn command(launcher: &Path, program: &Path, paths: &SandboxPaths) -> Command {
    let mut cmd = Command::new(launcher);
    cmd.arg(MAKE_SANDBOX_ARG)
        .args(paths.to_args())
        .arg(PARENT_ARG)
        .arg(std::process::id().to_string())
        .arg("--")
        .arg(program);
    cmd
}
