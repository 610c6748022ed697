//! One test's trace, read as the guard runtime appends to it: each line
//! is parsed once, whoever reads (the dashboard's follower while the test
//! runs, the runner when it has ended), and the calls are counted one way,
//! from the tally.

use crate::schema::live::{InFlightCall, MicroView, SiteKey};
use crate::schema::{BlockingCall, ObservedCall, Progress};
use crate::untrusted_file;
use blockguard_protocol::board::{self, MicroState};
use blockguard_protocol::tally::{self, Figures};
use blockguard_protocol::trace::Trace;
use blockguard_protocol::{TraceEvent, inflight};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A test's trace, read so far.
#[derive(Debug)]
pub struct TraceReader {
    path: PathBuf,
    /// Bytes of the file taken so far, and the start of a line not yet
    /// whole.
    at: u64,
    partial: Vec<u8>,
    trace: Trace,
}

impl TraceReader {
    /// The trace at `path`, nothing read yet.
    pub fn new(path: &Path) -> TraceReader {
        TraceReader {
            path: path.to_owned(),
            at: 0,
            partial: Vec::new(),
            trace: Trace::default(),
        }
    }

    /// Takes on the whole lines appended since the last read.
    pub fn read_new(&mut self) {
        let Ok(fresh) = untrusted_file::read_from(&self.path, self.at) else {
            return;
        };
        self.at += fresh.len() as u64;
        self.partial.extend(fresh);
        let Some(end) = self.partial.iter().rposition(|&b| b == b'\n') else {
            return;
        };
        let whole: Vec<u8> = self.partial.drain(..=end).collect();
        self.trace.extend(&String::from_utf8_lossy(&whole));
    }

    /// The test's process has ended: takes on the rest, a last line
    /// without its newline included (a torn one is skipped).
    pub fn read_rest(&mut self) {
        self.read_new();
        let rest = std::mem::take(&mut self.partial);
        self.trace.extend(&String::from_utf8_lossy(&rest));
    }

    /// The trace read so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The trace, for the judge.
    pub fn into_trace(self) -> Trace {
        self.trace
    }

    /// The distinct calls so far with the tally's figures.
    pub fn calls(&self) -> Vec<ObservedCall> {
        let figures = untrusted_file::read(&tally::path(&self.path))
            .ok()
            .and_then(|bytes| tally::decode(&bytes))
            .unwrap_or_default();
        observed(&self.trace, &figures)
    }

    /// The calls so far, and what the test's threads are in now.
    pub fn progress(&self) -> Progress {
        Progress {
            calls: self.calls(),
            in_flight: in_flight(&self.path, &self.trace),
            microthreads: microthreads(&self.path, &self.trace),
        }
    }
}

/// Distinct events in the order first seen, each with its figures: the
/// tally's for a line it has (by `seq`), one call for a line it has not
/// (a child process's, which keeps no tally).
pub fn observed(trace: &Trace, tally: &BTreeMap<u64, Figures>) -> Vec<ObservedCall> {
    let seq_of: HashMap<usize, u64> = trace.seqs.iter().map(|(&s, &i)| (i, s)).collect();
    let mut calls: Vec<ObservedCall> = Vec::new();
    let mut index_of: HashMap<&TraceEvent, usize> = HashMap::new();
    for (line, event) in trace.events.iter().enumerate() {
        let figures = seq_of
            .get(&line)
            .and_then(|seq| tally.get(seq))
            .copied()
            .unwrap_or(Figures {
                calls: 1,
                blocked_ns: 0,
            });
        let stack = trace.stacks.get(&line);
        let at = *index_of.entry(event).or_insert_with(|| {
            calls.push(ObservedCall {
                call: BlockingCall {
                    event: event.clone(),
                    calls: 0,
                    blocked_ns: 0,
                },
                stack: Vec::new(),
            });
            calls.len() - 1
        });
        let call = &mut calls[at];
        call.call.calls += figures.calls;
        call.call.blocked_ns += figures.blocked_ns;
        if let (true, Some(stack)) = (call.stack.is_empty(), stack) {
            call.stack.clone_from(stack);
        }
    }
    calls
}

/// The calls in flight now, by the in-flight file beside `trace`.
fn in_flight(trace: &Path, parsed: &Trace) -> Vec<InFlightCall> {
    let Ok(bytes) = untrusted_file::read(&inflight::path(trace)) else {
        return Vec::new();
    };
    let Some(slots) = inflight::decode_slots(&bytes) else {
        return Vec::new();
    };
    slots
        .into_iter()
        .filter_map(|(slot, seq)| {
            let event = parsed.by_seq(seq)?;
            Some(InFlightCall {
                slot,
                thread: inflight::slot_name(slot),
                key: SiteKey::of(event),
            })
        })
        .collect()
}

