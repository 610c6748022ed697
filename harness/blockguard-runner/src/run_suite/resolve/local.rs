//! A local crate (`--path DIR`, or a suite's `path`): built where it is.

use super::ResolveError;
use super::registry::cargo_error;
use crate::env::Env;
use cargo_metadata::MetadataCommand;
use std::path::{Path, PathBuf};

/// The package at a folder.
#[derive(Debug, Clone)]
pub struct Local {
    /// The package's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its folder, absolute.
    pub dir: PathBuf,
}

/// Reads the package whose `Cargo.toml` is in `dir`.
pub fn local(dir: &Path, env: &Env) -> Result<Local, ResolveError> {
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
    let package = metadata
        .packages
        .iter()
        .find(|p| p.manifest_path.as_std_path() == manifest)
        .ok_or_else(|| {
            not_a_package("a workspace without a root package; give one member's folder".into())
        })?;
    Ok(Local {
        name: package.name.to_string(),
        version: package.version.to_string(),
        dir,
    })
}
