//! The service as a program: `stackless-net-server [ADDR] [--connections N]
//! [--clients N --calls N]`. The accept loop and every connection are
//! microthreads; run it under `cargo blockguard run --mode farm --serve
//! 127.0.0.1:0 -- …` and watch its accepts, reads and writes being farmed.
//!
//! With `--clients`, that many client microthreads in the same program
//! each make `--calls` calls to it, a pause between calls, so there is
//! traffic to watch without another program.

use stackless_net::server::{Stats, serve};
use stackless_net::{Value, client};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

struct Options {
    addr: String,
    connections: Option<usize>,
    clients: usize,
    calls: usize,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        addr: "127.0.0.1:8000".to_owned(),
        connections: None,
        clients: 0,
        calls: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |flag: &str| -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{flag} takes a number"))
        };
        match arg.as_str() {
            "--connections" => options.connections = Some(number("--connections")?),
            "--clients" => options.clients = number("--clients")?,
            "--calls" => options.calls = number("--calls")?,
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}")),
            addr => addr.clone_into(&mut options.addr),
        }
    }
    Ok(options)
}

fn main() {
    let options = options().unwrap_or_else(|e| {
        eprintln!("stackless-net-server: {e}");
        std::process::exit(2);
    });
    let listener = TcpListener::bind(&options.addr).unwrap_or_else(|e| {
        eprintln!("stackless-net-server: cannot listen on {}: {e}", options.addr);
        std::process::exit(2);
    });
    let addr = listener.local_addr().expect("a bound address");
    eprintln!("stackless-net-server: listening on http://{addr}/RPC2");
    // Without --connections: the clients' calls, or (with none) forever.
    let connections = options.connections.unwrap_or(if options.clients > 0 {
        options.clients * options.calls
    } else {
        usize::MAX
    });
    let stats = Arc::new(Stats::default());
    let server = {
        let stats = Arc::clone(&stats);
        blockguard::spawn_named("server", move || serve(listener, connections, stats))
    };
    let clients: Vec<_> = (0..options.clients)
        .map(|n| {
            let calls = options.calls;
            blockguard::spawn_named(&format!("client-{n}"), move || {
                for call in 0..calls {
                    let sum = client::call(addr, "add", &[Value::Int(n as i64), Value::Int(call as i64)]);
                    eprintln!("client-{n}: call {call}: {sum:?}");
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        })
        .collect();
    for client in clients {
        let _ = client.join();
    }
    match server.join() {
        Ok(()) => eprintln!("stackless-net-server: served {connections} connection(s)"),
        Err(e) => {
            eprintln!("stackless-net-server: {e}");
            std::process::exit(1);
        }
    }
}
