//! The service end to end: a server and several clients, all microthreads
//! of one test, on loopback with plain blocking sockets. Under farm mode
//! every blocking call runs on a worker while the scheduler runs the
//! others, so they all make progress on the test's one thread.

use stackless_net::server::{Stats, serve};
use stackless_net::{Value, client};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::ThreadId;

const CLIENTS: i64 = 4;

#[test]
fn a_server_and_its_clients_progress_together_on_one_thread() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().unwrap();
    let stats = Arc::new(Stats::default());
    let server = {
        let stats = Arc::clone(&stats);
        blockguard::spawn_named("server", move || {
            serve(listener, CLIENTS as usize * 2, stats).map(|()| std::thread::current().id())
        })
    };
    let (results, received) = blockguard::channel::<(i64, Value, Value, ThreadId)>();
    for n in 0..CLIENTS {
        let results = results.clone();
        blockguard::spawn_named(&format!("client-{n}"), move || {
            let sum = client::call(addr, "add", &[Value::Int(n), Value::Int(10)]).unwrap();
            let words = Value::Array(vec![Value::Str(format!("client-{n}")), Value::Str(" done".into())]);
            let text = client::call(addr, "concat", &[words]).unwrap();
            results
                .send((n, sum, text, std::thread::current().id()))
                .unwrap();
        });
    }
    drop(results);
    let mut got: Vec<(i64, Value, Value, ThreadId)> = received.iter().collect();
    got.sort_by_key(|r| r.0);
    // Without the runtime (plain `cargo test`) each is an OS thread.
    let one_thread = blockguard::under_scheduler();
    let here = std::thread::current().id();
    assert_eq!(got.len(), CLIENTS as usize);
    for (n, sum, text, thread) in got {
        assert_eq!(sum, Value::Int(n + 10));
        assert_eq!(text, Value::Str(format!("client-{n} done")));
        if one_thread {
            assert_eq!(thread, here, "client {n} ran on another thread");
        }
    }
    let server_thread = server.join().expect("the server ran cleanly");
    if one_thread {
        assert_eq!(server_thread, here, "the server ran on another thread");
    }
    assert_eq!(stats.handled.load(Ordering::SeqCst), CLIENTS as usize * 2);
}

#[test]
fn a_fault_comes_back_as_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().unwrap();
    let server = blockguard::spawn_named("server", move || serve(listener, 1, Arc::default()));
    let reply = client::call(addr, "divide", &[Value::Int(1)]);
    assert!(
        matches!(&reply, Err(stackless_net::Error::Fault(m)) if m == "no method divide"),
        "{reply:?}"
    );
    server.join().unwrap();
}

#[test]
fn a_farmed_call_hands_back_its_error() {
    // A port nobody listens on: connect fails with ECONNREFUSED, which the
    // worker's errno carries back to this microthread.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = std::net::TcpStream::connect(addr).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");
}
