//! A run's events ([`crate::schema::RunEvent`]) from where they happen to
//! what consumes them.
//!
//! - [`bus`]: the consumers of one run, each handed every event in order;
//! - [`trace_reader`]: one running test's trace, read as it grows, each
//!   line once, with its tally, in-flight file and board;
//! - [`following`]: the running tests' readers, looked at while they run
//!   when a consumer wants their progress;
//! - [`collect`]: the records a report is made of;
//! - [`feed`]: the events as JSON lines (`--live-feed`), and a nightly
//!   following its suites' feeds.

pub mod bus;
pub mod collect;
pub mod feed;
pub mod following;
pub mod trace_reader;

pub use bus::{RunEvents, RunListener};
pub use collect::Collected;
pub use following::Following;
pub use trace_reader::TraceReader;
