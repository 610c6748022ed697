//! Run: one guarded child process per test, judged from its exit status,
//! output and trace; a libtest-mimic harness in front.

mod budget;
mod child_env;
mod harness;
mod judge;
mod whole_binary;

pub use crate::process::signal::name as signal_name;
pub use crate::process::{Ended, Launch, SpawnError, interrupt, spawn_and_wait};
pub use harness::{NOT_RUN_INTERRUPTED, Plan, run};
pub use whole_binary::{WholeBinary, WholeBinaryError, run_whole_binary};
