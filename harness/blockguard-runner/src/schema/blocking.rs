//! A test's distinct blocking calls and their figures: one shape for the
//! report, the run's event stream and the dashboard.
//!
//! `calls` is the number of calls made, from the runtime's tally; a line
//! of a process that keeps no tally (a child process of the test's) counts
//! as one call. The report's `count` is the same number under its first
//! name, kept so that readers of `blockguard-report/1` read on.

use blockguard_protocol::TraceEvent;
use serde::{Deserialize, Serialize};

/// One distinct blocking call of a test, with its figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "BlockingCallWire", from = "BlockingCallWire")]
pub struct BlockingCall {
    /// The trace event.
    pub event: TraceEvent,
    /// Calls made.
    pub calls: u64,
    /// Nanoseconds those calls spent blocked (0 where nothing was timed).
    pub blocked_ns: u64,
}

/// [`BlockingCall`] as JSON: `count` as well as `calls`. A report written
/// before `calls` has `count` alone.
#[derive(Serialize, Deserialize)]
struct BlockingCallWire {
    #[serde(flatten)]
    event: TraceEvent,
    count: u64,
    #[serde(default)]
    calls: Option<u64>,
    #[serde(default)]
    blocked_ns: u64,
}

impl From<BlockingCall> for BlockingCallWire {
    fn from(c: BlockingCall) -> BlockingCallWire {
        BlockingCallWire {
            event: c.event,
            count: c.calls,
            calls: Some(c.calls),
            blocked_ns: c.blocked_ns,
        }
    }
}

impl From<BlockingCallWire> for BlockingCall {
    fn from(w: BlockingCallWire) -> BlockingCall {
        BlockingCall {
            event: w.event,
            calls: w.calls.unwrap_or(w.count),
            blocked_ns: w.blocked_ns,
        }
    }
}

/// A blocking call as the run's stream carries it: the call and the
/// stack it was first seen with, innermost first (empty where the trace
/// kept none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedCall {
    /// The call and its figures.
    #[serde(flatten)]
    pub call: BlockingCall,
    /// Frame names, innermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stack: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use blockguard_protocol::{Class, Verdict};

    fn nap() -> TraceEvent {
        TraceEvent::new(
            "clock_nanosleep",
            Class::Sleep,
            Verdict::Denied,
            "a::b",
            "std::thread::sleep",
        )
    }

    #[test]
    fn count_is_written_as_calls_and_an_old_report_reads_its_count_as_calls() {
        let call = BlockingCall {
            event: nap(),
            calls: 3,
            blocked_ns: 7,
        };
        let json = serde_json::to_value(&call).unwrap();
        assert_eq!(
            (&json["count"], &json["calls"], &json["blocked_ns"]),
            (&3.into(), &3.into(), &7.into())
        );
        let old = r#"{"call":"clock_nanosleep","class":"sleep","verdict":"denied","escaped":false,"site":"a::b","via":"std::thread::sleep","rule":null,"count":2}"#;
        let back: BlockingCall = serde_json::from_str(old).unwrap();
        assert_eq!((back.calls, back.blocked_ns), (2, 0));
    }
}
