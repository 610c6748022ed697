//! The contract between the preloaded guard runtime and the runner.
//!
//! The runner starts a test binary with `LD_PRELOAD` pointing at the guard
//! runtime and the variables in [`env`](mod@env); the runtime writes a trace of
//! [`TraceLine`]s (JSON Lines), an [`inflight`] file, a [`tally`] file and a [`board`], and may end the
//! process with one of the [`exit`] codes.
#![deny(missing_docs)]

pub mod board;
pub mod class;
pub mod contain;
pub mod env;
pub mod exit;
pub mod guard_scope;
pub mod inflight;
pub mod launch;
pub mod mode;
pub mod sandbox;
pub mod span;
pub mod tally;
pub mod test_key;
pub mod trace;
pub mod under_test;

pub use class::Class;
pub use guard_scope::GuardScope;
pub use mode::Mode;
pub use test_key::TestKey;
pub use trace::{Capabilities, Lifecycle, TraceEvent, TraceLine, Verdict};

/// The files the runtime keeps beside the trace at `trace`: its
/// [`inflight`], [`tally`] and [`board`] files.
pub fn side_files(trace: &std::path::Path) -> [std::path::PathBuf; 3] {
    [
        inflight::path(trace),
        tally::path(trace),
        board::path(trace),
    ]
}
