//! The crate's folder: a pinned crates.io crate copied out of cargo's
//! registry into a folder of the gate's own (plain `cargo test` builds
//! there, so later runs reuse its build), or a local crate where it is.

use super::crate_file::CrateFile;
use super::error::RealCratesError;
use crate::env::Env;
use crate::run_suite::layout::Layout;
use crate::run_suite::resolve::registry;
use std::path::{Path, PathBuf};

/// Where the crate is built and run.
pub fn folder(file: &CrateFile, work: &Path, env: &Env) -> Result<PathBuf, RealCratesError> {
    if let Some(dir) = file.local_dir() {
        return Ok(dir);
    }
    let invalid = |message: String| RealCratesError::Invalid {
        path: file.file.clone(),
        message,
    };
    let version = file.krate.version.as_deref();
    let layout = Layout::new(&env.root, &env.snapshots);
    let fetched = registry::fetch(&file.krate.name, version, &layout, env)
        .map_err(|e| invalid(e.to_string()))?;
    let dir = work.join(format!("{}-{}", file.krate.name, fetched.version));
    registry::copy_out(&fetched.dir, &dir).map_err(|e| invalid(e.to_string()))?;
    Ok(dir)
}
