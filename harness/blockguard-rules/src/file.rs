//! One parsed rules file.

use crate::allow::{AllowRule, CallQuery};
use crate::executors::{ExecutorDecl, MachineryRule};
use crate::suite::Suite;
use crate::suppress::SuppressRule;
use crate::test_settings::TestSettings;
use blockguard_protocol::TestKey;
use std::time::Duration;

/// The contents of one suite or rules file, rules in file order.
#[derive(Debug, Clone, Default)]
pub struct RulesFile {
    /// The file's display path or label.
    pub source: String,
    /// The `[suite]` table, if the file has one.
    pub suite: Option<Suite>,
    /// The `[[allow]]` rules.
    pub allow: Vec<AllowRule>,
    /// The `[[suppress]]` rules.
    pub suppress: Vec<SuppressRule>,
    /// The `[[executor]]` declarations.
    pub executors: Vec<ExecutorDecl>,
    /// The `[[machinery]]` rules.
    pub machinery: Vec<MachineryRule>,
    /// The `[[test]]` tables.
    pub tests: Vec<TestSettings>,
}

impl RulesFile {
    /// The first allowance, in file order, that matches the call.
    pub fn first_allow(&self, q: &CallQuery<'_>) -> Option<&AllowRule> {
        self.allow.iter().find(|rule| rule.matches(q))
    }

    /// `test`'s budget of blocked time: its first `[[test]]` table's,
    /// else the suite's.
    pub fn budget(&self, test: &TestKey) -> Option<Duration> {
        self.tests
            .iter()
            .find(|t| t.matches(test))
            .map(|t| t.budget)
            .or_else(|| self.suite.as_ref()?.budget)
    }

    /// The first suppress rule, in file order, that matches the failure.
    pub fn first_suppress(&self, test: &TestKey, failure_text: &str) -> Option<&SuppressRule> {
        self.suppress
            .iter()
            .find(|rule| rule.matches(test, failure_text))
    }
}
