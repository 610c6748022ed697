//! The code under test when cargo or nextest runs a binary through the
//! target runner: the binary's package, read from its manifest (a `cargo
//! metadata` per test process would cost more than the test). Its lib's
//! crate name (`[lib] name`, else the package's), the binary's own crate
//! and every target the manifest names; targets cargo finds by their
//! place (`tests/*.rs`) and does not link into this binary need no name.

use blockguard_protocol::under_test::{Package, crate_name};
use std::collections::BTreeSet;
use std::path::Path;

/// The manifest of the package at `dir`, if it reads and parses: read
/// once per binary, for the targets it names and how they are built.
pub fn manifest(dir: &Path) -> Option<toml::Table> {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
}

/// The package at `dir`, named `package`, with its `manifest`, whose
/// binary's crate is `own`.
pub fn under_test(dir: &Path, package: &str, manifest: Option<&toml::Table>, own: &str) -> Package {
    let mut crates = BTreeSet::new();
    if !package.is_empty() {
        crates.insert(crate_name(package));
    }
    crates.insert(crate_name(own));
    if let Some(doc) = manifest {
        let name = |t: &toml::Value| t.get("name").and_then(toml::Value::as_str).map(crate_name);
        crates.extend(doc.get("lib").and_then(name));
        for kind in ["bin", "test", "example"] {
            let targets = doc.get(kind).and_then(toml::Value::as_array);
            crates.extend(targets.into_iter().flatten().filter_map(name));
        }
    }
    Package {
        crates: crates.into_iter().collect(),
        root: Some(dir.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lib_the_binary_and_the_named_targets() {
        let dir =
            std::env::temp_dir().join(format!("blockguard-target-package-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"my-pkg\"\n[lib]\nname = \"mine\"\n[[test]]\nname = \"it-runs\"\n[[example]]\nname = \"demo\"\n",
        )
        .unwrap();
        let package = under_test(&dir, "my-pkg", manifest(&dir).as_ref(), "smoke");
        assert_eq!(
            package.crates,
            ["demo", "it_runs", "mine", "my_pkg", "smoke"]
        );
        assert_eq!(package.root.as_deref(), Some(dir.as_path()));
        std::fs::remove_dir_all(&dir).unwrap();
        let missing = Path::new("/nonexistent");
        let bare = under_test(missing, "p", manifest(missing).as_ref(), "rust_out");
        assert_eq!(bare.crates, ["p", "rust_out"]);
    }
}
