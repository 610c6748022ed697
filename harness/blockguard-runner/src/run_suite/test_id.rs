//! How a test is named across a suite: its binary's cargo target name and
//! its libtest name, `binary::name`. One declaration: the harness's trial
//! names, the reports' keys, the nightly's and stability's comparisons,
//! and a process's label all come from here.

use std::fmt;

/// A test of a suite.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TestId<'a> {
    /// The test binary's cargo target name.
    pub binary: &'a str,
    /// The libtest name within it.
    pub name: &'a str,
}

impl<'a> TestId<'a> {
    /// The test `name` of `binary`.
    pub fn new(binary: &'a str, name: &'a str) -> TestId<'a> {
        TestId { binary, name }
    }

    /// Reads `binary::name` back. A binary's target name holds no `::`,
    /// so the first one splits them.
    pub fn parse(text: &'a str) -> Option<TestId<'a>> {
        let (binary, name) = text.split_once("::")?;
        Some(TestId { binary, name })
    }
}

impl fmt::Display for TestId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.binary, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::TestId;

    #[test]
    fn a_name_reads_back_as_its_binary_and_test() {
        let id = TestId::new("files", "tests::reads::one");
        assert_eq!(id.to_string(), "files::tests::reads::one");
        assert_eq!(TestId::parse("files::tests::reads::one"), Some(id));
        assert_eq!(TestId::parse("no-separator"), None);
    }
}
