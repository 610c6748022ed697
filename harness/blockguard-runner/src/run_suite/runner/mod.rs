//! Run: one guarded child process per test, judged from its exit status,
//! output and trace; a libtest-mimic harness in front.

mod child_env;
mod harness;
mod holders;
pub mod interrupt;
mod judge;
pub mod outcome;
mod output;
mod signal;
pub mod spawn;

pub use harness::{NOT_RUN_INTERRUPTED, Plan, run};
pub use outcome::{BlockingCall, Outcome, TestRecord};
pub use signal::name as signal_name;
pub use spawn::{Ended, Launch, SpawnError, spawn_and_wait};
