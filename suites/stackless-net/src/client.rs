//! The client: one connection per call.

use crate::xml::{self, Value};
use crate::{Error, http};
use std::net::{SocketAddr, TcpStream};

/// Calls `method` on the server at `addr`.
pub fn call(addr: SocketAddr, method: &str, args: &[Value]) -> Result<Value, Error> {
    let stream = TcpStream::connect(addr)?;
    http::write_request(&stream, "/RPC2", &xml::method_call(method, args))?;
    let body = http::read_response(&stream)?;
    xml::parse_response(&body)
}
