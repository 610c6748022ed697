//! The resolved suite: a crate's source on disk and how to run it.

use super::ResolveError;
use super::local::local;
use super::registry::fetch;
use super::spec::{Origin, Spec};
use crate::env::Env;
use crate::run_suite::console::Console;
use crate::run_suite::layout::Layout;
use serde::Serialize;
use std::path::PathBuf;

/// Where the suite's crate came from, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum SourceKind {
    /// Downloaded from crates.io.
    #[serde(rename = "crates.io")]
    CratesIo,
    /// A local folder.
    #[serde(rename = "path")]
    Path,
}

/// A suite ready to build.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The suite's name: `snapshots/<name>/`, `reports/<name>.json`.
    pub name: String,
    /// The crate's name.
    pub krate: String,
    /// The crate's version.
    pub version: String,
    /// Where it came from.
    pub source: SourceKind,
    /// The folder to build in (our copy for crates.io crates).
    pub dir: PathBuf,
}

/// Downloads and copies a crates.io crate, or reads a local one.
pub fn resolve(
    spec: &Spec,
    layout: &Layout,
    env: &Env,
    console: &Console,
) -> Result<Resolved, ResolveError> {
    match &spec.origin {
        Origin::CratesIo { name, version } => {
            let what = match version {
                Some(v) => format!("{name} {v}"),
                None => format!("the newest {name}"),
            };
            let phase = console.phase(format!("fetching {what} from crates.io"));
            let fetched = fetch(name, version.as_deref(), layout, env)?;
            phase.finish();
            Ok(Resolved {
                name: spec.name.clone().unwrap_or_else(|| name.clone()),
                krate: name.clone(),
                version: fetched.version,
                source: SourceKind::CratesIo,
                dir: fetched.dir,
            })
        }
        Origin::Path(dir) => {
            let found = local(dir, env)?;
            Ok(Resolved {
                name: spec.name.clone().unwrap_or_else(|| found.name.clone()),
                krate: found.name,
                version: found.version,
                source: SourceKind::Path,
                dir: found.dir,
            })
        }
    }
}
