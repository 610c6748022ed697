//! The live run shared by the runner's threads and the web server: the
//! state, the log of events that `/events` streams, and the running
//! tests' files, followed while they run.

use super::state::{Change, LiveState};
use super::view::{InFlightCall, MicroView, RunView, SiteKey, TestDetail, TestState, TestView};
use crate::schema::Outcome;
use crate::untrusted_file;
use blockguard_protocol::board::{self, MicroState};
use blockguard_protocol::tally;
use blockguard_protocol::trace::Trace;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// How often a running test's trace and tally are read again.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(200);

/// One event of `/events`: its id (from 1, in order), its name and its
/// JSON data.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedEvent {
    /// Its place in the stream.
    pub id: u64,
    /// `test-started`, `test-updated`, `test-finished`, `site`,
    /// `site-updated` or `done`.
    pub event: &'static str,
    /// The test or site as it stands after the change.
    pub data: serde_json::Value,
}

struct Files {
    trace: PathBuf,
    /// The test's name in a trace of many tests.
    test: Option<String>,
}

struct Inner {
    state: LiveState,
    log: Vec<LoggedEvent>,
    files: HashMap<usize, Files>,
    /// Where every event is also written, one JSON line each (a nightly
    /// reads its suites' runs from these).
    feed: Option<std::fs::File>,
}

/// The live run.
pub struct Live {
    inner: Mutex<Inner>,
    logged: watch::Sender<u64>,
}

