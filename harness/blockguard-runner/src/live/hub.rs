//! The live run shared by the runner's threads and the web server: the
//! state, kept from the run's events, and the log of changes that
//! `/events` streams.

use super::state::{Change, LiveState};
use crate::events::RunListener;
use crate::schema::RunEvent;
use crate::schema::live::{RunView, TestDetail};
use serde::Serialize;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::watch;

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

struct Inner {
    state: LiveState,
    log: Vec<LoggedEvent>,
}

/// The live run.
pub struct Hub {
    inner: Mutex<Inner>,
    logged: watch::Sender<u64>,
}

impl Hub {
    /// A run of `suite` in `mode`.
    pub fn new(suite: &str, mode: &str) -> Arc<Hub> {
        Arc::new(Hub {
            inner: Mutex::new(Inner {
                state: LiveState::new(suite, mode),
                log: Vec::new(),
            }),
            logged: watch::channel(0).0,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Names the run's suite and mode, once they are known.
    pub fn describe(&self, suite: &str, mode: &str) {
        self.lock().state.describe(suite, mode);
    }

    /// Takes on one event of a run: this run's own (`suite` `None`), or
    /// one of a nightly's suites' runs, whose tests are shown as `suite`'s
    /// and whose start and end are not this run's.
    pub fn apply(&self, suite: Option<&str>, event: &RunEvent) {
        let mut inner = self.lock();
        let state = &mut inner.state;
        let changes = match event {
            RunEvent::RunStarted { suite: name, mode } if suite.is_none() => {
                state.describe(name, mode);
                Vec::new()
            }
            RunEvent::RunFinished { exit_code } if suite.is_none() => state.end(*exit_code),
            RunEvent::RunStarted { .. } | RunEvent::RunFinished { .. } => Vec::new(),
            RunEvent::TestQueued { key } => {
                state.queue(suite, key);
                Vec::new()
            }
            RunEvent::TestStarted { key } => {
                let id = state.queue(suite, key);
                state.start(id)
            }
            RunEvent::TestProgress { key, progress } => {
                let id = state.queue(suite, key);
                state.progress(id, progress)
            }
            RunEvent::TestFinished {
                record,
                stderr_tail,
            } => {
                let id = state.queue(suite, &record.key);
                state.finish(id, record, stderr_tail)
            }
        };
        self.log(&mut inner, changes);
    }

    /// The run ended with `exit_code` (once; later ends change nothing).
    pub fn end(&self, exit_code: i32) {
        self.apply(None, &RunEvent::RunFinished { exit_code });
    }

    /// Whether the run has ended.
    pub fn is_done(&self) -> bool {
        self.lock().state.view(0).done
    }

    /// The run as it stands.
    pub fn run_view(&self) -> RunView {
        let inner = self.lock();
        inner.state.view(inner.log.len() as u64)
    }

    /// Test `id` in full, with the calls its threads were in at the last look.
    pub fn detail(&self, id: usize) -> Option<TestDetail> {
        self.lock().state.detail(id)
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
            inner.log.push(LoggedEvent { id, event, data });
        }
        self.logged.send_replace(inner.log.len() as u64);
    }
}

/// The dashboard follows its run's tests while they run.
impl RunListener for Hub {
    fn on(&self, event: &RunEvent) {
        self.apply(None, event);
    }

    fn follows(&self) -> bool {
        true
    }
}

fn json(value: impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
