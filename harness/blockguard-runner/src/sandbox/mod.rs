//! The sandbox for untrusted suites, made by the test launcher
//! (`blockguard-contain`) itself: no network but loopback, private IPC and
//! hostname, the host read-only with the homes hidden ([`host_view`]), a
//! fresh `/dev` and `/sys`, and per test a `/proc` of the run's PID
//! namespace and a `/tmp` and `/dev/shm` sized by the memory limit. A
//! holder process keeps one set of namespaces alive per run, the run's PID
//! namespace among them ([`Sandbox`]); each test's launcher joins them,
//! then makes the test's own mount namespace. A sandboxed
//! build runs in a sandbox of its own ([`command`]). On by default for
//! crates.io crates.
//!
//! A run that asks for the sandbox where it cannot be made stops before
//! any test runs; it never runs unsandboxed instead.

mod command;
mod decide;
mod error;
mod holder;
pub mod host_view;

pub use command::command;
pub use decide::{check, wanted};
pub use error::SandboxError;
pub use holder::Sandbox;