impl Live {
    /// A run of `suite` in `mode`.
    pub fn new(suite: &str, mode: &str) -> Arc<Live> {
        Arc::new(Live {
            inner: Mutex::new(Inner {
                state: LiveState::new(suite, mode),
                log: Vec::new(),
                files: HashMap::new(),
                feed: None,
            }),
            logged: watch::channel(0).0,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Also writes every event to `path` from now on, with each finished
    /// test's detail after it (`test-detail`).
    pub fn feed_to(&self, path: &Path) -> std::io::Result<()> {
        self.lock().feed = Some(std::fs::File::create(path)?);
        Ok(())
    }

    /// Takes on one line of another run's feed, its tests as `suite`'s.
    pub fn absorb(&self, suite: &str, line: &FeedLine) {
        let view: Option<TestView> = serde_json::from_value(line.data.clone()).ok();
        let detail: Option<TestDetail> = serde_json::from_value(line.data.clone()).ok();
        let (view, detail) = match (line.event.as_str(), view, detail) {
            ("test-detail", _, Some(detail)) => (detail.test.clone(), Some(detail)),
            ("test-started" | "test-updated" | "test-finished", Some(view), _) => (view, None),
            _ => return,
        };
        self.absorb_test(suite, &view, detail.as_ref());
    }

    /// Takes on a test as a saved report has it, as `suite`'s.
    pub fn absorb_view(&self, suite: &str, view: &TestView) {
        self.absorb_test(suite, view, None);
    }

    fn absorb_test(&self, suite: &str, view: &TestView, detail: Option<&TestDetail>) {
        let mut inner = self.lock();
        let id = inner.state.queue(Some(suite), &view.binary, &view.name);
        let changes = inner.state.absorb(id, view, detail);
        self.log(&mut inner, changes);
    }

    /// Names the run's suite and mode, once they are known.
    pub fn describe(&self, suite: &str, mode: &str) {
        self.lock().state.describe(suite, mode);
    }

    /// Queues a test of `suite` (the run's when `None`); its id.
    pub fn queue(&self, suite: Option<&str>, binary: &str, name: &str) -> usize {
        self.lock().state.queue(suite, binary, name)
    }

    /// The id of a queued test.
    pub fn id_of(&self, suite: Option<&str>, binary: &str, name: &str) -> Option<usize> {
        self.lock().state.id_of(suite, binary, name)
    }

    /// Test `id`'s process started, writing its trace at `trace` (as
    /// `test` in a trace of many tests).
    pub fn started(&self, id: usize, trace: Option<&Path>, test: Option<&str>) {
        let mut inner = self.lock();
        match trace {
            Some(trace) => {
                inner.files.insert(
                    id,
                    Files {
                        trace: trace.to_owned(),
                        test: test.map(str::to_owned),
                    },
                );
            }
            None => {
                inner.files.remove(&id);
            }
        }
        let changes = inner.state.start(id);
        self.log(&mut inner, changes);
    }

    /// Reads test `id`'s trace and tally again.
    pub fn observe(&self, id: usize) {
        let (trace, test) = {
            let inner = self.lock();
            let Some(files) = inner.files.get(&id) else {
                return;
            };
            (files.trace.clone(), files.test.clone())
        };
        // Read outside the lock: the server answers meanwhile.
        let text = untrusted_file::read_to_string(&trace).unwrap_or_default();
        let parsed = Trace::parse(&text);
        let figures = untrusted_file::read(&tally::path(&trace))
            .ok()
            .and_then(|bytes| tally::decode(&bytes))
            .unwrap_or_default();
        let mut inner = self.lock();
        let changes = inner.state.observe(id, &parsed, test.as_deref(), &figures);
        self.log(&mut inner, changes);
    }

    /// Keeps the end of test `id`'s standard error.
    pub fn stderr(&self, id: usize, stderr: &str) {
        self.lock().state.stderr(id, stderr);
    }

    /// Test `id` was judged.
    pub fn finished(
        &self,
        id: usize,
        outcome: Outcome,
        duration: Duration,
        message: Option<String>,
    ) {
        self.observe(id);
        let mut inner = self.lock();
        let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        let changes = inner.state.finish(id, outcome, ms, message);
        self.log(&mut inner, changes);
    }

    /// The run ended with `exit_code`.
    pub fn end(&self, exit_code: i32) {
        let mut inner = self.lock();
        let changes = inner.state.end(exit_code);
        self.log(&mut inner, changes);
    }

    /// Whether the run has ended.
    pub fn is_done(&self) -> bool {
        self.lock().state.view(0).done
    }

    /// Follows the running tests' files until the run ends, on a thread
    /// of its own.
    pub fn follow(self: &Arc<Self>) {
        let live = Arc::clone(self);
        let _ = std::thread::Builder::new()
            .name("live-follow".into())
            .spawn(move || {
                while !live.is_done() {
                    std::thread::sleep(FOLLOW_EVERY);
                    let running = live.lock().state.running();
                    for id in running {
                        live.observe(id);
                    }
                }
            });
    }

    /// The run as it stands.
    pub fn run_view(&self) -> RunView {
        let inner = self.lock();
        inner.state.view(inner.log.len() as u64)
    }

    /// Test `id` in full, with the calls its threads are in now.
    pub fn detail(&self, id: usize) -> Option<TestDetail> {
        let inner = self.lock();
        let mut detail = inner.state.detail(id)?;
        if let (Some(files), false) = (
            inner.files.get(&id),
            detail.test.state == TestState::Finished,
        ) {
            let text = untrusted_file::read_to_string(&files.trace).unwrap_or_default();
            let parsed = Trace::parse(&text);
            detail.in_flight = in_flight(&files.trace, &parsed);
            detail.microthreads = microthreads(&files.trace, &parsed);
        }
        Some(detail)
    }

    /// The events after `after`, in order.
    pub fn events_after(&self, after: u64) -> Vec<LoggedEvent> {
        let inner = self.lock();
        let from = usize::try_from(after)
            .unwrap_or(usize::MAX)
            .min(inner.log.len());
        inner.log[from..].to_vec()
    }

    /// Changes to the number of events logged.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.logged.subscribe()
    }

    /// Logs `changes`, each with the data it has now, and wakes the streams.
    fn log(&self, inner: &mut Inner, changes: Vec<Change>) {
        if changes.is_empty() {
            return;
        }
        let mut seen = Vec::new();
        for change in changes {
            let key = format!("{change:?}");
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let change_id = match change {
                Change::TestFinished(id) => Some(id),
                _ => None,
            };
            let (event, data) = match change {
                Change::TestStarted(id) => ("test-started", json(inner.state.test_view(id))),
                Change::TestUpdated(id) => ("test-updated", json(inner.state.test_view(id))),
                Change::TestFinished(id) => ("test-finished", json(inner.state.test_view(id))),
                Change::Site(id) => ("site", json(inner.state.site_view(id))),
                Change::SiteUpdated(id) => ("site-updated", json(inner.state.site_view(id))),
                Change::Done => {
                    let view = inner.state.view(0);
                    (
                        "done",
                        serde_json::json!({ "exit_code": view.exit_code, "elapsed_ms": view.elapsed_ms }),
                    )
                }
            };
            let id = inner.log.len() as u64 + 1;
            let finished = match change_id {
                Some(test) if event == "test-finished" => inner.state.detail(test),
                _ => None,
            };
            if let Some(feed) = inner.feed.as_mut() {
                write_feed(feed, event, &data);
                if let Some(detail) = finished {
                    write_feed(feed, "test-detail", &json(detail));
                }
            }
            inner.log.push(LoggedEvent { id, event, data });
        }
        self.logged.send_replace(inner.log.len() as u64);
    }
}

/// One line of a feed: an event's name and data.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FeedLine {
    /// The event's name, or `test-detail`.
    pub event: String,
    /// Its data.
    pub data: serde_json::Value,
}

fn write_feed(feed: &mut std::fs::File, event: &str, data: &serde_json::Value) {
    use std::io::Write;
    let line = FeedLine {
        event: event.to_owned(),
        data: data.clone(),
    };
    if let Ok(mut text) = serde_json::to_vec(&line) {
        text.push(b'\n');
        // One write per line: a reader never sees half of one.
        let _ = feed.write_all(&text);
    }
}

fn json(value: impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The calls in flight now, by the in-flight file beside `trace`.
fn in_flight(trace: &Path, parsed: &Trace) -> Vec<InFlightCall> {
    let Ok(bytes) = untrusted_file::read(&blockguard_protocol::inflight::path(trace)) else {
        return Vec::new();
    };
    let Some(slots) = blockguard_protocol::inflight::decode_slots(&bytes) else {
        return Vec::new();
    };
    slots
        .into_iter()
        .filter_map(|(slot, seq)| {
            let event = parsed.by_seq(seq)?;
            Some(InFlightCall {
                slot,
                thread: blockguard_protocol::inflight::slot_name(slot),
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
