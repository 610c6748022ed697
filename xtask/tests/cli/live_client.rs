//! A client of the live dashboard for tests: the address a command
//! prints, JSON from the API, and the event stream. Shared by the
//! command-line tests of `cargo xtask` and `cargo blockguard`.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// Reads stderr until the dashboard's line; its address, and the lines
/// read so far.
pub fn dashboard_address(child: &mut Child) -> (String, Vec<String>) {
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if let Some(url) = line.strip_prefix("dashboard: http://") {
            let addr = url.trim_end_matches('/').to_owned();
            // Keep draining, so the run never waits on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return (addr, seen);
        }
    }
    panic!("no dashboard line on stderr:\n{}", seen.join("\n"));
}

/// `GET path` as JSON; `None` for an error status (a test not queued yet).
pub fn try_get(addr: &str, path: &str) -> Option<Value> {
    let mut response = ureq::get(&format!("http://{addr}{path}")).call().ok()?;
    response.body_mut().read_json().ok()
}

pub fn get(addr: &str, path: &str) -> Value {
    let mut response = ureq::get(&format!("http://{addr}{path}"))
        .call()
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    response.body_mut().read_json().unwrap()
}

/// `GET path` as raw HTTP/1.1 with `host` as its Host header (none for
/// `None`; an HTTP client would write its own): the status, and the body
/// unless it is 200 (the event stream's never ends).
pub fn get_as(addr: &str, path: &str, host: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\n{host}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("GET {path}: no status in {status_line:?}"));
    let mut rest = String::new();
    if status != 200 {
        reader.read_to_string(&mut rest).unwrap();
    }
    let body = rest.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    (status, body.to_owned())
}

/// Polls `/api/run` until `ready` holds of it (within a minute per step:
/// the first run builds the fixture and the guard runtime).
pub fn wait_for(addr: &str, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let run = get(addr, "/api/run");
        if ready(&run) {
            return run;
        }
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "never saw {what}:\n{run:#}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn find_test<'a>(run: &'a Value, name: &str) -> Option<&'a Value> {
    run["tests"].as_array()?.iter().find(|t| t["name"] == name)
}

pub fn test_named<'a>(run: &'a Value, name: &str) -> &'a Value {
    find_test(run, name).unwrap_or_else(|| panic!("{name} is not in:\n{run:#}"))
}

/// One SSE message: id, event name, data.
pub type Message = (u64, String, Value);

/// Reads `/events?after=0` until `done`, on a thread of its own.
pub fn collect_events(addr: String) -> std::thread::JoinHandle<Vec<Message>> {
    std::thread::spawn(move || {
        let response = ureq::get(&format!("http://{addr}/events?after=0"))
            .call()
            .expect("the stream opens");
        let reader = BufReader::new(response.into_body().into_reader());
        let mut messages = Vec::new();
        let (mut id, mut event, mut data) = (0u64, String::new(), String::new());
        for line in reader.lines() {
            let line = line.expect("the stream reads");
            if let Some(v) = line.strip_prefix("id: ").or(line.strip_prefix("id:")) {
                id = v.trim().parse().unwrap();
            } else if let Some(v) = line.strip_prefix("event: ").or(line.strip_prefix("event:")) {
                event = v.trim().to_owned();
            } else if let Some(v) = line.strip_prefix("data: ").or(line.strip_prefix("data:")) {
                data.push_str(v);
            } else if line.is_empty() && !event.is_empty() {
                let done = event == "done";
                messages.push((
                    id,
                    std::mem::take(&mut event),
                    serde_json::from_str(&data).unwrap(),
                ));
                data.clear();
                if done {
                    break;
                }
            }
        }
        messages
    })
}

/// Sends `signal` to a served command and waits (20 s at most) for it to
/// exit: how it exited.
pub fn signal_and_wait(child: &mut Child, signal: rustix::process::Signal) -> ExitStatus {
    rustix::process::kill_process(rustix::process::Pid::from_child(child), signal).unwrap();
    wait_timeout::ChildExt::wait_timeout(child, Duration::from_secs(20))
        .unwrap()
        .unwrap_or_else(|| panic!("it did not stop on {signal:?}"))
}
