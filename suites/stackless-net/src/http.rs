//! Just enough HTTP/1.1: one `POST` with a `Content-Length` body per
//! connection, and its response. Reads and writes block, as with any
//! `std::net::TcpStream`.

use crate::Error;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// Largest body accepted.
const MAX_BODY: usize = 1 << 20;

/// Reads a request: its path and body.
pub fn read_request(stream: &TcpStream) -> Result<(String, String), Error> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method != "POST" {
        return Err(Error::Protocol(format!("method `{method}`")));
    }
    let path = path.to_owned();
    let body = read_body(&mut reader)?;
    Ok((path, body))
}

/// Reads a response's body (status 200 only).
pub fn read_response(stream: &TcpStream) -> Result<String, Error> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    if !line.starts_with("HTTP/1.1 200") {
        return Err(Error::Protocol(format!("status line `{}`", line.trim())));
    }
    read_body(&mut reader)
}

fn read_body(reader: &mut impl BufRead) -> Result<String, Error> {
    let mut length = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Err(Error::Protocol("headers cut short".into()));
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let length = length.ok_or_else(|| Error::Protocol("no Content-Length".into()))?;
    if length > MAX_BODY {
        return Err(Error::Protocol(format!("a body of {length} bytes")));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    String::from_utf8(body).map_err(|_| Error::Protocol("a body that is not UTF-8".into()))
}

/// Writes a `POST` of an XML body.
pub fn write_request(stream: &TcpStream, path: &str, body: &str) -> Result<(), Error> {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    send(stream, head, body)
}

/// Writes a `200 OK` with an XML body.
pub fn write_response(stream: &TcpStream, body: &str) -> Result<(), Error> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    send(stream, head, body)
}

/// Head and body in one write, so the peer reads the message in one piece
/// and makes the same calls every time.
fn send(mut stream: &TcpStream, head: String, body: &str) -> Result<(), Error> {
    let mut message = head.into_bytes();
    message.extend_from_slice(body.as_bytes());
    stream.write_all(&message)?;
    Ok(())
}