/// The microthreads now, by the board beside `trace`.
fn microthreads(trace: &Path, parsed: &Trace) -> Vec<MicroView> {
    let Some(micros) = untrusted_file::read(&board::path(trace))
        .ok()
        .and_then(|bytes| board::decode(&bytes))
    else {
        return Vec::new();
    };
    let now = monotonic_ns();
    micros
        .into_iter()
        .map(|m| {
            let waits_on = match m.state {
                MicroState::Ready => "nothing: ready or running".to_owned(),
                MicroState::Sleeping => {
                    let left = m.arg.saturating_sub(now) / 1_000_000;
                    format!("a sleep, {left} ms left")
                }
                MicroState::Parked => m.what.clone(),
                MicroState::Joining => format!("the end of microthread #{}", m.arg),
                MicroState::Farmed => match parsed.by_seq(m.arg) {
                    Some(e) => format!("{} ({}) at {} on a farm worker", e.call, e.class, e.site),
                    None => "a call on a farm worker".to_owned(),
                },
                MicroState::Ended => "nothing: it ended".to_owned(),
            };
            MicroView {
                id: m.id,
                name: if m.name.is_empty() {
                    format!("#{}", m.id)
                } else {
                    m.name
                },
                state: m.state,
                waits_on,
                for_ms: now.saturating_sub(m.since_ns) / 1_000_000,
            }
        })
        .collect()
}

/// `CLOCK_MONOTONIC` now, the clock the runtime stamps the board with.
fn monotonic_ns() -> u64 {
    let ts = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    u64::try_from(ts.tv_sec).unwrap_or_default() * 1_000_000_000
        + u64::try_from(ts.tv_nsec).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use blockguard_protocol::trace::NumberedEvent;
    use blockguard_protocol::{Class, Verdict};
    use std::io::Write;

    fn event(call: &str, site: &str) -> TraceEvent {
        TraceEvent::new(
            call,
            Class::Sleep,
            Verdict::Denied,
            site,
            "std::thread::sleep",
        )
    }

    fn line(e: &TraceEvent, seq: Option<u64>) -> String {
        let mut text = match seq {
            Some(seq) => serde_json::to_string(&NumberedEvent {
                event: e,
                seq,
                test: None,
                stack: &[&e.site],
            }),
            None => serde_json::to_string(e),
        }
        .unwrap();
        text.push('\n');
        text
    }

    #[test]
    fn calls_are_the_tallys_and_a_line_without_one_counts_once() {
        let nap = event("clock_nanosleep", "x::naps");
        let mut trace = Trace::default();
        // The test's process (seq 1, tallied 3 times), then a child's line.
        trace.extend(&line(&nap, Some(1)));
        trace.extend(&line(&nap, None));
        trace.extend(&line(&event("read", "x::reads"), Some(2)));
        let tally = BTreeMap::from([(
            1,
            Figures {
                calls: 3,
                blocked_ns: 30,
            },
        )]);
        let calls = observed(&trace, &tally);
        assert_eq!(calls.len(), 2);
        assert_eq!((calls[0].call.calls, calls[0].call.blocked_ns), (4, 30));
        assert_eq!(calls[0].stack, ["x::naps"]);
        assert_eq!((calls[1].call.calls, calls[1].call.blocked_ns), (1, 0));
    }

    #[test]
    fn a_trace_is_read_as_it_grows_and_a_half_written_line_waits() {
        let dir = std::env::temp_dir().join(format!("bg-reader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("0.jsonl");
        let mut file = std::fs::File::create(&path).unwrap();
        let mut reader = TraceReader::new(&path);
        let first = line(&event("clock_nanosleep", "x::naps"), Some(1));
        let second = line(&event("read", "x::reads"), Some(2));
        let (head, tail) = second.split_at(10);
        file.write_all(first.as_bytes()).unwrap();
        file.write_all(head.as_bytes()).unwrap();
        reader.read_new();
        assert_eq!(reader.trace().events.len(), 1, "the torn line waits");
        file.write_all(tail.as_bytes()).unwrap();
        reader.read_new();
        assert_eq!(reader.trace().events.len(), 2);
        // A last line without its newline is taken once the test has ended.
        file.write_all(first.trim_end().as_bytes()).unwrap();
        reader.read_rest();
        assert_eq!(reader.trace().events.len(), 3);
        assert_eq!(reader.calls().len(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
