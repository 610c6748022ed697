//! The run's events: the whole interface between the runner and what
//! shows or keeps a run. The runner emits them in this order per test:
//! queued, started, progress (while it runs, and once more with its final
//! calls), finished; a test that is ignored is only finished. The
//! console, the report, the dashboard's hub and a nightly's feed each
//! consume them ([`crate::events`]).
//!
//! They are JSON too (`--live-feed`, one per line), which is how a
//! nightly's dashboard follows the runs of its suites.

use super::blocking::ObservedCall;
use super::live::{InFlightCall, MicroView};
use super::record::TestRecord;
use blockguard_protocol::TestKey;
use serde::{Deserialize, Serialize};

/// One event of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum RunEvent {
    /// The run's suite and mode are known.
    RunStarted {
        /// The suite (a program's name for `cargo xtask run`).
        suite: String,
        /// The guard mode.
        mode: String,
    },
    /// A test was chosen to run.
    TestQueued {
        /// Which.
        key: TestKey,
    },
    /// A test's process started (again, on a retry: what it did before
    /// is forgotten).
    TestStarted {
        /// Which.
        key: TestKey,
    },
    /// What a running test has done so far; each replaces the last.
    TestProgress {
        /// Which.
        key: TestKey,
        /// Its calls, and what its threads are in now.
        progress: Progress,
    },
    /// A test was judged, or, ignored, was not run.
    TestFinished {
        /// All that is known of it.
        record: Box<TestRecord>,
        /// The end of its standard error.
        #[serde(default)]
        stderr_tail: String,
    },
    /// The run ended.
    RunFinished {
        /// Its exit code.
        exit_code: i32,
    },
}

/// A running test as its trace, tally, in-flight file and board say.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Its distinct blocking calls so far, in the order first seen, each
    /// with its figures and first stack: each trace line is read once.
    pub calls: Vec<ObservedCall>,
    /// The guarded calls its threads are in now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_flight: Vec<InFlightCall>,
    /// Its microthreads and what each waits on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub microthreads: Vec<MicroView>,
}
