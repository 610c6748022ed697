//! The dashboard's web server: axum on a tokio runtime of its own, on a
//! thread of the runner (never of a guarded child). It binds before the
//! run starts, so a taken port fails the command before any test runs.

mod routes;
mod sse;

use super::hub::Live;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

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

/// A running server; dropping it stops it and frees the port.
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `addr` (`HOST:PORT`; port 0 picks a free one) and serves
    /// `live` there until stopped.
    pub fn start(addr: &str, live: Arc<Live>) -> Result<Server, ServeError> {
        let parsed: SocketAddr = addr.parse().map_err(|_| ServeError::BadAddress {
            addr: addr.to_owned(),
        })?;
        let listener = TcpListener::bind(parsed).map_err(|source| ServeError::Bind {
            addr: parsed,
            source,
        })?;
        let local = listener.local_addr().map_err(ServeError::Start)?;
        listener.set_nonblocking(true).map_err(ServeError::Start)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(ServeError::Start)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = routes::app(live);
        let thread = std::thread::Builder::new()
            .name("dashboard".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    // Streams never end by themselves: stopping drops them.
                    tokio::select! {
                        _ = axum::serve(listener, app) => {}
                        _ = stopped => {}
                    }
                });
            })
            .map_err(ServeError::Start)?;
        Ok(Server {
            addr: local,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's address.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
