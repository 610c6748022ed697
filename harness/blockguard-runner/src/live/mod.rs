//! The live dashboard (`--serve ADDR`): what is blocking while a run goes
//! on, as a page, a JSON API and an event stream.
//!
//! - [`state`]: the run as the dashboard knows it, and its changes;
//! - [`hub`]: that state shared with the server, its event log, and the
//!   running tests' trace and tally files followed while they run;
//! - [`server`]: axum, on a runtime and thread of its own;
//! - [`dashboard`]: `--serve`'s life: bind before the run, announce the
//!   address, serve after it until interrupted;
//! - [`feed`]: a nightly's suites' runs feeding its dashboard;
//! - [`saved`]: saved reports on the same page (`cargo xtask serve`);
//! - [`view`]: the API's shapes (`blockguard-live/1`).

pub mod dashboard;
pub mod feed;
pub mod hub;
pub mod saved;
pub mod server;
pub mod state;
pub mod view;
