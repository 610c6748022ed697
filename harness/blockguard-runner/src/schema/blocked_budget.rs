//! A test's budget of blocked time, and what it used.

use serde::{Deserialize, Serialize};

/// The total time a test's guarded contexts spent in judged calls (the
/// tally's), against the budget its suite or `[[test]]` table gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedBudget {
    /// The budget, in nanoseconds.
    pub budget_ns: u64,
    /// The time used, in nanoseconds.
    pub blocked_ns: u64,
}

impl BlockedBudget {
    /// More was used than the budget.
    pub fn is_over(&self) -> bool {
        self.blocked_ns > self.budget_ns
    }
}
