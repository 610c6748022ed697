//! Where a finding's file is: a site's `file` is relative to its package's
//! root, so the outputs need each package's folder (from the resolved
//! suite) and, for cargo's messages, its id and targets (from the build).
//! Paths are shown relative to one root: the workspace's or repository's,
//! as cargo shows them.

use cargo_metadata::Target;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The packages of a run and where they are.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    root: PathBuf,
    packages: BTreeMap<String, Package>,
    rules_file: Option<String>,
}

/// One package of the run.
#[derive(Debug, Clone)]
pub struct Package {
    /// Its folder, absolute.
    pub dir: PathBuf,
    /// Its version.
    pub version: String,
    /// cargo's id for it, when the build said.
    pub id: Option<String>,
    /// Its test targets by the report's binary name, when the build said.
    pub targets: BTreeMap<String, Target>,
}

impl Sources {
    /// No packages yet; paths are shown relative to `root` (as the
    /// packages' folders are: without symbolic links).
    pub fn new(root: &Path) -> Sources {
        let root = root
            .canonicalize()
            .or_else(|_| std::path::absolute(root))
            .unwrap_or_else(|_| root.to_path_buf());
        Sources {
            root,
            ..Sources::default()
        }
    }

    /// The rules file a suggested `[[allow]]` goes in, as shown.
    pub fn with_rules_file(mut self, shown: Option<String>) -> Sources {
        self.rules_file = shown;
        self
    }

    /// The rules file a suggested `[[allow]]` goes in, if one is known.
    pub fn rules_file(&self) -> Option<&str> {
        self.rules_file.as_deref()
    }

    /// The root paths are shown relative to.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A package and its folder.
    pub fn add_package(&mut self, name: &str, version: &str, dir: &Path) {
        self.packages
            .entry(name.to_owned())
            .or_insert_with(|| Package {
                dir: dir.to_path_buf(),
                version: version.to_owned(),
                id: None,
                targets: BTreeMap::new(),
            });
    }

    /// A test binary of a package, as the build described it.
    pub fn add_target(&mut self, package: &str, binary: &str, id: &str, target: &Target) {
        if let Some(p) = self.packages.get_mut(package) {
            p.id.get_or_insert_with(|| id.to_owned());
            p.targets.insert(binary.to_owned(), target.clone());
        }
    }

    /// A package by name; a report made before entries named their
    /// package has one package only.
    pub fn package(&self, name: &str) -> Option<&Package> {
        match self.packages.get(name) {
            Some(p) => Some(p),
            None if name.is_empty() && self.packages.len() == 1 => self.packages.values().next(),
            None => None,
        }
    }

    /// The absolute path of a site's `file`.
    pub fn path_of(&self, package: &str, file: &str) -> Option<PathBuf> {
        let file = Path::new(file);
        if file.is_absolute() {
            return Some(file.to_path_buf());
        }
        Some(self.package(package)?.dir.join(file))
    }

    /// `path` relative to the root, `/`-separated, when it is inside it.
    pub fn relative(&self, path: &Path) -> Option<String> {
        relative_to(path, &self.root)
    }

    /// `path` as the terminal shows it: relative to the root when inside
    /// it, else whole.
    pub fn shown(&self, path: &Path) -> String {
        self.relative(path)
            .unwrap_or_else(|| path.display().to_string())
    }
}

/// `path` relative to `base`, `/`-separated, when it is inside it (no
/// `..` climbs out).
pub fn relative_to(path: &Path, base: &Path) -> Option<String> {
    let rest = path.strip_prefix(base).ok()?;
    let mut parts = Vec::new();
    for part in rest.components() {
        match part {
            Component::Normal(p) => parts.push(p.to_str()?.to_owned()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_file_is_found_in_its_package_and_shown_from_the_root() {
        let mut sources = Sources::new(Path::new("/ws"));
        sources.add_package("alpha", "0.1.0", Path::new("/ws/alpha"));
        let path = sources.path_of("alpha", "src/lib.rs").unwrap();
        assert_eq!(path, Path::new("/ws/alpha/src/lib.rs"));
        assert_eq!(sources.shown(&path), "alpha/src/lib.rs");
        // An old report's entries name no package: the only one is theirs.
        assert_eq!(sources.path_of("", "src/lib.rs"), Some(path));
        assert_eq!(sources.path_of("beta", "src/lib.rs"), None);
        let outside = sources.path_of("alpha", "/rustc/library/std/src/thread/mod.rs");
        assert_eq!(
            sources.shown(&outside.unwrap()),
            "/rustc/library/std/src/thread/mod.rs"
        );
        assert_eq!(relative_to(Path::new("/ws/../etc"), Path::new("/ws")), None);
    }
}
