//! A local crate or workspace (`--path DIR`, a suite's `path`, or
//! `cargo blockguard test`'s workspace): built where it is.

use super::error::ResolveError;
use super::registry::cargo_error;
use crate::env::Env;
use cargo_metadata::{MetadataCommand, Package};
use std::path::{Path, PathBuf};

/// One package at a folder.
#[derive(Debug, Clone)]
pub struct Local {
    /// The package's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its folder, absolute.
    pub dir: PathBuf,
}

/// Which packages of a workspace to run, as cargo's `-p` and `--workspace`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// These packages, by name.
    pub packages: Vec<String>,
    /// Every member.
    pub workspace: bool,
}

/// The packages to run at `dir`: the ones `selection` names; with none
/// named, the package whose `Cargo.toml` is in `dir`, or at a virtual
/// workspace's root (or with `--workspace`) every member, as `cargo test`
/// picks them. In name order.
pub fn local(dir: &Path, selection: &Selection, env: &Env) -> Result<Vec<Local>, ResolveError> {
    let not_a_package = |message: String| ResolveError::NotAPackage {
        dir: dir.to_path_buf(),
        message,
    };
    let dir = dir
        .canonicalize()
        .map_err(|e| not_a_package(e.to_string()))?;
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(not_a_package("no Cargo.toml".to_owned()));
    }
    let metadata = MetadataCommand::new()
        .cargo_path(&env.cargo)
        .manifest_path(&manifest)
        .current_dir(&dir)
        .no_deps()
        .exec()
        .map_err(|e| not_a_package(cargo_error(e)))?;
    let mut members: Vec<&Package> = metadata.workspace_packages();
    members.sort_by(|a, b| a.name.cmp(&b.name));
    let here = members
        .iter()
        .copied()
        .find(|p| p.manifest_path.as_std_path() == manifest);
    let chosen: Vec<&Package> = if !selection.packages.is_empty() {
        let mut chosen = Vec::new();
        for name in &selection.packages {
            let found = members.iter().copied().find(|p| p.name.as_str() == name);
            chosen.push(found.ok_or_else(|| ResolveError::UnknownPackage {
                name: name.clone(),
                dir: dir.clone(),
                members: members.iter().map(|p| p.name.to_string()).collect(),
            })?);
        }
        chosen
    } else {
        match here {
            Some(package) if !selection.workspace => vec![package],
            _ => members,
        }
    };
    Ok(chosen
        .into_iter()
        .map(|p| Local {
            name: p.name.to_string(),
            version: p.version.to_string(),
            dir: p
                .manifest_path
                .parent()
                .map_or_else(|| dir.clone(), |d| d.as_std_path().to_path_buf()),
        })
        .collect())
}
