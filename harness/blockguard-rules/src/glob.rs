//! Globs over frame names and test names.

use crate::error::{RulesError, RulesErrorKind};
use crate::fields::Fields;
use crate::limits;
use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};

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
pub(crate) fn tests_key(f: &Fields<'_>) -> Result<(String, GlobMatcher), RulesError> {
    let (text, span) = match f.string("tests")? {
        Some(t) => (t.value, t.span),
        None => ("*", None),
    };
    let glob = compile(text).map_err(|kind| f.error("tests", span, kind))?;
    Ok((text.to_owned(), glob.compile_matcher()))
}

/// A set of already compiled globs.
pub(crate) fn set(globs: impl IntoIterator<Item = Glob>) -> Result<GlobSet, RulesErrorKind> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| RulesErrorKind::BadGlob(e.to_string()))
}

/// Whether a `tests` glob matches a test: as `binary::test` when the binary
/// is known, or as the bare libtest name.
pub(crate) fn matches_test(tests: &GlobMatcher, binary: Option<&str>, test: &str) -> bool {
    binary
        .filter(|b| !b.is_empty())
        .is_some_and(|b| tests.is_match(format!("{b}::{test}")))
        || tests.is_match(test)
}
