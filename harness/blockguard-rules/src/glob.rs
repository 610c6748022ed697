//! Globs over frame names and test names.

use crate::error::{RulesError, RulesErrorKind};
use crate::fields::Fields;
use crate::frame_forms::frame_forms;
use crate::limits;
use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use std::sync::OnceLock;
use wildmatch::WildMatch;

/// One glob, read and checked. Most are literal text with `*` and `?`
/// alone: those are matched as written, with nothing to compile. The rest
/// (`[…]`, `{…}`, escapes, `**`) go through globset, whose set of a rule
/// file's globs costs about a millisecond to build (aho-corasick automata
/// and regexes), so it is built the first time it is matched.
#[derive(Debug, Clone)]
pub(crate) enum Pattern {
    Wild(WildMatch),
    Glob(Glob),
}

impl Pattern {
    /// The glob as written (a wildcard-only glob as its matcher keeps it).
    pub(crate) fn text(&self) -> String {
        match self {
            Pattern::Wild(w) => w.to_string(),
            Pattern::Glob(g) => g.glob().to_owned(),
        }
    }
}

/// Reads one glob, if it is within the length limit; `*` crosses every
/// character (`::`, `<`, spaces, `/`), since frame and test names are not
/// paths.
pub(crate) fn compile(text: &str) -> Result<Pattern, RulesErrorKind> {
    limits::glob(text)?;
    if is_wildcard_only(text) {
        return Ok(Pattern::Wild(WildMatch::new(text)));
    }
    GlobBuilder::new(text)
        .literal_separator(false)
        .build()
        .map(Pattern::Glob)
        .map_err(|e| RulesErrorKind::BadGlob(e.to_string()))
}

/// True when `*` and `?` are the only characters with a meaning in `text`,
/// so that it matches as globset would match it.
fn is_wildcard_only(text: &str) -> bool {
    !text.contains("**") && !text.contains(['[', ']', '{', '}', '\\'])
}

/// A rule's `tests` key (default `"*"`): its text and its matcher.
pub(crate) fn tests_key(f: &Fields<'_>) -> Result<(String, TestsGlob), RulesError> {
    let (text, span) = match f.string("tests")? {
        Some(t) => (t.value, t.span),
        None => ("*", None),
    };
    let pattern = compile(text).map_err(|kind| f.error("tests", span, kind))?;
    Ok((text.to_owned(), TestsGlob::new(pattern)))
}

/// Globs matched as a set: any of them matching is a match.
#[derive(Debug, Clone)]
pub(crate) struct Globs {
    wild: Vec<WildMatch>,
    globs: Vec<Glob>,
    set: OnceLock<GlobSet>,
}

impl Globs {
    pub(crate) fn new(patterns: Vec<Pattern>) -> Globs {
        let (mut wild, mut globs) = (Vec::new(), Vec::new());
        for pattern in patterns {
            match pattern {
                Pattern::Wild(w) => wild.push(w),
                Pattern::Glob(g) => globs.push(g),
            }
        }
        Globs {
            wild,
            globs,
            set: OnceLock::new(),
        }
    }

    /// Each glob as written.
    pub(crate) fn texts(&self) -> impl Iterator<Item = String> + '_ {
        let wild = self.wild.iter().map(ToString::to_string);
        wild.chain(self.globs.iter().map(|g| g.glob().to_owned()))
    }

    /// Whether any glob matches `text`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.wild.iter().any(|w| w.matches(text))
            || (!self.globs.is_empty() && self.set.get_or_init(|| set(&self.globs)).is_match(text))
    }

    /// Whether any glob matches a frame in any of its forms
    /// ([`frame_forms`]).
    pub(crate) fn matches_frame(&self, frame: &str) -> bool {
        frame_forms(frame).iter().any(|form| self.is_match(form))
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

/// A `tests` glob; one that needs globset is compiled the first time it
/// is matched.
#[derive(Debug, Clone)]
pub(crate) struct TestsGlob {
    pattern: Pattern,
    matcher: OnceLock<GlobMatcher>,
}

impl TestsGlob {
    pub(crate) fn new(pattern: Pattern) -> TestsGlob {
        TestsGlob {
            pattern,
            matcher: OnceLock::new(),
        }
    }

    pub(crate) fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    fn is_match(&self, text: &str) -> bool {
        match &self.pattern {
            Pattern::Wild(w) => w.matches(text),
            Pattern::Glob(g) => self
                .matcher
                .get_or_init(|| g.compile_matcher())
                .is_match(text),
        }
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

    fn globs(texts: &[&str]) -> Globs {
        Globs::new(texts.iter().map(|g| compile(g).unwrap()).collect())
    }

    /// Each text, matched alone through globset as the rules configure it.
    fn globset_says(glob: &str, text: &str) -> bool {
        GlobBuilder::new(glob)
            .literal_separator(false)
            .build()
            .unwrap()
            .compile_matcher()
            .is_match(text)
    }

    #[test]
    fn wildcard_globs_match_exactly_as_globset_does() {
        let globs = [
            "std::panicking::*",
            "<std::backtrace::*",
            "dl_*",
            "*::recv*",
            "tokio-rt-worker",
            "a?c",
            "*",
            "*<T>::send*",
        ];
        let texts = [
            "std::panicking::begin_panic_handler",
            "<std::backtrace::Backtrace>::create",
            "mycrate::dl_open",
            "dl_iterate_phdr",
            "<std::sync::mpsc::Receiver<T>>::recv_timeout",
            "tokio-rt-worker",
            "tokio-rt-worker2",
            "abc",
            "ac",
            "a::c",
            "",
            "x<T>::send_all",
            "ünïcödé::*?",
        ];
        for glob in globs {
            assert!(matches!(compile(glob).unwrap(), Pattern::Wild(_)), "{glob}");
            let one = Globs::new(vec![compile(glob).unwrap()]);
            for text in texts {
                assert_eq!(
                    one.is_match(text),
                    globset_says(glob, text),
                    "{glob} on {text}"
                );
            }
        }
    }

    #[test]
    fn classes_alternatives_and_escapes_go_through_a_set_compiled_on_first_match() {
        let set = globs(&["dl_*", "{open,close}*", "f[a-c]o", "lit\\*"]);
        assert_eq!((set.wild.len(), set.globs.len()), (1, 3));
        assert!(set.is_match("dl_open"));
        assert!(set.set.get().is_none(), "a wildcard glob matched first");
        assert!(set.is_match("closedir"));
        assert!(set.set.get().is_some());
        assert!(set.is_match("fbo") && !set.is_match("fdo"));
        assert!(set.is_match("lit*") && !set.is_match("litx"));
        assert!(!globs(&[]).is_match("anything"));
        assert!(compile("[").is_err());
    }

    #[test]
    fn a_tests_glob_matches_by_binary_or_bare_name() {
        let star = TestsGlob::new(compile("*").unwrap());
        assert!(matches_test(&star, Some("b"), "t"));
        let named = TestsGlob::new(compile("zoo::multi::*").unwrap());
        assert!(matches_test(&named, Some("zoo"), "multi::two"));
        assert!(!matches_test(&named, Some("zoo"), "single::one"));
        assert!(matches_test(&named, None, "zoo::multi::x"));
        let class = TestsGlob::new(compile("zoo::{a,b}").unwrap());
        assert!(class.matcher.get().is_none());
        assert!(matches_test(&class, Some("zoo"), "b"));
        assert!(class.matcher.get().is_some());
    }
}
