//! An XML-RPC-style service over HTTP/1.1 on plain blocking `std::net`
//! sockets, written the way thread-per-connection code is written: every
//! read, write, accept and connect blocks. Run as microthreads under
//! blockguard's scheduler in farm mode, the server and all its clients make
//! progress on one thread; in deny mode the first blocking call stops them.

pub mod client;
pub mod http;
pub mod server;
pub mod xml;

pub use xml::Value;

/// What went wrong in a call.
#[derive(Debug)]
pub enum Error {
    /// The socket failed.
    Io(std::io::Error),
    /// The peer sent something this service does not speak.
    Protocol(String),
    /// The server answered with a fault.
    Fault(String),
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(e) => write!(f, "i/o: {e}"),
            Error::Protocol(m) => write!(f, "protocol: {m}"),
            Error::Fault(m) => write!(f, "fault: {m}"),
        }
    }
}

impl std::error::Error for Error {}
