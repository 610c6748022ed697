//! `cargo xtask`, end to end, in one test binary: each module drives one
//! command (or one fixture) through the real executable.

mod support;

mod async_zoo;
mod book;
mod browser;
mod budgets;
mod dashboard;
mod diagnostics;
mod dist;
mod faults;
mod guard_scope;
mod live_client;
mod locations;
mod nightly;
mod pid_names;
mod real_crates;
mod run_suite;
mod sandbox;
mod secrets;
mod suites;
mod test_setup;
