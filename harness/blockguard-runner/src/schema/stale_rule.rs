//! A rule that a whole run did not use.

use serde::{Deserialize, Serialize};

/// A rule that matched nothing in an unfiltered run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleRule {
    /// `rules:allow[N]` or `rules:suppress[N]`.
    pub id: String,
    /// The rules file.
    pub file: String,
    /// The line of the rule's header.
    pub line: usize,
    /// The rule's reason.
    pub reason: String,
}
