//! The dashboard's web server: axum on a tokio runtime of its own, on a
//! thread of the runner (never of a guarded child). It binds before the
//! run starts, so a taken port fails the command before any test runs.
//! It answers only requests addressed to it by a name or address that
//! cannot be rebound ([`host`]).

mod error;
mod host;
mod routes;
mod running;
mod sse;

pub use error::ServeError;
pub use running::Server;
