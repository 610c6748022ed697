//! One parsed rules file.

use crate::allow::{AllowRule, CallQuery};
use crate::executors::{ExecutorDecl, MachineryRule};
use crate::suite::Suite;
use crate::suppress::SuppressRule;
use blockguard_protocol::TestKey;

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
}

impl RulesFile {
    /// The first allowance, in file order, that matches the call.
    pub fn first_allow(&self, q: &CallQuery<'_>) -> Option<&AllowRule> {
        self.allow.iter().find(|rule| rule.matches(q))
    }

    /// The first suppress rule, in file order, that matches the failure.
    pub fn first_suppress(&self, test: &TestKey, failure_text: &str) -> Option<&SuppressRule> {
        self.suppress
            .iter()
            .find(|rule| rule.matches(test, failure_text))
    }
}
