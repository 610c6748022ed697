//! The Host check, against DNS rebinding: a web page whose own name is made
//! to resolve to this machine could otherwise read the run (test names,
//! messages, stderr) from the browser of anyone who opens it. Its requests
//! name the page's host, so every request must name a host that can only
//! mean this server:
//!
//! - `localhost`, or a name under `.localhost` (those resolve to loopback
//!   by definition, never through someone's DNS);
//! - a loopback address (`127.0.0.0/8`, `[::1]`);
//! - the address the server is bound to; when that is unspecified
//!   (`0.0.0.0`, `[::]`), any IP address: an address cannot be rebound.
//!
//! Any port, or none. A request without a Host header (HTTP/1.1 requires
//! one) or with two is refused as well; so is one whose target names a
//! host of its own (`GET http://evil.example/`) that fails the check.
//! Refused: 421 Misdirected Request, with a line saying which host and why.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr};

/// The middleware: `bound` is the IP address the server listens on.
pub(super) async fn check(State(bound): State<IpAddr>, request: Request, next: Next) -> Response {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(host), None) => host.to_str().unwrap_or("(not text)"),
        (None, _) => return refused("no Host header"),
        (Some(_), Some(_)) => return refused("two Host headers"),
    };
    if !accepts(host, bound) {
        return refused(&format!("Host {host:?}"));
    }
    if let Some(target) = request.uri().authority()
        && !accepts(target.as_str(), bound)
    {
        return refused(&format!("target host {:?}", target.as_str()));
    }
    next.run(request).await
}

fn refused(what: &str) -> Response {
    let body = format!(
        "421 Misdirected Request: {what} refused. The dashboard answers only requests \
         addressed to localhost, a loopback address or the address it listens on, so that \
         a web page whose name resolves to this machine (DNS rebinding) cannot read the run.\n"
    );
    (StatusCode::MISDIRECTED_REQUEST, body).into_response()
}

/// Whether `authority` (`host`, `host:port`, `[v6]:port`) names this
/// server, bound to `bound`.
fn accepts(authority: &str, bound: IpAddr) -> bool {
    match host_of(authority) {
        Some(Host::Name(name)) => {
            let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(Host::Ip(ip)) => {
            let ip = ip.to_canonical();
            ip.is_loopback() || bound.is_unspecified() || ip == bound.to_canonical()
        }
        None => false,
    }
}

/// The host an authority names.
enum Host<'a> {
    Name(&'a str),
    Ip(IpAddr),
}

/// The host of `authority`, its port (any, or none) left out; `None` when
/// it does not parse.
fn host_of(authority: &str) -> Option<Host<'_>> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (v6, after) = bracketed.split_once(']')?;
            let port = if after.is_empty() {
                after
            } else {
                after.strip_prefix(':')?
            };
            (Host::Ip(IpAddr::V6(v6.parse().ok()?)), port)
        }
        None => {
            let (host, port) = authority.split_once(':').unwrap_or((authority, ""));
            let host = match host.parse::<Ipv4Addr>() {
                Ok(ip) => Host::Ip(ip.into()),
                Err(_) => Host::Name(host),
            };
            (host, port)
        }
    };
    port.bytes().all(|b| b.is_ascii_digit()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::accepts;
    use std::net::IpAddr;

    const LOOPBACK: &str = "127.0.0.1";
    const ANY: &str = "0.0.0.0";
    const ANY_V6: &str = "::";
    const LAN: &str = "192.168.1.5";

    #[test]
    fn only_hosts_that_can_only_mean_this_server_are_accepted() {
        let cases: &[(&str, &str, bool)] = &[
            // Loopback names and addresses, whatever the bind.
            ("localhost", LOOPBACK, true),
            ("localhost:8080", LOOPBACK, true),
            ("LocalHost:8080", LOOPBACK, true),
            ("localhost.:8080", LOOPBACK, true),
            ("dash.localhost:8080", LOOPBACK, true),
            ("127.0.0.1:40113", LOOPBACK, true),
            ("127.1.2.3", LOOPBACK, true),
            ("[::1]:8080", LOOPBACK, true),
            ("[::1]", LOOPBACK, true),
            ("[::ffff:127.0.0.1]:80", LOOPBACK, true),
            ("localhost:8080", LAN, true),
            ("127.0.0.1:8080", ANY, true),
            // A name that anyone's DNS can point here: the rebinding attack.
            ("evil.example", LOOPBACK, false),
            ("evil.example:8080", LOOPBACK, false),
            ("localhost.evil.example", LOOPBACK, false),
            ("evillocalhost", LOOPBACK, false),
            ("127.0.0.1.evil.example", LOOPBACK, false),
            ("evil.example", ANY, false),
            ("evil.example", LAN, false),
            ("my-laptop.lan:8080", LAN, false),
            // The bound address; any address when bound to all of them.
            ("192.168.1.5:8080", LAN, true),
            ("192.168.1.6:8080", LAN, false),
            ("192.168.1.5:8080", LOOPBACK, false),
            ("192.168.1.5:8080", ANY, true),
            ("[2001:db8::1]:8080", ANY_V6, true),
            ("10.0.0.1", ANY_V6, true),
            // What does not parse.
            ("", LOOPBACK, false),
            (":8080", LOOPBACK, false),
            ("::1", LOOPBACK, false),
            ("[127.0.0.1]:80", LOOPBACK, false),
            ("[::1]x", LOOPBACK, false),
            ("[::1", LOOPBACK, false),
            ("localhost:http", LOOPBACK, false),
            ("localhost:80:80", LOOPBACK, false),
            ("user@localhost", LOOPBACK, false),
            ("2130706433", LOOPBACK, false),
        ];
        for &(host, bound, accepted) in cases {
            let bound: IpAddr = bound.parse().unwrap();
            assert_eq!(
                accepts(host, bound),
                accepted,
                "Host {host:?}, bound {bound}"
            );
        }
    }
}
