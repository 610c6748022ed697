//! Run: one guarded child process per test, judged from its exit status,
//! output and trace; a libtest-mimic harness in front.

mod harness;
mod judge;
mod outcome;
mod signal;
mod spawn;

pub use harness::{Plan, run};
pub use outcome::{BlockingCall, Outcome, TestRecord};
pub use spawn::{Ended, Launch, SpawnError, spawn_and_wait};
