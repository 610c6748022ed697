//! A test's budget of blocked time: the sum of the tally's nanoseconds
//! over its judged calls, against the budget its rules give it.

use crate::schema::{BlockedBudget, BlockingCall};
use blockguard_protocol::span::readable;
use std::time::Duration;

/// Contributors named in an over-budget message.
const NAMED: usize = 3;

/// What `calls` used of `budget`.
pub fn used(calls: &[BlockingCall], budget: Duration) -> BlockedBudget {
    BlockedBudget {
        budget_ns: u64::try_from(budget.as_nanos()).unwrap_or(u64::MAX),
        blocked_ns: calls
            .iter()
            .map(|c| c.blocked_ns)
            .fold(0, u64::saturating_add),
    }
}

/// Why a test over its budget failed: the total, the budget, and the
/// calls that took most of it.
pub fn over_message(used: BlockedBudget, calls: &[BlockingCall]) -> String {
    let mut biggest: Vec<&BlockingCall> = calls.iter().filter(|c| c.blocked_ns > 0).collect();
    biggest.sort_by_key(|c| std::cmp::Reverse(c.blocked_ns));
    let named: Vec<String> = biggest
        .iter()
        .take(NAMED)
        .map(|c| {
            let n = c.calls;
            format!(
                "{} at {} ({} in {n} call{})",
                c.event.call,
                c.event.site,
                readable(Duration::from_nanos(c.blocked_ns)),
                if n == 1 { "" } else { "s" }
            )
        })
        .collect();
    format!(
        "over its blocked-time budget: {} blocked in all > {} budget; most: {}",
        readable(Duration::from_nanos(used.blocked_ns)),
        readable(Duration::from_nanos(used.budget_ns)),
        named.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use blockguard_protocol::{Class, TraceEvent, Verdict};

    fn call(name: &str, site: &str, calls: u64, ms: u64) -> BlockingCall {
        BlockingCall {
            event: TraceEvent::new(name, Class::Sleep, Verdict::Allowed, site, ""),
            calls,
            blocked_ns: ms * 1_000_000,
        }
    }

    #[test]
    fn the_total_over_the_budget_names_the_biggest_calls_first() {
        let calls = [
            call("usleep", "a::small", 1, 1),
            call("nanosleep", "a::big", 3, 9),
        ];
        let used = used(&calls, Duration::from_millis(5));
        assert!(used.is_over());
        assert_eq!(
            over_message(used, &calls),
            "over its blocked-time budget: 10 ms blocked in all > 5 ms budget; \
             most: nanosleep at a::big (9 ms in 3 calls); usleep at a::small (1 ms in 1 call)"
        );
        assert!(!super::used(&calls, Duration::from_millis(10)).is_over());
    }
}
