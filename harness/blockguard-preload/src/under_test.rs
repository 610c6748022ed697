//! The code under test: which frames are the tests' own code, and how
//! their files are named.
//!
//! The runner names the packages under test
//! ([`blockguard_protocol::env::UNDER_TEST`]); without
//! it, the package cargo ran (`CARGO_PKG_NAME`, as a crate name) and the
//! binary's own crate (its file name without cargo's `-hash`) are, rooted
//! at `CARGO_MANIFEST_DIR`.

use blockguard_protocol::under_test::{Package, UnderTestError, crate_name, decode};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The crates under test and their packages' roots.
#[derive(Debug, Default)]
pub struct UnderTest {
    /// Crate name → the roots of the packages that have a target of it.
    crates: HashMap<String, Vec<usize>>,
    roots: Vec<PathBuf>,
}

impl UnderTest {
    /// From the packages the runner named.
    pub fn of(packages: Vec<Package>) -> UnderTest {
        let mut under_test = UnderTest::default();
        for package in packages {
            let root = package.root.map(|root| {
                under_test.roots.push(root);
                under_test.roots.len() - 1
            });
            for krate in package.crates {
                let roots = under_test.crates.entry(krate).or_default();
                roots.extend(root);
            }
        }
        under_test
    }

    /// From `value` (the variable, if set), else from what cargo set and
    /// the binary at `exe`.
    pub fn from_env(value: Option<&str>, exe: Option<&Path>) -> Result<UnderTest, UnderTestError> {
        if let Some(value) = value {
            return Ok(UnderTest::of(decode(value)?));
        }
        let mut crates: Vec<String> = std::env::var("CARGO_PKG_NAME")
            .ok()
            .map(|name| crate_name(&name))
            .into_iter()
            .collect();
        crates.extend(exe.and_then(own_crate));
        Ok(UnderTest::of(vec![Package {
            crates,
            root: std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
        }]))
    }

    /// True for a crate under test.
    pub fn contains(&self, krate: &str) -> bool {
        self.crates.contains_key(krate)
    }

    /// True when the program at `exe` is one of the code under test's own:
    /// a test binary or a `[[bin]]`, by its file name less cargo's hash.
    pub fn owns_program(&self, exe: &Path) -> bool {
        own_crate(exe).is_some_and(|krate| self.contains(&krate))
    }

    /// `file` of a frame of `krate`: relative to the root of the crate's
    /// package when inside it (the deepest, if several contain it),
    /// as it is otherwise.
    pub fn file_name(&self, krate: &str, file: &str) -> String {
        let path = Path::new(file);
        self.crates
            .get(krate)
            .into_iter()
            .flatten()
            .filter_map(|&i| path.strip_prefix(&self.roots[i]).ok())
            .min_by_key(|relative| relative.components().count())
            .filter(|relative| !relative.as_os_str().is_empty())
            .map_or_else(|| file.to_owned(), |r| r.to_string_lossy().into_owned())
    }
}

/// The crate name of the binary at `exe`: its file name without cargo's
/// `-<16 hex digits>`.
fn own_crate(exe: &Path) -> Option<String> {
    let stem = exe.file_stem()?.to_str()?;
    let name = match stem.rsplit_once('-') {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            name
        }
        _ => stem,
    };
    Some(crate_name(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(crates: &[&str], root: Option<&str>) -> Package {
        Package {
            crates: crates.iter().map(|c| (*c).to_owned()).collect(),
            root: root.map(PathBuf::from),
        }
    }

    #[test]
    fn a_file_is_named_from_its_packages_root_when_inside_it() {
        let under_test = UnderTest::of(vec![
            package(&["ws", "ws_tests"], Some("/ws")),
            package(&["alpha"], Some("/ws/alpha")),
            package(&["rootless"], None),
        ]);
        assert!(under_test.contains("alpha") && under_test.contains("ws_tests"));
        assert!(!under_test.contains("parking_lot"));
        assert_eq!(
            under_test.file_name("alpha", "/ws/alpha/src/lib.rs"),
            "src/lib.rs"
        );
        assert_eq!(under_test.file_name("ws", "/ws/tests/t.rs"), "tests/t.rs");
        // Another package's root is not this crate's.
        assert_eq!(
            under_test.file_name("ws", "/elsewhere/x.rs"),
            "/elsewhere/x.rs"
        );
        assert_eq!(under_test.file_name("rootless", "/ws/a.rs"), "/ws/a.rs");
        assert_eq!(
            under_test.file_name("std", "/rustc/x/lib.rs"),
            "/rustc/x/lib.rs"
        );
    }

    #[test]
    fn a_program_is_the_code_under_tests_own_by_its_crate() {
        let under_test = UnderTest::of(vec![package(&["os_pipe", "cat_both"], Some("/ws"))]);
        for own in [
            "/ws/target/debug/deps/os_pipe-0123456789abcdef",
            "/ws/target/debug/cat_both",
            "/ws/target/debug/cat-both",
        ] {
            assert!(under_test.owns_program(Path::new(own)), "{own}");
        }
        for tool in [
            "/usr/bin/cargo",
            "/root/.cargo/bin/rustup",
            "/ws/target/debug/deps/mio-0123456789abcdef",
        ] {
            assert!(!under_test.owns_program(Path::new(tool)), "{tool}");
        }
    }

    #[test]
    fn one_crate_name_in_two_packages_takes_the_root_that_holds_the_file() {
        let under_test = UnderTest::of(vec![
            package(&["integration"], Some("/ws/a")),
            package(&["integration"], Some("/ws/b")),
        ]);
        assert_eq!(
            under_test.file_name("integration", "/ws/b/tests/integration.rs"),
            "tests/integration.rs"
        );
    }

    #[test]
    fn the_binarys_own_crate_drops_cargos_hash() {
        let own = |p: &str| own_crate(Path::new(p));
        assert_eq!(
            own("/t/deps/my_tests-0123456789abcdef").as_deref(),
            Some("my_tests")
        );
        assert_eq!(own("/t/deps/blocking-zoo").as_deref(), Some("blocking_zoo"));
        assert_eq!(own("/tmp/rust_out").as_deref(), Some("rust_out"));
    }
}
