//! Where cargo builds this repository: one answer for every task that
//! reads or measures what it built.

use std::path::{Path, PathBuf};

/// `CARGO_TARGET_DIR` (relative to the repository's root, as cargo run
/// there reads it), or `target/` under the root.
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}
