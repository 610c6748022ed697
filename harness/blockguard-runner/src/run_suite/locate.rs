//! Where a suite's crate is, for another runner to run it as run-suite
//! does: the same source copy, features and target directory.

use super::console::Console;
use super::layout::Layout;
use super::resolve::{ResolveError, Spec, resolve};
use crate::env::Env;
use std::path::PathBuf;

/// A suite's crate on disk.
#[derive(Debug, Clone)]
pub struct Located {
    /// The folder with the crate's `Cargo.toml`.
    pub dir: PathBuf,
    /// The suite's cargo features.
    pub features: Vec<String>,
    /// The target directory run-suite builds into.
    pub target_dir: PathBuf,
}

/// Resolves `target` (as `run-suite` takes it), downloading if needed.
pub fn locate(target: &str, env: &Env) -> Result<Located, ResolveError> {
    let layout = Layout::new(&env.root, &env.snapshots);
    let spec = Spec::named(target, None, &layout)?;
    let suite = resolve(&spec, &layout, env, &Console::new())?;
    Ok(Located {
        dir: suite.dir,
        features: spec.features,
        target_dir: layout.build(),
    })
}
