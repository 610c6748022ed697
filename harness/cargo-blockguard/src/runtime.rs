//! The guard runtime this binary carries: the preload library and its
//! launcher, built with it (`build.rs`) and unpacked on first use into
//! `$BLOCKGUARD_CACHE_DIR`, else `$XDG_CACHE_HOME/blockguard`, else
//! `~/.cache/blockguard`, in a folder named by this version and a digest
//! of the files (taken at build time), so that two builds never share one.

use crate::runtime_error::RuntimeError;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const LIBRARY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libblockguard_preload.so"));
const LAUNCHER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/blockguard-contain"));

/// The runtime's files, unpacked; the preload library's path (the
/// launcher is beside it, where the engine looks for it).
pub fn unpacked() -> Result<PathBuf, RuntimeError> {
    let dir = cache_root()?.join(format!(
        "runtime-{}-{}",
        env!("CARGO_PKG_VERSION"),
        env!("BLOCKGUARD_RUNTIME_DIGEST")
    ));
    let library = dir.join("libblockguard_preload.so");
    let launcher = dir.join("blockguard-contain");
    if same_file(&library, LIBRARY) && same_file(&launcher, LAUNCHER) {
        return Ok(library);
    }
    std::fs::create_dir_all(&dir).map_err(|source| RuntimeError::Write {
        path: dir.clone(),
        source,
    })?;
    write_atomically(&library, LIBRARY, 0o644)?;
    write_atomically(&launcher, LAUNCHER, 0o755)?;
    eprintln!(
        "blockguard: unpacked the guard runtime into {}",
        dir.display()
    );
    Ok(library)
}

/// Where unpacked runtimes live.
pub fn cache_root() -> Result<PathBuf, RuntimeError> {
    let from = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    from("BLOCKGUARD_CACHE_DIR")
        .or_else(|| from("XDG_CACHE_HOME").map(|d| d.join("blockguard")))
        .or_else(|| from("HOME").map(|d| d.join(".cache").join("blockguard")))
        .ok_or(RuntimeError::NoCacheFolder)
}

fn same_file(path: &Path, bytes: &[u8]) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() == bytes.len() as u64)
}

/// Writes beside the file and renames it into place: a reader (another
/// `cargo blockguard` at once) sees the whole file or none.
fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<(), RuntimeError> {
    // Named by the file it replaces, whichever step failed.
    let err = |source| RuntimeError::Write {
        path: path.to_owned(),
        source,
    };
    let temp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = std::fs::File::create(&temp).map_err(err)?;
    file.write_all(bytes).map_err(err)?;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(err)?;
    drop(file);
    std::fs::rename(&temp, path).map_err(err)
}
