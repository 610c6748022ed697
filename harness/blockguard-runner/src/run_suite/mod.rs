//! `cargo xtask run-suite`: resolve → build → list → run → judge →
//! snapshot → report. Each step is a module of the same name.

pub(crate) mod build;
mod closing;
mod command;
pub mod console;
mod doctest_error;
mod doctest_fences;
pub(crate) mod doctest_records;
mod doctest_shards;
mod doctests;
pub(crate) mod error;
mod file_name;
pub(crate) mod layout;
pub(crate) mod libtest;
mod libtest_lines;
pub(crate) mod list;
pub(crate) mod list_cache;
mod list_error;
mod locate;
mod package_sources;
pub mod preload;
pub mod report;
pub mod resolve;
pub(crate) mod rules;
pub mod runner;
mod sandbox_paths;
pub(crate) mod snapshot;
pub(crate) mod timeout;
mod traces;
mod under_test;

pub use build::uses_libtest;
pub use command::{run, run_workspace};
pub use console::Console;
pub use locate::{Located, locate};
pub use preload::guard_runtime;
pub use report::{to_json, write_atomically, xml_escape};
