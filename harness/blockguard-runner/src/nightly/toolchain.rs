//! Toolchains: `rustup run T rustc --version` tells whether one is
//! installed and what it is; the suite's child gets `RUSTUP_TOOLCHAIN`.

use std::process::{Command, Stdio};

/// Why a toolchain cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    /// rustup itself could not be started.
    #[error("cannot run rustup to find toolchain `{name}`: {source}")]
    Rustup {
        /// The toolchain asked for.
        name: String,
        /// Why rustup did not start.
        source: std::io::Error,
    },
    /// rustup ran, and has no such toolchain (or it does not run).
    #[error("toolchain `{name}` is not installed ({why})")]
    NotInstalled {
        /// The toolchain asked for.
        name: String,
        /// rustup's first `error` line.
        why: String,
    },
}

/// `rustc --version` of toolchain `name`, or why there is none.
pub fn version(name: &str) -> Result<String, ToolchainError> {
    let output = Command::new("rustup")
        .args(["run", name, "rustc", "--version"])
        .stdin(Stdio::null())
        .output()
        .map_err(|source| ToolchainError::Rustup {
            name: name.to_owned(),
            source,
        })?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let why = stderr
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or("rustup could not run it")
        .trim()
        .to_owned();
    Err(ToolchainError::NotInstalled {
        name: name.to_owned(),
        why,
    })
}

/// The environment that makes cargo and rustc in a child use `name`:
/// the rustup proxies, told which toolchain to pick.
pub fn child_env(name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("RUSTUP_TOOLCHAIN", name.to_owned()),
        ("CARGO", "cargo".to_owned()),
        ("RUSTC", "rustc".to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toolchain_that_is_not_installed_is_named() {
        let why = version("blockguard-no-such-toolchain")
            .unwrap_err()
            .to_string();
        assert!(
            why.contains("`blockguard-no-such-toolchain` is not installed"),
            "{why}"
        );
    }
}
