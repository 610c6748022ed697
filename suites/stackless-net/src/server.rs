//! The server: an accept loop that gives each connection a microthread of
//! its own (thread-per-connection, with microthreads for threads).

use crate::xml::{self, Value};
use crate::{Error, http};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// What the server saw, for tests to check.
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections handled.
    pub handled: AtomicUsize,
    /// Handlers running at once, at most.
    pub most_at_once: AtomicUsize,
    running: AtomicUsize,
}

/// Serves `connections` connections, then returns. Each is handled on its
/// own microthread; the accept loop waits for them all before it returns.
pub fn serve(listener: TcpListener, connections: usize, stats: Arc<Stats>) -> Result<(), Error> {
    let mut handlers = Vec::new();
    for n in 0..connections {
        let (stream, _) = listener.accept()?;
        let stats = Arc::clone(&stats);
        handlers.push(blockguard::spawn_named(&format!("handler-{n}"), move || {
            let running = stats.running.fetch_add(1, Ordering::SeqCst) + 1;
            stats.most_at_once.fetch_max(running, Ordering::SeqCst);
            let result = handle(&stream);
            stats.running.fetch_sub(1, Ordering::SeqCst);
            stats.handled.fetch_add(1, Ordering::SeqCst);
            result
        }));
    }
    for handler in handlers {
        handler.join()?;
    }
    Ok(())
}

/// One connection: one call, one response.
fn handle(stream: &TcpStream) -> Result<(), Error> {
    let (path, body) = http::read_request(stream)?;
    let reply = if path != "/RPC2" {
        xml::fault(&format!("no service at {path}"))
    } else {
        match xml::parse_call(&body) {
            Ok((method, args)) => match dispatch(&method, &args) {
                Ok(value) => xml::response(&value),
                Err(message) => xml::fault(&message),
            },
            Err(e) => xml::fault(&e.to_string()),
        }
    };
    http::write_response(stream, &reply)
}

/// The service's methods.
fn dispatch(method: &str, args: &[Value]) -> Result<Value, String> {
    match (method, args) {
        ("add", [Value::Int(a), Value::Int(b)]) => Ok(Value::Int(a + b)),
        ("echo", [v]) => Ok(v.clone()),
        ("concat", [Value::Array(items)]) => {
            let mut out = String::new();
            for item in items {
                match item {
                    Value::Str(s) => out.push_str(s),
                    other => return Err(format!("concat takes strings, not {other:?}")),
                }
            }
            Ok(Value::Str(out))
        }
        (m @ ("add" | "echo" | "concat"), _) => Err(format!("bad arguments for {m}")),
        (m, _) => Err(format!("no method {m}")),
    }
}
