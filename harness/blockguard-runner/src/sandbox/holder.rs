//! A run's sandbox, alive while its holder lives.

use super::error::SandboxError;
use crate::process::ns_holder::{Holder, HolderError};
use blockguard_protocol::contain::HOLD_SANDBOX_ARG;
use blockguard_protocol::sandbox::SandboxPaths;
use std::ffi::OsString;
use std::path::Path;

/// `blockguard-contain --hold-sandbox PATHS…`, which made the sandbox and
/// the run's PID namespace in it, and lives in them until its stdin
/// closes.
pub struct Sandbox {
    holder: Holder,
}

impl Sandbox {
    /// Makes the sandbox with `paths`, held by `launcher`; why not, in a
    /// sentence.
    pub fn start(launcher: &Path, paths: &SandboxPaths) -> Result<Sandbox, SandboxError> {
        // Only paths that exist are shown; the tests' folders must be.
        for dir in &paths.writable {
            std::fs::create_dir_all(dir).map_err(|source| SandboxError::Folder {
                dir: dir.clone(),
                source,
            })?;
        }
        let args = std::iter::once(OsString::from(HOLD_SANDBOX_ARG)).chain(paths.to_args());
        match Holder::start(launcher, args) {
            Ok(holder) => Ok(Sandbox { holder }),
            Err(HolderError::Spawn { launcher, source }) => {
                Err(SandboxError::Launcher { launcher, source })
            }
            Err(HolderError::Refused(why)) => Err(SandboxError::Refused { why }),
        }
    }

    /// The holder's pid, for `blockguard-contain --join-sandbox`.
    pub fn holder(&self) -> u32 {
        self.holder.pid()
    }
}
