//! The running server: bound before the run starts, served from a thread
//! of its own, stopped when dropped.

use super::error::ServeError;
use super::routes;
use crate::live::hub::Hub;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// A running server; dropping it stops it and frees the port.
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `addr` (`HOST:PORT`, or a port alone for loopback; port 0
    /// picks a free one) and serves `live` there until stopped.
    pub fn start(addr: &str, live: Arc<Hub>) -> Result<Server, ServeError> {
        let parsed = parse(addr).ok_or_else(|| ServeError::BadAddress {
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
        let app = routes::app(live, local.ip());
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

/// `HOST:PORT`, or a port alone on loopback.
fn parse(addr: &str) -> Option<SocketAddr> {
    match addr.parse::<u16>() {
        Ok(port) => Some(SocketAddr::from(([127, 0, 0, 1], port))),
        Err(_) => addr.parse().ok(),
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

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_port_alone_is_on_loopback_and_anything_else_must_be_an_address() {
        assert_eq!(parse("8080"), Some("127.0.0.1:8080".parse().unwrap()));
        assert_eq!(parse("0.0.0.0:80"), Some("0.0.0.0:80".parse().unwrap()));
        assert_eq!(parse("[::1]:0"), Some("[::1]:0".parse().unwrap()));
        assert_eq!(parse("localhost:80"), None);
        assert_eq!(parse("99999"), None);
    }
}
