//! `[[test]]` tables: settings for the tests a glob matches, over the
//! suite's.

use crate::duration::parse_duration;
use crate::error::{RulesError, RulesErrorKind};
use crate::fields::Fields;
use crate::glob::{self, TestsGlob};
use blockguard_protocol::TestKey;
use std::time::Duration;

/// Settings for the tests `tests` matches; the first matching table wins.
#[derive(Debug, Clone)]
pub struct TestSettings {
    /// Glob over `binary::test` or `test`.
    pub tests: String,
    /// The most time the test's guarded contexts may spend blocked.
    pub budget: Duration,
    /// 1-based line of the table's header.
    pub line: usize,
    tests_matcher: TestsGlob,
}

const KEYS: &[&str] = &["tests", "budget"];

impl TestSettings {
    /// Whether these settings are `test`'s.
    pub fn matches(&self, test: &TestKey) -> bool {
        glob::matches_test(&self.tests_matcher, Some(&test.binary), &test.name)
    }

    pub(crate) fn parse(f: &Fields<'_>, line: usize) -> Result<TestSettings, RulesError> {
        f.only(KEYS)?;
        if f.string("tests")?.is_none() {
            return Err(f.missing("tests"));
        }
        let (tests, tests_matcher) = glob::tests_key(f)?;
        let budget = duration_key(f, "budget")?.ok_or_else(|| f.missing("budget"))?;
        Ok(TestSettings {
            tests,
            budget,
            line,
            tests_matcher,
        })
    }
}

/// An optional duration under `key`.
pub(crate) fn duration_key(f: &Fields<'_>, key: &str) -> Result<Option<Duration>, RulesError> {
    match f.string(key)? {
        None => Ok(None),
        Some(t) => parse_duration(t.value)
            .map(Some)
            .map_err(|why| f.error(key, t.span, RulesErrorKind::BadDuration(why))),
    }
}
