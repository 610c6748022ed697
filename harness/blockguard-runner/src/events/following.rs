//! The running tests' traces, looked at every [`FOLLOW_EVERY`] while a
//! consumer follows the run, each look a [`RunEvent::TestProgress`]. The
//! runner takes a test's reader back when its process ends and reads the
//! rest itself: no line is read twice.

use super::bus::RunEvents;
use super::trace_reader::TraceReader;
use crate::schema::{RunEvent, TestKey};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How often a running test's trace and tally are looked at.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(200);

/// A reader, gone once the runner has taken it back.
type Shared = Arc<Mutex<Option<TraceReader>>>;

/// The readers of the tests running now.
pub struct Following {
    events: RunEvents,
    running: Mutex<HashMap<TestKey, Shared>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Following {
    /// Readers for a run whose events go to `events`; looked at on a
    /// thread of their own while a consumer follows.
    pub fn start(events: &RunEvents) -> Arc<Following> {
        let following = Arc::new(Following {
            events: events.clone(),
            running: Mutex::new(HashMap::new()),
        });
        if events.followed() {
            let weak = Arc::downgrade(&following);
            let _ = std::thread::Builder::new()
                .name("follow-traces".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(FOLLOW_EVERY);
                        match weak.upgrade() {
                            Some(following) => following.look(),
                            None => return,
                        }
                    }
                });
        }
        following
    }

    /// Test `key` started, writing its trace at `trace`.
    pub fn begin(&self, key: &TestKey, trace: &Path) {
        let reader = Arc::new(Mutex::new(Some(TraceReader::new(trace))));
        lock(&self.running).insert(key.clone(), reader);
    }

    /// Test `key`'s process ended: its reader, with the whole trace read.
    /// No progress of it is emitted after this returns.
    pub fn end(&self, key: &TestKey) -> Option<TraceReader> {
        let shared = lock(&self.running).remove(key)?;
        let mut reader = lock(&shared).take()?;
        reader.read_rest();
        Some(reader)
    }

    /// Reads what each running test appended, and says so.
    fn look(&self) {
        let running: Vec<(TestKey, Shared)> = lock(&self.running)
            .iter()
            .map(|(key, shared)| (key.clone(), Arc::clone(shared)))
            .collect();
        for (key, shared) in running {
            // Emitted under the reader's lock: `end` waits for it, so the
            // test's own last progress always comes after this one.
            let mut reader = lock(&shared);
            let Some(reader) = reader.as_mut() else {
                continue;
            };
            reader.read_new();
            let progress = reader.progress();
            self.events.emit(&RunEvent::TestProgress { key, progress });
        }
    }
}
