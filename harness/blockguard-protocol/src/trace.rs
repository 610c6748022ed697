//! The trace: JSON Lines written by the guard runtime, read by the runner.
//!
//! The first line is `{"capabilities": {...}}`. Every other line is either
//! one distinct [`TraceEvent`], written when first seen, or a
//! `{"lifecycle": ...}` marker for the test's microthread. The test's own
//! process numbers its event lines (`"seq": N`, from 1), so the in-flight
//! file ([`crate::inflight`]) can name them; `seq` is not part of an
//! event's identity. A process that runs a whole libtest binary
//! ([`crate::env::TESTS`]) also says on every event and lifecycle line
//! which test it belongs to (`"test": NAME`).

use crate::Class;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What became of one attempted blocking call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Made on a microthread and not allowed by any rule.
    Denied,
    /// Matched a built-in or rules-file allowance.
    Allowed,
    /// Executed on a worker thread (farm mode).
    Farmed,
}

impl Verdict {
    /// The lowercase name used in traces.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Denied => "denied",
            Verdict::Allowed => "allowed",
            Verdict::Farmed => "farmed",
        }
    }
}

/// One distinct attempted blocking call.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TraceEvent {
    /// The call's name: the libc function, or the syscall for escapes
    /// (`futex_wait` for futex waits).
    pub call: String,
    /// The class of wait.
    pub class: Class,
    /// What became of it.
    pub verdict: Verdict,
    /// True when the call never passed through an interposed function.
    pub escaped: bool,
    /// The innermost frame of the code under test (see
    /// [`crate::under_test`]); where there is none, the first frame out
    /// from the call that is not the guard, libc, ld.so, or std/core/alloc
    /// (and [`TraceEvent::outside`] is set). Demangled, without hash.
    pub site: String,
    /// The API the site called: the frame just inside it (std's by its
    /// public path), or the libc function it called directly.
    pub via: String,
    /// The reason of the rule that allowed the call.
    pub rule: Option<String>,
    /// Which rule that was: `builtin:allow[N]` or `rules:allow[N]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    /// Where the call was judged: `microthread` (blockguard's own), or an
    /// executor's task poll (`tokio-current-thread`, `tokio-multi-thread`,
    /// `smol`, `futures`, ...: the executor tables' `context` values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The site's file: relative to its package's root when inside it,
    /// absolute otherwise; absent where the debug info has no line table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The site's line, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The site's column, from 1; absent where the line table has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The way from the site to the call through the libraries: the site,
    /// the entry frame of each library below it, then the call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
    /// No frame of the code under test was on the stack (a dependency's
    /// own thread): the site is the first frame out of std, as before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outside: bool,
    /// A lock wait that actually waited for another thread's lock, rather
    /// than finding it free again at once: whether it happens depends on
    /// timing, so it is reported apart from the test's own blocking.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub contended: bool,
}

impl TraceEvent {
    /// A call at `site` through `via`: not escaped, no rule, context,
    /// location or chain yet (those are set as they become known).
    pub fn new(
        call: impl Into<String>,
        class: Class,
        verdict: Verdict,
        site: impl Into<String>,
        via: impl Into<String>,
    ) -> TraceEvent {
        TraceEvent {
            call: call.into(),
            class,
            verdict,
            escaped: false,
            site: site.into(),
            via: via.into(),
            rule: None,
            rule_id: None,
            context: None,
            file: None,
            line: None,
            column: None,
            chain: Vec::new(),
            outside: false,
            contended: false,
        }
    }
}

/// The context of calls on blockguard's own microthreads.
pub const MICROTHREAD: &str = "microthread";

/// In a process that runs many tests, the `test` of a line made on a
/// thread no running test owns: a pool thread that outlived the test that
/// started it, doing work that may be any test's. Its calls are the
/// binary's, never a test's.
pub const SHARED_THREAD: &str = "shared thread";

/// An event line as the test's process writes it: the event, then its
/// `seq`.
#[derive(Debug, Serialize)]
pub struct NumberedEvent<'a> {
    /// The event.
    #[serde(flatten)]
    pub event: &'a TraceEvent,
    /// Its number in this process's trace, from 1.
    pub seq: u64,
    /// The test it belongs to, in a process that runs many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<&'a str>,
    /// The stack the call was first seen with, innermost first, the
    /// guard's own frames left out.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub stack: &'a [&'a str],
}

/// A lifecycle line as a process that runs many tests writes it.
#[derive(Debug, Serialize)]
pub struct TestLifecycle<'a> {
    /// The change.
    pub lifecycle: &'a Lifecycle,
    /// The test whose thread it is.
    pub test: &'a str,
}

/// The `seq` and `test` of a line, read apart from what it says.
#[derive(Deserialize)]
struct Numbering {
    seq: Option<u64>,
    test: Option<String>,
    #[serde(default)]
    stack: Vec<String>,
}

