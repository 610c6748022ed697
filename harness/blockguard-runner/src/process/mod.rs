//! One child process as every task runs it: its own process group, stdout
//! and stderr each read on their own thread (and copied to a log when
//! asked), a timeout that ends the whole group, leftovers named and
//! killed, and interruption (SIGINT, SIGTERM, SIGHUP) passed on to every
//! child running. The namespaces a run's tests share are held by one
//! process each ([`ns_holder`]). Tests (run-suite), run-suite children (nightly,
//! stability) and nextest baselines (suites-table) all go through here.

mod holders;
pub mod interrupt;
pub mod launch_server;
pub mod ns_holder;
mod output;
pub mod signal;
pub mod spawn;

pub use spawn::{Contain, Ended, Finished, Join, Launch, SpawnError, spawn_and_wait};
