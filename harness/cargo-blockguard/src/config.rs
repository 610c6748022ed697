//! Where the user's workspace is, and its configuration file.

use cargo_metadata::MetadataCommand;
use std::path::{Path, PathBuf};

/// The workspace `cargo blockguard` runs in.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Its root: reports go under `<root>/target/blockguard/`.
    pub root: PathBuf,
    /// The folder of the manifest cargo found (or was given): the package
    /// that runs when no `-p` or `--workspace` says otherwise, or a
    /// virtual workspace's root, where every member runs.
    pub here: PathBuf,
    /// `blockguard.toml` or `.config/blockguard.toml`, if there is one.
    pub config: Option<PathBuf>,
}

/// The workspace could not be found, or its configuration is ambiguous.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// cargo could not read the manifest.
    #[error("{0}")]
    Metadata(String),
    /// Both configuration files exist.
    #[error("{} and {}: both exist; keep one", .0.display(), .1.display())]
    TwoConfigs(PathBuf, PathBuf),
}

/// The names a configuration file may have, relative to the workspace root.
pub const CONFIG_FILES: [&str; 2] = ["blockguard.toml", ".config/blockguard.toml"];

/// Finds the workspace from `manifest` (or the current folder, as cargo does).
pub fn find(manifest: Option<&Path>) -> Result<Workspace, WorkspaceError> {
    let manifest = match manifest {
        Some(path) => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        None => locate_project()?,
    };
    let mut command = MetadataCommand::new();
    command.no_deps().manifest_path(&manifest);
    if let Some(cargo) = std::env::var_os("CARGO") {
        command.cargo_path(cargo);
    }
    let metadata = command
        .exec()
        .map_err(|e| WorkspaceError::Metadata(format!("{}: {e}", manifest.display())))?;
    let root = metadata.workspace_root.into_std_path_buf();
    let found: Vec<PathBuf> = CONFIG_FILES
        .iter()
        .map(|name| root.join(name))
        .filter(|p| p.is_file())
        .collect();
    let config = match found.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [a, b, ..] => return Err(WorkspaceError::TwoConfigs(a.clone(), b.clone())),
    };
    let here = manifest
        .parent()
        .map_or_else(|| root.clone(), Path::to_path_buf);
    Ok(Workspace { root, here, config })
}

/// The configuration file of the nearest folder at or above `dir` that
/// has one: what a target runner, started by cargo in a package, uses.
pub fn find_upwards(dir: &Path) -> Result<Option<PathBuf>, WorkspaceError> {
    for folder in dir.ancestors() {
        let found: Vec<PathBuf> = CONFIG_FILES
            .iter()
            .map(|name| folder.join(name))
            .filter(|p| p.is_file())
            .collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok(Some(one.clone())),
            [a, b, ..] => return Err(WorkspaceError::TwoConfigs(a.clone(), b.clone())),
        }
    }
    Ok(None)
}

/// `cargo locate-project`: the manifest cargo would use here.
fn locate_project() -> Result<PathBuf, WorkspaceError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["locate-project", "--message-format", "plain"])
        .output()
        .map_err(|e| WorkspaceError::Metadata(format!("cannot run cargo: {e}")))?;
    if !out.status.success() {
        // cargo's message starts with its own `error: `; ours adds one.
        let said = String::from_utf8_lossy(&out.stderr);
        let said = said.trim();
        return Err(WorkspaceError::Metadata(
            said.strip_prefix("error: ").unwrap_or(said).to_owned(),
        ));
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
    ))
}
