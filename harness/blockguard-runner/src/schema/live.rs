//! What the dashboard's API says (`blockguard-live/1`), field for field.

use super::outcome::Outcome;
use blockguard_protocol::{Class, TestKey, Verdict};
use serde::{Deserialize, Serialize};

/// The API's schema name.
pub const SCHEMA: &str = "blockguard-live/1";

/// `GET /api/run`: the whole run as it stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunView {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The suite (for a nightly, `nightly`; for a program, its name).
    pub suite: String,
    /// The guard mode (a nightly's suites may each have their own).
    pub mode: String,
    /// The run has ended: no test is queued or running.
    pub done: bool,
    /// The run's exit code, once it has ended.
    pub exit_code: Option<i32>,
    /// Milliseconds since the run started (its length, once done).
    pub elapsed_ms: u64,
    /// The id of the last event on `/events` that this view includes:
    /// a page that reads this view follows the stream from there.
    pub event_id: u64,
    /// Every test, in the order they were queued.
    pub tests: Vec<TestView>,
    /// One entry per distinct blocking call.
    pub sites: Vec<SiteView>,
}

/// Where a test is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestState {
    /// Not started.
    Queued,
    /// Its process is running.
    Running,
    /// Judged.
    Finished,
}

/// One test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestView {
    /// Its index in [`RunView::tests`].
    pub id: usize,
    /// The suite it belongs to (a nightly runs many).
    pub suite: String,
    /// Its package, binary and libtest name.
    #[serde(flatten)]
    pub key: TestKey,
    /// Queued, running or finished.
    pub state: TestState,
    /// The outcome; null while queued or running.
    pub outcome: Option<Outcome>,
    /// Wall time; while running, so far.
    pub duration_ms: Option<u64>,
    /// Why it did not pass.
    pub message: Option<String>,
    /// Its distinct blocking calls, with their figures.
    pub blocking: Vec<TestCall>,
}

/// One distinct blocking call of one test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestCall {
    /// The [`SiteView::id`] it belongs to.
    pub site_id: usize,
    /// The call as the trace has it.
    #[serde(flatten)]
    pub key: SiteKey,
    /// The reason of the rule that allowed it.
    pub rule: Option<String>,
    /// Calls made.
    pub calls: u64,
    /// The same number as `calls`, by its first name in this API.
    pub count: u64,
    /// Nanoseconds those calls spent blocked.
    pub blocked_ns: u64,
}

/// What makes calls one site: call, class, site, via, verdict and context.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SiteKey {
    /// The libc function or syscall.
    pub call: String,
    /// The class of wait.
    pub class: Class,
    /// The innermost frame of the code under test (see the trace's `site`).
    pub site: String,
    /// The std or libc API the site called.
    pub via: String,
    /// Denied, allowed or farmed.
    pub verdict: Verdict,
    /// Where it was judged (`microthread`, an executor's task poll).
    pub context: Option<String>,
}

impl SiteKey {
    /// The key of a trace event.
    pub fn of(event: &blockguard_protocol::TraceEvent) -> SiteKey {
        SiteKey {
            call: event.call.clone(),
            class: event.class,
            site: event.site.clone(),
            via: event.via.clone(),
            verdict: event.verdict,
            context: event.context.clone(),
        }
    }
}

/// One distinct blocking call over the whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteView {
    /// Its index in [`RunView::sites`].
    pub id: usize,
    /// What it is.
    #[serde(flatten)]
    pub key: SiteKey,
    /// The reason of the rule that allowed it, where one did.
    pub rule: Option<String>,
    /// Calls made, over every test.
    pub calls: u64,
    /// The same number as `calls`, by its first name in this API.
    pub count: u64,
    /// Tests that made it.
    pub tests: usize,
    /// Nanoseconds those calls spent blocked.
    pub blocked_ns: u64,
}

/// `GET /api/tests/{id}`: one test in full.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestDetail {
    /// The test.
    pub test: TestView,
    /// Each blocking call with the stack it was first seen with.
    pub events: Vec<DetailEvent>,
    /// The calls its threads are in right now (while it runs).
    pub in_flight: Vec<InFlightCall>,
    /// Its microthreads and what each waits on (while it runs).
    pub microthreads: Vec<MicroView>,
    /// The end of its standard error.
    pub stderr_tail: String,
}

/// A blocking call of a test with its first-seen stack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DetailEvent {
    /// The call and its figures.
    #[serde(flatten)]
    pub call: TestCall,
    /// Frame names, innermost first; empty where the trace kept none.
    pub stack: Vec<String>,
}

/// One microthread of a running test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MicroView {
    /// Its id (0: the test's body, `main`).
    pub id: u64,
    /// Its name (`spawn_named`'s, or `#N`).
    pub name: String,
    /// `ready` (or running), `sleeping`, `parked`, `joining` or `farmed`.
    pub state: blockguard_protocol::board::MicroState,
    /// What it waits on, in words: the farmed call and its site, the
    /// channel, the microthread joined, the sleep left.
    pub waits_on: String,
    /// How long it has been in this state.
    pub for_ms: u64,
}

/// A guarded call in flight on one of the test's threads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InFlightCall {
    /// The thread's slot: 0 is the test's thread (its microthreads), then
    /// farm workers, executor workers from the top.
    pub slot: usize,
    /// Which thread that is.
    pub thread: String,
    /// The call.
    #[serde(flatten)]
    pub key: SiteKey,
}
