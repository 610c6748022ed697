//! `[[suppress]]` rules: known benign failures.

use crate::error::{RulesError, RulesErrorKind};
use crate::fields::Fields;
use crate::glob;
use crate::glob::TestsGlob;
use crate::limits;
use blockguard_protocol::TestKey;
use regex::Regex;
use std::sync::OnceLock;

/// A known failure: a failing test whose failure text matches is
/// `suppressed`, with this rule's reason.
#[derive(Debug, Clone)]
pub struct SuppressRule {
    /// `"{prefix}:suppress[N]"`, N counting `[[suppress]]` tables from 0.
    pub id: String,
    /// Glob over `binary::test` or `test`.
    pub tests: String,
    /// Regex searched for in the failure message and stderr.
    pub message: String,
    /// Why the failure is benign.
    pub reason: String,
    /// 1-based line of the rule's header.
    pub line: usize,
    tests_matcher: TestsGlob,
    /// Compiled when read, or on the first match for a file read for the
    /// guards (`None`: it does not compile, and matches nothing).
    message_regex: OnceLock<Option<Regex>>,
}

/// How far a `[[suppress]]` message is taken when its file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Regexes {
    /// Compiled: every error is found now.
    Compiled,
    /// Its syntax checked, compiled on first match. The guard runtime never
    /// matches failures, and compiling a regex costs a process 0.15 ms.
    SyntaxOnly,
}

const KEYS: &[&str] = &["tests", "message", "reason"];

impl SuppressRule {
    /// Whether a failure of `test` with this text is the known one.
    pub fn matches(&self, test: &TestKey, failure_text: &str) -> bool {
        glob::matches_test(&self.tests_matcher, Some(&test.binary), &test.name)
            && self.regex().is_some_and(|r| r.is_match(failure_text))
    }

    fn regex(&self) -> Option<&Regex> {
        self.message_regex
            .get_or_init(|| Regex::new(&self.message).ok())
            .as_ref()
    }

    pub(crate) fn parse(
        f: &Fields<'_>,
        id: String,
        line: usize,
        regexes: Regexes,
    ) -> Result<SuppressRule, RulesError> {
        f.only(KEYS)?;
        let (tests, tests_matcher) = glob::tests_key(f)?;
        let message = f.required_string("message")?;
        limits::regex(message.value)
            .map_err(|kind| f.error("message", message.span.clone(), kind))?;
        let bad = |why: String| {
            f.error(
                "message",
                message.span.clone(),
                RulesErrorKind::BadRegex(why),
            )
        };
        let message_regex = match regexes {
            Regexes::Compiled => OnceLock::from(Some(
                Regex::new(message.value).map_err(|e| bad(e.to_string()))?,
            )),
            Regexes::SyntaxOnly => {
                regex_syntax::Parser::new()
                    .parse(message.value)
                    .map_err(|e| bad(e.to_string()))?;
                OnceLock::new()
            }
        };
        let reason = f.required_string("reason")?;
        Ok(SuppressRule {
            id,
            tests,
            message: message.value.to_owned(),
            reason: reason.value.to_owned(),
            line,
            tests_matcher,
            message_regex,
        })
    }
}
