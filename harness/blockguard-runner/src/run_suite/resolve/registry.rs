//! Getting a crates.io crate: cargo downloads it (through a scratch package
//! that depends on it), `cargo_metadata` finds it in cargo's registry, and we
//! copy it to a folder of our own to build, so the registry copy is never
//! modified.

use super::ResolveError;
use crate::env::Env;
use crate::run_suite::layout::Layout;
use cargo_metadata::MetadataCommand;
use std::fs;
use std::path::{Path, PathBuf};

/// A crate copied out of the registry, ready to build.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The resolved version.
    pub version: String,
    /// Our copy of the crate's source.
    pub dir: PathBuf,
}

/// Marks a finished copy, so an interrupted one is redone.
const COPIED: &str = ".blockguard-copied";

/// Downloads `name` (the exact `version`, or the newest) and copies it out.
pub fn fetch(
    name: &str,
    version: Option<&str>,
    layout: &Layout,
    env: &Env,
) -> Result<Fetched, ResolveError> {
    let requirement = version.map_or_else(|| "*".to_owned(), |v| format!("={v}"));
    let scratch = layout.scratch(&format!("{name}-{}", version.unwrap_or("newest")));
    write_scratch(&scratch, name, &requirement)?;
    if version.is_none() {
        // An old lock file would pin an old "newest".
        let _ = fs::remove_file(scratch.join("Cargo.lock"));
    }
    let metadata = MetadataCommand::new()
        .cargo_path(&env.cargo)
        .manifest_path(scratch.join("Cargo.toml"))
        .current_dir(&scratch)
        .exec()
        .map_err(|e| ResolveError::Fetch {
            name: name.to_owned(),
            requirement: requirement.clone(),
            message: cargo_error(e),
        })?;
    let package = metadata
        .packages
        .iter()
        .find(|p| p.name == name && p.source.is_some())
        .ok_or_else(|| ResolveError::Fetch {
            name: name.to_owned(),
            requirement: requirement.clone(),
            message: "cargo resolved the scratch package without it".to_owned(),
        })?;
    let version = package.version.to_string();
    let registry_dir = package
        .manifest_path
        .parent()
        .expect("a manifest path has a parent")
        .as_std_path();
    let dir = layout.source_copy(name, &version);
    copy_out(registry_dir, &dir)?;
    Ok(Fetched { version, dir })
}

fn write_scratch(scratch: &Path, name: &str, requirement: &str) -> Result<(), ResolveError> {
    fs::create_dir_all(scratch).map_err(ResolveError::io(scratch))?;
    let path = scratch.join("Cargo.toml");
    fs::write(&path, scratch_manifest(name, requirement)).map_err(ResolveError::io(&path))?;
    let lib = scratch.join("lib.rs");
    fs::write(&lib, "").map_err(ResolveError::io(&lib))
}

/// The scratch package's manifest, serialized rather than formatted, so no
/// name or requirement can add a line or a table to it.
fn scratch_manifest(name: &str, requirement: &str) -> String {
    let mut manifest = toml::toml! {
        [package]
        name = "blockguard-fetch"
        version = "0.0.0"
        edition = "2021"
        publish = false

        [lib]
        path = "lib.rs"

        // Not part of any enclosing workspace.
        [workspace]
    };
    let mut dependencies = toml::Table::new();
    dependencies.insert(name.to_owned(), requirement.into());
    manifest.insert("dependencies".to_owned(), dependencies.into());
    let body = toml::to_string(&manifest).expect("a table of strings serializes");
    format!("# Written by blockguard: makes cargo download one crate.\n{body}")
}

/// Copies the crate unless a finished copy exists. The copy is made next to
/// its final place and renamed, so it is either whole or absent.
pub(crate) fn copy_out(from: &Path, to: &Path) -> Result<(), ResolveError> {
    if to.join(COPIED).is_file() {
        return Ok(());
    }
    // Per process: two runs of one crate may copy it at the same time.
    let partial = to.with_file_name(format!(
        "{}.partial-{}",
        to.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    for stale in [&partial, &to.to_path_buf()] {
        if stale.exists() {
            fs::remove_dir_all(stale).map_err(ResolveError::io(stale))?;
        }
    }
    copy_tree(from, &partial)?;
    detach_from_workspaces(&partial.join("Cargo.toml"))?;
    let marker = partial.join(COPIED);
    fs::write(&marker, "").map_err(ResolveError::io(&marker))?;
    match fs::rename(&partial, to) {
        Ok(()) => Ok(()),
        // Another run finished the same copy first.
        Err(_) if to.join(COPIED).is_file() => {
            let _ = fs::remove_dir_all(&partial);
            Ok(())
        }
        Err(e) => Err(ResolveError::io(to)(e)),
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), ResolveError> {
    fs::create_dir_all(to).map_err(ResolveError::io(to))?;
    for entry in fs::read_dir(from).map_err(ResolveError::io(from))? {
        let entry = entry.map_err(ResolveError::io(from))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(ResolveError::io(&src))?;
        if kind.is_dir() {
            copy_tree(&src, &dst)?;
        } else if kind.is_symlink() {
            let target = fs::read_link(&src).map_err(ResolveError::io(&src))?;
            std::os::unix::fs::symlink(target, &dst).map_err(ResolveError::io(&dst))?;
        } else {
            fs::copy(&src, &dst).map_err(ResolveError::io(&src))?;
        }
    }
    Ok(())
}

/// Our copies live under this repository's `target/`, so cargo would take
/// them for members of our workspace; an empty `[workspace]` table makes each
/// its own root.
fn detach_from_workspaces(manifest: &Path) -> Result<(), ResolveError> {
    let text = fs::read_to_string(manifest).map_err(ResolveError::io(manifest))?;
    let has_workspace = text.lines().any(|l| {
        let l = l.trim();
        l == "[workspace]" || l.starts_with("[workspace.")
    });
    if !has_workspace {
        let text =
            format!("{text}\n# Added by blockguard: build this crate on its own.\n[workspace]\n");
        fs::write(manifest, text).map_err(ResolveError::io(manifest))?;
    }
    Ok(())
}

/// cargo's own words, without the wrapper around them.
pub fn cargo_error(e: cargo_metadata::Error) -> String {
    match e {
        cargo_metadata::Error::CargoMetadata { stderr } => stderr
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("Updating"))
            .take(6)
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::scratch_manifest;

    #[test]
    fn the_scratch_manifest_cannot_be_injected_into() {
        let evil = "1.0.6\"\n[dependencies.evil]\npath = \"/\"";
        let text = scratch_manifest("x\n[workspace]", evil);
        let parsed: toml::Table = toml::from_str(&text).expect("valid TOML");
        let dependencies = parsed["dependencies"].as_table().unwrap();
        assert_eq!(dependencies.len(), 1, "{text}");
        assert_eq!(dependencies["x\n[workspace]"].as_str(), Some(evil));
        assert_eq!(parsed["package"]["name"].as_str(), Some("blockguard-fetch"));
        assert!(parsed["workspace"].as_table().unwrap().is_empty());
    }
}
