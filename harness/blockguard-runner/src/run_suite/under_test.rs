//! The packages under test of one build, as its artifacts show them: each
//! package whose folder is one of those under test, with the crate names
//! of its targets that were built (its lib, tests, bins and examples;
//! `cargo test` builds them all). The guard runtime puts an event's site
//! in them ([`blockguard_protocol::under_test`]).

use blockguard_protocol::under_test::{Package, crate_name};
use cargo_metadata::{Artifact, TargetKind};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Gathers the packages under test from a build's artifacts.
#[derive(Debug, Default)]
pub struct UnderTest {
    /// The folders under test, as given and as canonical paths.
    roots: Vec<PathBuf>,
    /// Each folder an artifact came from, and whether it is under test.
    known: HashMap<PathBuf, bool>,
    /// The crates found, by package folder.
    found: BTreeMap<PathBuf, BTreeSet<String>>,
}

impl UnderTest {
    /// For the packages at `roots` (the suite's package, or the selected
    /// members of a workspace).
    pub fn new(roots: &[PathBuf]) -> UnderTest {
        let mut all: Vec<PathBuf> = roots.to_vec();
        all.extend(roots.iter().filter_map(|r| r.canonicalize().ok()));
        UnderTest {
            roots: all,
            ..UnderTest::default()
        }
    }

    /// Takes note of an artifact the build made.
    pub fn artifact(&mut self, a: &Artifact) {
        if a.target.kind.contains(&TargetKind::CustomBuild) {
            return;
        }
        let Some(dir) = a.manifest_path.parent() else {
            return;
        };
        let dir = dir.as_std_path();
        if self.is_under_test(dir) {
            let crates = self.found.entry(dir.to_path_buf()).or_default();
            crates.insert(crate_name(&a.target.name));
        }
    }

    fn is_under_test(&mut self, dir: &Path) -> bool {
        if let Some(&known) = self.known.get(dir) {
            return known;
        }
        let under = self.roots.iter().any(|r| r == dir)
            || dir.canonicalize().is_ok_and(|c| self.roots.contains(&c));
        self.known.insert(dir.to_path_buf(), under);
        under
    }

    /// The packages found, each rooted where cargo has it (the folder its
    /// sources' paths start from).
    pub fn packages(&self) -> Vec<Package> {
        self.found
            .iter()
            .map(|(dir, crates)| Package {
                crates: crates.iter().cloned().collect(),
                root: Some(dir.clone()),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(manifest: &str, name: &str, kind: &str) -> Artifact {
        serde_json::from_value(serde_json::json!({
            "package_id": "path+file:///p#0.1.0",
            "manifest_path": manifest,
            "target": {
                "name": name, "kind": [kind], "crate_types": [kind], "required-features": [],
                "src_path": "/p/src/lib.rs", "edition": "2021", "doctest": true, "test": true, "doc": true
            },
            "profile": {
                "opt_level": "0", "debuginfo": 2, "debug_assertions": true,
                "overflow_checks": true, "test": false
            },
            "features": [], "filenames": [], "executable": null, "fresh": true
        }))
        .unwrap()
    }

    #[test]
    fn the_crates_of_the_packages_under_test_and_no_others() {
        let mut under_test = UnderTest::new(&[PathBuf::from("/nonexistent/ws/alpha")]);
        under_test.artifact(&artifact(
            "/nonexistent/ws/alpha/Cargo.toml",
            "alpha",
            "lib",
        ));
        under_test.artifact(&artifact(
            "/nonexistent/ws/alpha/Cargo.toml",
            "alpha",
            "lib",
        ));
        under_test.artifact(&artifact(
            "/nonexistent/ws/alpha/Cargo.toml",
            "it-works",
            "test",
        ));
        under_test.artifact(&artifact(
            "/nonexistent/ws/alpha/Cargo.toml",
            "build-script-build",
            "custom-build",
        ));
        under_test.artifact(&artifact("/registry/dep/Cargo.toml", "dep", "lib"));
        assert_eq!(
            under_test.packages(),
            [Package {
                crates: vec!["alpha".into(), "it_works".into()],
                root: Some("/nonexistent/ws/alpha".into()),
            }]
        );
    }
}