/// What the runtime proved about itself at load.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// Calls to libc's blocking functions reach the guard's hooks.
    pub interpose: bool,
    /// The mechanism that catches raw syscalls, or `None` when none works.
    pub escape_backstop: Option<String>,
    /// `dlsym` of a real blocking libc function yields a guarded stand-in.
    pub dlsym: bool,
    /// The mode in force.
    pub mode: String,
    /// Why a capability is missing, one line per problem.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// A change in the life of the test's main microthread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    /// The test's thread was recognised and its body began on a microthread.
    Started,
    /// The test body returned (passed or panicked) to the scheduler.
    Returned,
    /// `deny` mode stopped the microthread at a denied call.
    Stopped,
}

/// One line of the trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TraceLine {
    /// The first line.
    Capabilities {
        /// What the runtime proved at load.
        capabilities: Capabilities,
    },
    /// A microthread lifecycle marker.
    Lifecycle {
        /// The change.
        lifecycle: Lifecycle,
    },
    /// An attempted blocking call.
    Event(TraceEvent),
}

/// A trace read back: the capabilities, the events in the order first seen,
/// and the lifecycle markers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// The capabilities line, if the runtime got as far as writing it.
    pub capabilities: Option<Capabilities>,
    /// The events, in the order they were first seen.
    pub events: Vec<TraceEvent>,
    /// The lifecycle markers, in order.
    pub lifecycle: Vec<Lifecycle>,
    /// `seq` → index in `events`, for the lines that carry one.
    pub seqs: BTreeMap<u64, usize>,
    /// In a process that ran many tests: each test's events (indices in
    /// `events`) and lifecycle markers.
    pub by_test: BTreeMap<String, TestTrace>,
    /// Index in `events` → the stack that event was first seen with, for
    /// the lines that carry one.
    pub stacks: BTreeMap<usize, Vec<String>>,
}

/// What a trace says of one test of a process that ran many.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestTrace {
    /// Indices in [`Trace::events`], in the order first seen.
    pub events: Vec<usize>,
    /// Its thread's lifecycle markers, in order.
    pub lifecycle: Vec<Lifecycle>,
}

impl Trace {
    /// Parse a trace. A process killed mid-write can leave a torn last line;
    /// lines that do not parse are skipped, so everything whole is kept.
    pub fn parse(text: &str) -> Trace {
        let mut trace = Trace::default();
        trace.extend(text);
        trace
    }

    /// Takes on more lines of the same trace (what was appended since the
    /// last read), as [`Trace::parse`] reads them.
    pub fn extend(&mut self, text: &str) {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            self.take_line(line);
        }
    }

    fn take_line(&mut self, line: &str) {
        match serde_json::from_str::<TraceLine>(line) {
            Ok(TraceLine::Capabilities { capabilities }) => {
                self.capabilities.get_or_insert(capabilities);
            }
            Ok(TraceLine::Lifecycle { lifecycle }) => {
                if let Some(test) = numbering(line).test {
                    let of_test = self.by_test.entry(test).or_default();
                    of_test.lifecycle.push(lifecycle.clone());
                }
                self.lifecycle.push(lifecycle);
            }
            Ok(TraceLine::Event(event)) => {
                let Numbering { seq, test, stack } = numbering(line);
                if !stack.is_empty() {
                    self.stacks.insert(self.events.len(), stack);
                }
                if let Some(seq) = seq {
                    self.seqs.entry(seq).or_insert(self.events.len());
                }
                if let Some(test) = test {
                    let of_test = self.by_test.entry(test).or_default();
                    of_test.events.push(self.events.len());
                }
                self.events.push(event);
            }
            Err(_) => {}
        }
    }

    /// One test's events, in a process that ran many.
    pub fn events_of<'a>(&'a self, test: &str) -> impl Iterator<Item = &'a TraceEvent> {
        self.by_test
            .get(test)
            .into_iter()
            .flat_map(|t| t.events.iter().map(|&i| &self.events[i]))
    }

    /// The event whose line carries `seq`.
    pub fn by_seq(&self, seq: u64) -> Option<&TraceEvent> {
        self.events.get(*self.seqs.get(&seq)?)
    }

    /// True when the test body returned to the scheduler.
    pub fn body_returned(&self) -> bool {
        self.lifecycle.contains(&Lifecycle::Returned)
    }

    /// The denied events.
    pub fn denied(&self) -> impl Iterator<Item = &TraceEvent> {
        self.events.iter().filter(|e| e.verdict == Verdict::Denied)
    }
}

