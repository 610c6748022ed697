//! `cargo xtask stability`: runs suites again and again against their
//! accepted snapshots; any change is a flaky snapshot to fix at its cause.

mod command;

pub use command::run;
