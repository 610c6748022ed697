//! Why the dashboard's web server could not start.

use std::net::SocketAddr;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address does not parse.
    #[error(
        "--serve {addr}: not an address (for example 127.0.0.1:8080, or 127.0.0.1:0 for a free port)"
    )]
    BadAddress {
        /// What was given.
        addr: String,
    },
    /// Binding failed (the port is taken, or not ours to bind).
    #[error("--serve {addr}: cannot listen there: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The runtime or its thread could not start.
    #[error("--serve: cannot start the web server: {0}")]
    Start(std::io::Error),
}
