//! The resolved suite: a crate's source on disk and how to run it.

use super::ResolveError;
use super::local::{Local, local};
use super::registry::fetch;
use super::spec::{Origin, Spec};
use crate::env::Env;
use crate::run_suite::console::Console;
use crate::run_suite::layout::Layout;
use crate::schema::SourceKind;
use std::path::PathBuf;

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
    /// The packages that run, each built and run in turn: the crate, or
    /// the selected members of a local workspace.
    pub members: Vec<Local>,
}

impl Resolved {
    /// One member as a suite of its own: its snapshots are
    /// `<snapshots>/<name>/`, the suite's name when it is the only one.
    pub fn member(&self, member: &Local) -> Resolved {
        let name = if self.members.len() == 1 {
            self.name.clone()
        } else {
            member.name.clone()
        };
        Resolved {
            name,
            krate: member.name.clone(),
            version: member.version.clone(),
            source: self.source,
            dir: member.dir.clone(),
            members: vec![member.clone()],
        }
    }
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
            let member = Local {
                name: name.clone(),
                version: fetched.version.clone(),
                dir: fetched.dir.clone(),
            };
            Ok(Resolved {
                name: spec.name.clone().unwrap_or_else(|| name.clone()),
                krate: name.clone(),
                version: fetched.version,
                source: SourceKind::CratesIo,
                dir: fetched.dir,
                members: vec![member],
            })
        }
        Origin::Path(dir) => {
            let members = local(dir, &spec.selection, env)?;
            let (krate, version, root) = match members.as_slice() {
                [only] => (only.name.clone(), only.version.clone(), only.dir.clone()),
                _ => {
                    let root = dir.canonicalize().unwrap_or_else(|_| dir.clone());
                    let name = root.file_name().map_or_else(
                        || "workspace".to_owned(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    (name, String::new(), root)
                }
            };
            Ok(Resolved {
                name: spec.name.clone().unwrap_or_else(|| krate.clone()),
                krate,
                version,
                source: SourceKind::Path,
                dir: root,
                members,
            })
        }
    }
}