fn numbering(line: &str) -> Numbering {
    serde_json::from_str(line).unwrap_or(Numbering {
        seq: None,
        test: None,
        stack: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_line_and_skips_a_torn_one() {
        let text = concat!(
            r#"{"capabilities":{"interpose":true,"escape_backstop":"syscall-user-dispatch","dlsym":true,"mode":"check"}}"#,
            "\n",
            r#"{"lifecycle":"started"}"#,
            "\n",
            r#"{"call":"nanosleep","class":"sleep","verdict":"denied","escaped":false,"site":"zoo::naps","via":"std::thread::sleep","rule":null}"#,
            "\n",
            r#"{"call":"read","cla"#,
        );
        let trace = Trace::parse(text);
        let caps = trace.capabilities.clone().expect("capabilities");
        assert!(caps.interpose);
        assert_eq!(
            caps.escape_backstop.as_deref(),
            Some("syscall-user-dispatch")
        );
        assert_eq!(trace.lifecycle, vec![Lifecycle::Started]);
        assert_eq!(trace.events.len(), 1);
        assert_eq!(trace.events[0].class, Class::Sleep);
        assert_eq!(trace.denied().count(), 1);
        assert!(!trace.body_returned());
    }

    #[test]
    fn a_trace_read_in_pieces_is_the_trace_read_whole() {
        let lines = [
            r#"{"capabilities":{"interpose":true,"escape_backstop":null,"dlsym":true,"mode":"check"}}"#,
            r#"{"lifecycle":"started","test":"t"}"#,
            r#"{"call":"read","class":"fs","verdict":"denied","escaped":false,"site":"a::b","via":"std::fs::read","rule":null,"seq":1,"test":"t","stack":["a::b"]}"#,
            r#"{"call":"nanosleep","class":"sleep","verdict":"denied","escaped":false,"site":"a::c","via":"std::thread::sleep","rule":null,"seq":2}"#,
        ];
        let whole = Trace::parse(&lines.join("\n"));
        let mut pieces = Trace::default();
        pieces.extend(&lines[..2].join("\n"));
        pieces.extend(&lines[2..].join("\n"));
        assert_eq!(pieces, whole);
        assert_eq!(whole.events.len(), 2);
    }

    #[test]
    fn an_event_round_trips_with_design_field_names() {
        let event = TraceEvent {
            escaped: true,
            rule: Some("why".into()),
            ..TraceEvent::new("read", Class::Pipe, Verdict::Allowed, "a::b", "read")
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(
            json,
            r#"{"call":"read","class":"pipe","verdict":"allowed","escaped":true,"site":"a::b","via":"read","rule":"why"}"#
        );
        let back: TraceLine = serde_json::from_str(&json).unwrap();
        assert_eq!(back, TraceLine::Event(event));
    }

    #[test]
    fn seq_numbers_an_event_line_without_changing_the_event() {
        let event = TraceEvent::new(
            "nanosleep",
            Class::Sleep,
            Verdict::Denied,
            "a::b",
            "std::thread::sleep",
        );
        let line = serde_json::to_string(&NumberedEvent {
            event: &event,
            seq: 4,
            test: None,
            stack: &[],
        })
        .unwrap();
        assert_eq!(
            line,
            r#"{"call":"nanosleep","class":"sleep","verdict":"denied","escaped":false,"site":"a::b","via":"std::thread::sleep","rule":null,"seq":4}"#
        );
        let unnumbered = serde_json::to_string(&event).unwrap();
        let trace = Trace::parse(&format!("{unnumbered}\n{line}\n"));
        assert_eq!(trace.events, vec![event.clone(), event.clone()]);
        assert_eq!(trace.by_seq(4), Some(&event));
        assert_eq!(trace.seqs.len(), 1);
        assert_eq!(trace.by_seq(1), None);
    }

    #[test]
    fn lines_of_a_process_that_ran_many_tests_say_whose_they_are() {
        let event = TraceEvent::new("read", Class::Fs, Verdict::Denied, "a::b", "std::fs::read");
        let numbered = |seq, test| {
            serde_json::to_string(&NumberedEvent {
                event: &event,
                seq,
                test: Some(test),
                stack: &[],
            })
            .unwrap()
        };
        let started = serde_json::to_string(&TestLifecycle {
            lifecycle: &Lifecycle::Started,
            test: "t::one",
        })
        .unwrap();
        assert_eq!(started, r#"{"lifecycle":"started","test":"t::one"}"#);
        let text = format!(
            "{started}\n{}\n{}\n{}\n",
            numbered(1, "t::one"),
            numbered(2, "t::two"),
            r#"{"lifecycle":"returned","test":"t::one"}"#
        );
        let trace = Trace::parse(&text);
        assert_eq!(trace.events.len(), 2);
        assert_eq!(trace.events_of("t::one").count(), 1);
        assert_eq!(trace.events_of("t::two").count(), 1);
        assert_eq!(trace.events_of("t::three").count(), 0);
        assert_eq!(
            trace.by_test["t::one"].lifecycle,
            [Lifecycle::Started, Lifecycle::Returned]
        );
        assert!(trace.by_test["t::two"].lifecycle.is_empty());
    }

    #[test]
    fn an_event_line_may_carry_its_first_seen_stack_outside_the_event() {
        let event = TraceEvent::new(
            "nanosleep",
            Class::Sleep,
            Verdict::Denied,
            "a::b",
            "std::thread::sleep",
        );
        let line = serde_json::to_string(&NumberedEvent {
            event: &event,
            seq: 1,
            test: None,
            stack: &["std::thread::sleep", "a::b", "a::main"],
        })
        .unwrap();
        assert!(line.ends_with(r#""seq":1,"stack":["std::thread::sleep","a::b","a::main"]}"#));
        let trace = Trace::parse(&format!("{line}\n"));
        assert_eq!(trace.events, vec![event]);
        assert_eq!(trace.stacks[&0], ["std::thread::sleep", "a::b", "a::main"]);
    }
}
