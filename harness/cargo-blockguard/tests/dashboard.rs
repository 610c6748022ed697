//! `cargo blockguard run` and `cargo blockguard test` with `--serve`: a
//! real program (stackless-net's server, farmed) and a real workspace on
//! the live dashboard.

mod support;

#[path = "../../../xtask/tests/cli/live_client.rs"]
mod live_client;

#[path = "../../../fixtures/live/src/expected.rs"]
mod expected;

use live_client::{dashboard_address, test_named, wait_for};
use serde_json::Value;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::{copy_fixture, root, scratch};

/// stackless-net's server program, built once into the test's own folder.
fn stackless_net_server() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let manifest = root().join("suites/stackless-net/Cargo.toml");
            let out = Command::new(env!("CARGO"))
                .args([
                    "build",
                    "--bin",
                    "stackless-net-server",
                    "--message-format=json",
                ])
                .arg("--manifest-path")
                .arg(&manifest)
                .arg("--target-dir")
                .arg(scratch().join("stackless-net-target"))
                .stderr(Stdio::inherit())
                .output()
                .unwrap();
            assert!(out.status.success(), "stackless-net builds");
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .find_map(|m| m["executable"].as_str().map(PathBuf::from))
                .expect("the server's executable")
        })
        .clone()
}

/// `cargo-blockguard blockguard ARGS` in `dir`, stderr piped.
fn blockguard(dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cargo-blockguard"))
        .arg("blockguard")
        .args(args)
        .current_dir(dir)
        .env("BLOCKGUARD_CACHE_DIR", scratch().join("cache"))
        .env_remove("BLOCKGUARD_PRELOAD")
        .env_remove("BLOCKGUARD_SNAPSHOTS")
        .env_remove("INSTA_UPDATE")
        .env(expected::GATE, dir.join("gate"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo-blockguard starts")
}

/// Sends `signal` and waits for the exit: its code, and whether the
/// dashboard's port is free afterwards.
fn stop(mut child: Child, addr: &str, signal: rustix::process::Signal) -> (Option<i32>, bool) {
    let status = live_client::signal_and_wait(&mut child, signal);
    (status.code(), TcpListener::bind(addr).is_ok())
}

fn site<'a>(run: &'a Value, call: &str) -> &'a Value {
    run["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["call"] == call)
        .unwrap_or_else(|| panic!("no {call} site in:\n{run:#}"))
}

#[test]
fn run_serves_a_farmed_server_live_then_stops_on_sigterm_with_its_exit_code() {
    let server = stackless_net_server();
    let child = blockguard(
        &scratch(),
        &[
            "run",
            "--mode",
            "farm",
            "--serve",
            "127.0.0.1:0",
            "--",
            server.to_str().unwrap(),
            "127.0.0.1:0",
            "--clients",
            "3",
            "--calls",
            "4",
        ],
    );
    let mut child = child;
    let (addr, _) = dashboard_address(&mut child);
    // While it runs: its microthreads, and what each waits on.
    let mut board = Value::Null;
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        let Some(detail) = live_client::try_get(&addr, "/api/tests/0") else {
            continue;
        };
        let micros = detail["microthreads"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let farmed_server = micros.iter().any(|m| {
            m["name"] == "server"
                && m["state"] == "farmed"
                && m["waits_on"].as_str().unwrap().contains("accept4")
        });
        if farmed_server && micros.iter().any(|m| m["name"] == "client-0") {
            board = detail["microthreads"].clone();
            break;
        }
        if detail["test"]["state"] == "finished" {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let main_micro = board
        .as_array()
        .and_then(|m| m.iter().find(|m| m["id"] == 0).cloned())
        .unwrap_or_else(|| panic!("no microthreads seen while it ran: {board:#}"));
    assert_eq!(main_micro["name"], "main");
    assert_eq!(main_micro["state"], "joining", "{board:#}");
    let run = wait_for(&addr, "the program done", |run| run["done"] == true);
    assert_eq!(run["suite"], "stackless-net-server");
    assert_eq!(run["mode"], "farm");
    assert_eq!(run["exit_code"], 0);
    let main = test_named(&run, "main");
    assert_eq!(main["outcome"], "pass", "{main:#}");
    // Three clients, four calls each: twelve connections, each accepted,
    // connected and slept after, every call farmed.
    for call in ["accept4", "connect", "clock_nanosleep"] {
        let farmed = site(&run, call);
        assert_eq!(farmed["verdict"], "farmed", "{farmed:#}");
        assert_eq!(farmed["count"], 12, "{farmed:#}");
    }
    assert_eq!(site(&run, "accept4")["class"], "net");
    let naps = site(&run, "clock_nanosleep")["blocked_ns"]
        .as_u64()
        .unwrap();
    assert!(
        naps >= 12 * 100_000_000,
        "twelve 100 ms naps took {naps} ns"
    );
    let detail = live_client::get(&addr, &format!("/api/tests/{}", main["id"]));
    assert!(
        detail["stderr_tail"]
            .as_str()
            .unwrap()
            .contains("served 12 connection(s)"),
        "{detail:#}"
    );
    let (code, freed) = stop(child, &addr, rustix::process::Signal::TERM);
    assert_eq!(code, Some(0), "the program's exit code");
    assert!(freed, "the port is free");
}

#[test]
fn run_in_deny_mode_stops_the_program_at_its_first_blocking_call() {
    let server = stackless_net_server();
    let child = blockguard(
        &scratch(),
        &[
            "run",
            "--mode",
            "deny",
            "--",
            server.to_str().unwrap(),
            "127.0.0.1:0",
            "--clients",
            "1",
        ],
    );
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(86), "{stderr}");
    assert!(!stderr.contains("served"), "{stderr}");
}

#[test]
fn test_with_serve_shows_the_workspace_run_and_waits_for_sigint() {
    let dir = copy_fixture("live", &scratch(), "live-serve");
    // The gate is open from the start.
    std::fs::write(dir.join("gate"), "open").unwrap();
    let mut child = blockguard(&dir, &["test", "--serve", "127.0.0.1:0", "-j", "2"]);
    let (addr, _) = dashboard_address(&mut child);
    let run = wait_for(&addr, "the run done", |run| run["done"] == true);
    assert_eq!(run["suite"], "live");
    for expected in expected::EXPECTED {
        let test = test_named(&run, expected.name);
        assert_eq!(test["outcome"], expected.outcome, "{test:#}");
        for (call, class, calls, _) in expected.calls {
            let found =
                test["blocking"].as_array().unwrap().iter().find(|c| {
                    c["call"] == *call && c["class"] == *class && c["verdict"] == "denied"
                });
            let count = found.map_or(0, |c| c["count"].as_u64().unwrap());
            assert!(count >= *calls, "{call} ({class}) in {test:#}");
        }
    }
    let (code, freed) = stop(child, &addr, rustix::process::Signal::INT);
    assert_eq!(code, Some(1), "blocked tests fail the run");
    assert!(freed);
}
