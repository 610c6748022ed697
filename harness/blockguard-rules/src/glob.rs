//! Globs over frame names and test names.

use crate::error::{RulesError, RulesErrorKind};
use crate::fields::Fields;
use crate::limits;
use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use std::sync::OnceLock;

/// Compiles one glob, if it is within the length limit; `*` crosses every
/// character (`::`, `<`, spaces, `/`), since frame and test names are not
/// paths.
pub(crate) fn compile(text: &str) -> Result<Glob, RulesErrorKind> {
    limits::glob(text)?;
    GlobBuilder::new(text)
        .literal_separator(false)
        .build()
        .map_err(|e| RulesErrorKind::BadGlob(e.to_string()))
}

/// A rule's `tests` key (default `"*"`): its text and its matcher.
pub(crate) fn tests_key(f: &Fields<'_>) -> Result<(String, TestsGlob), RulesError> {
    let (text, span) = match f.string("tests")? {
        Some(t) => (t.value, t.span),
        None => ("*", None),
    };
    let glob = compile(text).map_err(|kind| f.error("tests", span, kind))?;
    Ok((text.to_owned(), TestsGlob::new(glob)))
}

/// Globs, matched as a set, compiled into one the first time they are
/// matched. Compiling the built-in files' sets takes about a millisecond
/// (aho-corasick automata, regexes), and most test processes never match
/// a frame against a rule. Each glob is parsed, and so checked, when read.
#[derive(Debug, Clone)]
pub(crate) struct Globs {
    globs: Vec<Glob>,
    set: OnceLock<GlobSet>,
}

impl Globs {
    pub(crate) fn new(globs: Vec<Glob>) -> Globs {
        Globs {
            globs,
            set: OnceLock::new(),
        }
    }

    /// Whether any glob matches `text`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.set.get_or_init(|| set(&self.globs)).is_match(text)
    }
}

/// A set of parsed globs. A glob that parses compiles (its length is
/// bounded by [`limits::glob`]), so the empty set is never reached.
fn set(globs: &[Glob]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(glob.clone());
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// A `tests` glob, compiled the first time it is matched; `*` (the
/// default, on most rules) matches every test without compiling.
#[derive(Debug, Clone)]
pub(crate) struct TestsGlob {
    glob: Glob,
    matcher: OnceLock<GlobMatcher>,
}

impl TestsGlob {
    fn new(glob: Glob) -> TestsGlob {
        TestsGlob {
            glob,
            matcher: OnceLock::new(),
        }
    }

    fn is_match(&self, text: &str) -> bool {
        self.glob.glob() == "*"
            || self
                .matcher
                .get_or_init(|| self.glob.compile_matcher())
                .is_match(text)
    }
}

/// Whether a `tests` glob matches a test: as `binary::test` when the binary
/// is known, or as the bare libtest name.
pub(crate) fn matches_test(tests: &TestsGlob, binary: Option<&str>, test: &str) -> bool {
    binary
        .filter(|b| !b.is_empty())
        .is_some_and(|b| tests.is_match(&format!("{b}::{test}")))
        || tests.is_match(test)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_compiled_on_its_first_match_and_matches_as_globset_does() {
        let globs = Globs::new(
            ["std::panicking::*", "<std::backtrace::*", "dl_*"]
                .iter()
                .map(|g| compile(g).unwrap())
                .collect(),
        );
        assert!(globs.set.get().is_none());
        assert!(globs.is_match("std::panicking::begin_panic_handler"));
        assert!(globs.set.get().is_some());
        assert!(globs.is_match("<std::backtrace::Backtrace>::create"));
        assert!(!globs.is_match("mycrate::dl_open"));
        assert!(!Globs::new(Vec::new()).is_match("anything"));
    }

    #[test]
    fn a_tests_glob_of_star_matches_without_compiling() {
        let star = TestsGlob::new(compile("*").unwrap());
        assert!(matches_test(&star, Some("b"), "t"));
        assert!(star.matcher.get().is_none());
        let named = TestsGlob::new(compile("zoo::multi::*").unwrap());
        assert!(matches_test(&named, Some("zoo"), "multi::two"));
        assert!(!matches_test(&named, Some("zoo"), "single::one"));
        assert!(matches_test(&named, None, "zoo::multi::x"));
    }
}
