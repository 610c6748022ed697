//! The trace (DESIGN §3): JSON Lines, each line written with one `write`
//! to an `O_APPEND` descriptor the moment it is known, so a hung or
//! crashed test keeps everything up to its last call.
//!
//! The test's own process (the first to open the trace, which owes it the
//! capabilities line) numbers its event lines (`seq`), so the in-flight
//! slots can name them; children that inherit the preload do not.

mod error;
pub mod file;
mod writer;

pub use writer::{begun, capabilities, event, lifecycle, open, write_stderr};
