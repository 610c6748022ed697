//! The live dashboard (`--serve ADDR`): what is blocking while a run goes
//! on, as a page, a JSON API and an event stream.
//!
//! - [`state`]: the run as the dashboard knows it, and its changes;
//! - [`hub`]: that state, kept from the run's events ([`crate::events`])
//!   and shared with the server, and its log of changes;
//! - [`server`]: axum, on a runtime and thread of its own;
//! - [`dashboard`]: `--serve`'s life: bind before the run, announce the
//!   address, serve after it until interrupted;
//! - [`saved`]: saved reports on the same page (`cargo xtask serve`).
//!
//! The API's shapes (`blockguard-live/1`) are in [`crate::schema::live`].

pub mod dashboard;
pub mod hub;
pub mod saved;
pub mod server;
pub mod state;
