//! The one key of a test: its package, its binary's cargo target name and
//! its libtest name. Doctests are tests of the binary [`DOCTESTS`].
//!
//! Made once, where a test is listed, and carried from there: the
//! harness's trials, the records, the report, the snapshots, the rules'
//! matching, the dashboard and the nightly's comparisons all take it, and
//! none of them reads a test's identity back out of its display name.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// The binary name doctests have (in the report, and for rules).
pub const DOCTESTS: &str = "doctests";

/// A test of a suite.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TestKey {
    /// The package the binary belongs to (empty in reports made before
    /// workspaces ran).
    #[serde(default)]
    pub package: String,
    /// The test binary's cargo target name ([`DOCTESTS`] for doctests).
    pub binary: String,
    /// The libtest name within it.
    pub name: String,
}

impl TestKey {
    /// Test `name` of `binary` in `package`.
    pub fn new(
        package: impl Into<String>,
        binary: impl Into<String>,
        name: impl Into<String>,
    ) -> TestKey {
        TestKey {
            package: package.into(),
            binary: binary.into(),
            name: name.into(),
        }
    }

    /// Doctest `name` of `package`.
    pub fn doctest(package: impl Into<String>, name: impl Into<String>) -> TestKey {
        TestKey::new(package, DOCTESTS, name)
    }

    /// Whether it is a doctest.
    pub fn is_doctest(&self) -> bool {
        self.binary == DOCTESTS
    }
}

/// Reports list a package's tests by binary, then name; the package
/// decides only between equal names of two packages.
impl Ord for TestKey {
    fn cmp(&self, other: &TestKey) -> Ordering {
        (&self.binary, &self.name, &self.package).cmp(&(&other.binary, &other.name, &other.package))
    }
}

impl PartialOrd for TestKey {
    fn partial_cmp(&self, other: &TestKey) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `binary::name`: how the harness, libtest's filters and the console
/// name a test. A display only; nothing parses it back.
impl fmt::Display for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.binary, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_shows_as_binary_and_name_and_sorts_by_them() {
        let a = TestKey::new("zeta", "files", "tests::reads::one");
        let b = TestKey::new("alpha", "files", "tests::reads::two");
        assert_eq!(a.to_string(), "files::tests::reads::one");
        assert!(a < b, "binary and name sort before the package");
        assert!(TestKey::doctest("p", "src/lib.rs - (line 3)").is_doctest());
    }

    #[test]
    fn a_report_written_before_packages_reads_with_an_empty_one() {
        let key: TestKey = serde_json::from_str(r#"{"binary":"b","name":"t"}"#).unwrap();
        assert_eq!(key, TestKey::new("", "b", "t"));
        let json = serde_json::to_string(&TestKey::new("p", "b", "t")).unwrap();
        assert_eq!(json, r#"{"package":"p","binary":"b","name":"t"}"#);
    }
}
