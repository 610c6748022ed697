//! Drive blockguard's microthread scheduler from a test.
//!
//! Under the guard runtime (`cargo xtask run-suite`), a test's body is the
//! main microthread of a cooperative scheduler on the test's thread. This
//! crate lets the test run more microthreads beside it and wait without
//! blocking the thread:
//!
//! | function | under the guard runtime | without it (plain `cargo test`) |
//! |---|---|---|
//! | [`spawn`] | a new microthread on the same thread | a new OS thread |
//! | [`yield_now`] | lets the other microthreads run | `std::thread::yield_now` |
//! | [`sleep`] | a timer: the others run meanwhile | `std::thread::sleep` |
//! | [`channel`] | a rendezvous: `send` waits (as a microthread) until a receiver takes the value | `std::sync::mpsc::sync_channel(0)` |
//! | [`allow_blocking`] | blocking calls inside are allowed, with the reason as their rule | runs the closure |
//! | [`expect_blocking`] | asserts the closure attempts a blocking call of the class (allowed) | panics: nothing can observe it |
//!
//! A panic in a spawned microthread fails the test with the panic's
//! message. When every microthread waits on a channel or a join and no
//! timer or farmed call is pending, the waiting call in the test's body
//! panics with a report of who waits where.
//!
//! The crate reaches the runtime through the small C ABI the runtime
//! exports (`blockguard_*`, found with `dlsym`); see [`under_scheduler`].
#![deny(missing_docs)]
#![deny(unsafe_code)]

mod channel;
mod ffi;
mod scope;
mod spawn;
mod time;

pub use channel::{Receiver, RecvError, SendError, Sender, channel};
pub use scope::{Class, allow_blocking, expect_blocking};
pub use spawn::{JoinHandle, spawn, spawn_named};
pub use time::{sleep, yield_now};

/// True when this code runs on a microthread of the guard runtime's
/// scheduler: the API's functions use it rather than their fallbacks.
pub fn under_scheduler() -> bool {
    ffi::active().is_some()
}
