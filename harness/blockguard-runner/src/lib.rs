//! blockguard's engine, as a library: the command lines (`cargo xtask`,
//! `cargo blockguard`) parse their arguments into [`options`] and call a
//! task here.
//!
//! - [`run_suite`]: resolve → build → list → run → judge → snapshot →
//!   report, for one suite;
//! - [`nightly`]: every suite × toolchain, a verdict per crate, regressions;
//! - [`stability`] and [`suites_table`]: repeated runs, and the suites'
//!   transparency and findings table, each running run-suite as a child
//!   ([`suite_child`]);
//! - [`target_runner`]: one test binary as cargo or nextest runs it
//!   (`cargo blockguard exec`), under the guards;
//! - [`run_program`]: a program (not a test) under the guards;
//! - [`live`]: the live dashboard any of these can serve.
//!
//! [`schema`] is the vocabulary every part speaks: the report, the
//! outcomes, the run's events, the live API and the exit codes; [`events`]
//! carries a run's events to its consumers. [`env`] reads the environment once;
//! [`untrusted_text`] is how every output shows what a crate under test
//! wrote. [`sandbox_env`] says what of the environment a sandboxed child
//! sees, and [`redact`] keeps its secrets out of every output.

#![forbid(unsafe_code)]

pub mod catalog;
pub mod diagnostics;
pub mod env;
pub mod events;
mod findings;
mod generated_text;
pub mod live;
pub mod nightly;
pub mod options;
mod outputs;
pub mod process;
pub mod real_crates;
pub mod redact;
pub mod run_program;
mod run_program_error;
pub mod run_suite;
pub mod sandbox;
pub mod sandbox_env;
pub mod schema;
pub use schema::exit;
pub mod stability;
pub mod suite_child;
mod suite_child_error;
pub mod suites_table;
mod target_package;
pub mod target_runner;
mod untrusted_file;
pub mod untrusted_text;
