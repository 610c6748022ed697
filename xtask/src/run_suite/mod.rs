//! `cargo xtask run-suite`: resolve → build → list → run → judge →
//! snapshot → report. Each step is a module of the same name.

mod build;
mod command;
mod console;
mod layout;
mod list;
mod locate;
mod preload;
mod report;
mod resolve;
mod rules;
mod runner;
mod snapshot;

pub use command::run;
pub use build::uses_libtest;
pub use locate::{Located, locate};
pub use report::Report;
pub use snapshot::SnapshotState;
