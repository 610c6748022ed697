//! `[[suppress]]` rules: known benign failures.

use crate::error::{RulesError, RulesErrorKind};
use crate::fields::Fields;
use crate::glob;
use crate::glob::TestsGlob;
use crate::limits;
use blockguard_protocol::TestKey;
use regex::Regex;

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
    message_regex: Regex,
}

const KEYS: &[&str] = &["tests", "message", "reason"];

impl SuppressRule {
    /// Whether a failure of `test` with this text is the known one.
    pub fn matches(&self, test: &TestKey, failure_text: &str) -> bool {
        glob::matches_test(&self.tests_matcher, Some(&test.binary), &test.name)
            && self.message_regex.is_match(failure_text)
    }

    pub(crate) fn parse(
        f: &Fields<'_>,
        id: String,
        line: usize,
    ) -> Result<SuppressRule, RulesError> {
        f.only(KEYS)?;
        let (tests, tests_matcher) = glob::tests_key(f)?;
        let message = f.required_string("message")?;
        limits::regex(message.value)
            .map_err(|kind| f.error("message", message.span.clone(), kind))?;
        let message_regex = Regex::new(message.value).map_err(|e| {
            f.error(
                "message",
                message.span.clone(),
                RulesErrorKind::BadRegex(e.to_string()),
            )
        })?;
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
