//! The guard runtime: an `LD_PRELOAD` library for unmodified libtest binaries.
//!
//! Loaded into a test process, it recognises the thread libtest runs the
//! test on, runs that thread's body as the main microthread of a scheduler,
//! and interposes every libc entry point that can block the thread. A
//! blocking call made on the microthread is classified, attributed to its
//! call site, recorded in the trace, and denied unless a rule allows it.
//! Raw syscalls are caught by Syscall User Dispatch, and libc functions
//! fetched with `dlsym` are handed out as guarded stand-ins.
//!
//! The pipeline of one call: [`hooks`] (entry) → [`classify`] (is it
//! blocking, and of what class) → [`guard`] (context, rules, verdict,
//! [`stack`] attribution, [`trace`]) → back to the hook, which runs the
//! real call or stops the microthread ([`scheduler`]).
#![cfg(feature = "runtime")]
#![deny(missing_docs)]
#![deny(unsafe_code)]

mod api;
mod arch;
mod board;
mod classify;
mod config;
mod config_error;
mod context;
mod errno;
mod escape;
mod exit;
mod guard;
mod hooks;
mod inflight;
mod init;
mod lock_wait;
mod objects;
mod real;
mod rules;
mod scheduler;
mod selftest;
mod settle;
mod shared_map;
mod stack;
mod tally;
mod test_name;
mod trace;
mod under_test;
