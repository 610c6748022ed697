//! Why the launcher could not make or join the test's namespaces or the
//! sandbox.

use std::io;
use std::path::PathBuf;

/// A namespace or the sandbox could not be made or joined.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A step failed.
    #[error("{step}: {source}")]
    Step {
        /// What was being done, or the file it was done to.
        step: String,
        /// Why.
        source: io::Error,
    },
    /// No PID namespace, directly nor inside a user namespace.
    #[error("no PID namespace: unshare: {direct}; in a user namespace: {nested}")]
    NoPidNamespace {
        /// Why not directly.
        direct: io::Error,
        /// Why not in a user namespace.
        nested: io::Error,
    },
    /// The working directory is not one of the sandbox's folders.
    #[error(
        "entering the sandbox at {}: {source} (it must be one of the sandbox's folders)",
        cwd.display()
    )]
    Outside {
        /// The working directory.
        cwd: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The kernel refused to make the sandbox: with what to change.
    #[error("{why}. {fix}")]
    Refused {
        /// What failed.
        why: Box<SandboxError>,
        /// The settings to change.
        fix: String,
    },
}

impl SandboxError {
    /// `step` failed with `source`.
    pub fn step(step: impl Into<String>, source: io::Error) -> SandboxError {
        SandboxError::Step {
            step: step.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SandboxError;
    use std::io;

    #[test]
    fn a_refusal_says_the_step_then_what_to_change() {
        let step = SandboxError::step("unshare", io::Error::from_raw_os_error(libc::EPERM));
        let refused = SandboxError::Refused {
            why: Box::new(step),
            fix: "sudo sysctl -w user.max_user_namespaces=10000".to_owned(),
        };
        assert_eq!(
            refused.to_string(),
            format!(
                "unshare: {}. sudo sysctl -w user.max_user_namespaces=10000",
                io::Error::from_raw_os_error(libc::EPERM)
            )
        );
    }
}
