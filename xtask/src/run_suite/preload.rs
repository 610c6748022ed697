//! The guard runtime: built from this workspace (release, the workspace's
//! own target directory) before any test runs, unless the environment
//! names a prebuilt one or none.

use crate::env::{Env, Preload};
use crate::run_suite::console::Console;
use cargo_metadata::{Message, TargetKind};
use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The guard runtime could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PreloadError {
    /// cargo did not start.
    #[error("cannot run cargo to build the guard runtime: {0}")]
    Spawn(std::io::Error),
    /// The build failed.
    #[error("the guard runtime (blockguard-preload) did not build:\n{0}")]
    Failed(String),
    /// The build succeeded but named no library.
    #[error("cargo built blockguard-preload but reported no cdylib")]
    NoLibrary,
}

/// The library to preload, or `None` when tests run unguarded.
pub fn guard_runtime(env: &Env, console: &Console) -> Result<Option<PathBuf>, PreloadError> {
    match &env.preload {
        Preload::Disabled => {
            console.warn("BLOCKGUARD_PRELOAD=none: tests run without the guard runtime");
            Ok(None)
        }
        Preload::Prebuilt(path) => Ok(Some(path.clone())),
        Preload::Build => build(env, console).map(Some),
    }
}

fn build(env: &Env, console: &Console) -> Result<PathBuf, PreloadError> {
    let phase = console.phase("building the guard runtime".to_owned());
    let mut child = Command::new(&env.cargo)
        .args(["build", "--release", "-p", "blockguard-preload"])
        .arg("--message-format=json-render-diagnostics")
        .current_dir(&env.root)
        // The runtime belongs in the workspace's own target directory, not
        // in one the caller set for something else.
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(PreloadError::Spawn)?;
    let mut stderr = child.stderr.take().expect("piped");
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut library = None;
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    for message in Message::parse_stream(stdout).flatten() {
        if let Message::CompilerArtifact(a) = message
            && a.target.kind.contains(&TargetKind::CDyLib)
        {
            library = a
                .filenames
                .iter()
                .find(|f| f.extension() == Some("so"))
                .map(|f| f.clone().into_std_path_buf());
        }
    }
    let status = child.wait().map_err(PreloadError::Spawn)?;
    let stderr = stderr.join().unwrap_or_default();
    phase.finish();
    if !status.success() {
        return Err(PreloadError::Failed(stderr.trim_end().to_owned()));
    }
    library.ok_or(PreloadError::NoLibrary)
}
