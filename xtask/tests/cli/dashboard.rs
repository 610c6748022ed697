//! `run-suite --serve`: the live dashboard's API and event stream during
//! a real run of `fixtures/live`, and the server's life around the run.

use crate::support::root;

#[path = "../../../fixtures/live/src/expected.rs"]
mod expected;

use expected::{EXPECTED, GATE, NAP_MS, NAPS};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dashboard-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `xtask run-suite --path fixtures/live --serve 127.0.0.1:0 ARGS`, its
/// snapshots in `dir`, stderr piped.
fn serve_live(dir: &Path, serve: &str, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["run-suite", "--path", "fixtures/live", "--serve", serve])
        .args(args)
        .current_dir(root())
        .env("BLOCKGUARD_SNAPSHOTS", dir.join("snapshots"))
        .env(GATE, dir.join("gate"))
        .env_remove("INSTA_UPDATE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xtask starts")
}

/// Reads stderr until the dashboard's line; its address, and the lines
/// read so far.
fn dashboard_address(child: &mut Child) -> (String, Vec<String>) {
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

fn get(addr: &str, path: &str) -> Value {
    let mut response = ureq::get(&format!("http://{addr}{path}"))
        .call()
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    response.body_mut().read_json().unwrap()
}

/// Polls `/api/run` until `ready` holds of it (within a minute per step:
/// the first run builds the fixture and the guard runtime).
fn wait_for(addr: &str, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
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

fn find_test<'a>(run: &'a Value, name: &str) -> Option<&'a Value> {
    run["tests"].as_array()?.iter().find(|t| t["name"] == name)
}

fn test_named<'a>(run: &'a Value, name: &str) -> &'a Value {
    find_test(run, name).unwrap_or_else(|| panic!("{name} is not in:\n{run:#}"))
}

/// One SSE message: id, event name, data.
type Message = (u64, String, Value);

/// Reads `/events?after=0` until `done`, on a thread of its own.
fn collect_events(addr: String) -> std::thread::JoinHandle<Vec<Message>> {
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

/// What one served run of the fixture showed, from start to exit.
struct Observed {
    /// `/api/run` while `waits_for_the_gate` ran.
    during: Value,
    /// `/api/tests/{id}` of that test meanwhile.
    detail_during: Value,
    /// `/api/run` once done.
    after: Value,
    /// `/api/tests/{id}` of every test once done, by name.
    details_after: Vec<(String, Value)>,
    /// The event stream from its start to `done`.
    events: Vec<Message>,
    /// Exit code after SIGINT.
    exit_code: Option<i32>,
    /// The port could be bound again after the exit.
    port_freed: bool,
    /// The server still answered after the run ended, before SIGINT.
    served_after_the_run: bool,
}

fn observed() -> &'static Observed {
    static RUN: OnceLock<Observed> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = scratch("live");
        let mut child = serve_live(&dir, "127.0.0.1:0", &["-j", "2"]);
        let (addr, _) = dashboard_address(&mut child);
        let stream = collect_events(addr.clone());
        let during = wait_for(
            &addr,
            "the gate test running while others finished",
            |run| {
                let state = |name| find_test(run, name).map(|t| t["state"].clone());
                run["done"] == false
                    && state("tests::waits_for_the_gate") == Some("running".into())
                    && state("tests::naps_ten_times") == Some("finished".into())
            },
        );
        let gate_id = test_named(&during, "tests::waits_for_the_gate")["id"].clone();
        // Sampled until a sleep shows in flight: the test naps 20 ms at a time.
        let detail_during = (0..100)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(7));
                get(&addr, &format!("/api/tests/{gate_id}"))
            })
            .find(|d| !d["in_flight"].as_array().unwrap().is_empty())
            .unwrap_or_else(|| get(&addr, &format!("/api/tests/{gate_id}")));
        std::fs::write(dir.join("gate"), "open").unwrap();
        let after = wait_for(&addr, "the run done", |run| run["done"] == true);
        let details_after = after["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let name = t["name"].as_str().unwrap().to_owned();
                (name, get(&addr, &format!("/api/tests/{}", t["id"])))
            })
            .collect();
        let events = stream.join().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let served_after_the_run =
            child.try_wait().unwrap().is_none() && get(&addr, "/api/run")["done"] == true;
        rustix::process::kill_process(
            rustix::process::Pid::from_child(&child),
            rustix::process::Signal::INT,
        )
        .unwrap();
        let status = wait_timeout::ChildExt::wait_timeout(&mut child, Duration::from_secs(20))
            .unwrap()
            .expect("the server stops on SIGINT");
        let port_freed = TcpListener::bind(&addr).is_ok();
        Observed {
            during,
            detail_during,
            after,
            details_after,
            events,
            exit_code: status.code(),
            port_freed,
            served_after_the_run,
        }
    })
}

#[test]
fn the_api_shows_unfinished_tests_while_the_run_goes_on() {
    let during = &observed().during;
    assert_eq!(during["schema"], "blockguard-live/1");
    assert_eq!(during["suite"], "live");
    assert_eq!(during["mode"], "check");
    let gate = test_named(during, "tests::waits_for_the_gate");
    assert_eq!(gate["outcome"], Value::Null, "{gate:#}");
    // Live figures of a test that has not ended: its naps so far.
    let naps = &gate["blocking"][0];
    assert_eq!(naps["call"], "clock_nanosleep");
    assert!(naps["count"].as_u64().unwrap() >= 1, "{gate:#}");
    let finished = test_named(during, "tests::naps_ten_times");
    assert_eq!(finished["outcome"], "blocked");
}

#[test]
fn a_running_test_shows_the_call_its_thread_is_in() {
    let detail = &observed().detail_during;
    let in_flight = detail["in_flight"].as_array().unwrap();
    assert!(
        in_flight
            .iter()
            .any(|c| c["call"] == "clock_nanosleep" && c["thread"] == "test thread"),
        "{detail:#}"
    );
}

#[test]
fn once_done_every_test_has_its_outcome_classes_counts_and_durations() {
    let after = &observed().after;
    assert_eq!(after["done"], true);
    assert_eq!(after["exit_code"], 1);
    assert_eq!(after["tests"].as_array().unwrap().len(), EXPECTED.len());
    for expected in EXPECTED {
        let test = test_named(after, expected.name);
        assert_eq!(test["state"], "finished", "{test:#}");
        assert_eq!(test["outcome"], expected.outcome, "{test:#}");
        assert!(test["duration_ms"].is_u64(), "{test:#}");
        let denied: Vec<&Value> = test["blocking"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["verdict"] == "denied")
            .collect();
        assert_eq!(denied.len(), expected.calls.len(), "{test:#}");
        for (call, class, calls, ms) in expected.calls {
            let found = denied
                .iter()
                .find(|c| c["call"] == *call && c["class"] == *class)
                .unwrap_or_else(|| panic!("no {call} ({class}) in {test:#}"));
            assert!(found["count"].as_u64().unwrap() >= *calls, "{test:#}");
            assert!(
                found["blocked_ns"].as_u64().unwrap() >= ms * 1_000_000,
                "{test:#}"
            );
        }
    }
    let naps = &test_named(after, "tests::naps_ten_times")["blocking"][0];
    assert_eq!(naps["count"], NAPS);
    let blocked = naps["blocked_ns"].as_u64().unwrap();
    assert!(blocked >= NAPS * NAP_MS * 1_000_000, "{naps:#}");
}

#[test]
fn sites_sum_their_tests_calls() {
    let after = &observed().after;
    for site in after["sites"].as_array().unwrap() {
        let making: Vec<&Value> = after["tests"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t["blocking"].as_array().unwrap())
            .filter(|c| c["site_id"] == site["id"])
            .collect();
        assert_eq!(site["tests"], making.len(), "{site:#}");
        let count: u64 = making.iter().map(|c| c["count"].as_u64().unwrap()).sum();
        let ns: u64 = making
            .iter()
            .map(|c| c["blocked_ns"].as_u64().unwrap())
            .sum();
        assert_eq!(site["count"], count, "{site:#}");
        assert_eq!(site["blocked_ns"], ns, "{site:#}");
    }
}

#[test]
fn a_tests_detail_has_the_first_seen_stack_of_each_call_and_its_stderr() {
    let details = &observed().details_after;
    let (_, naps) = details
        .iter()
        .find(|(name, _)| name == "tests::naps_ten_times")
        .unwrap();
    let stack = naps["events"][0]["stack"].as_array().unwrap();
    assert!(
        stack.iter().any(|f| f == "live::tests::naps_ten_times"),
        "{naps:#}"
    );
    let (_, fails) = details
        .iter()
        .find(|(name, _)| name == "tests::fails_on_purpose")
        .unwrap();
    assert!(
        fails["stderr_tail"]
            .as_str()
            .unwrap()
            .contains("failed on purpose"),
        "{fails:#}"
    );
}

#[test]
fn the_stream_delivers_every_test_finished_once_in_order() {
    let events = &observed().events;
    let ids: Vec<u64> = events.iter().map(|(id, ..)| *id).collect();
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "ids {ids:?}");
    let finished: Vec<&str> = events
        .iter()
        .filter(|(_, e, _)| e == "test-finished")
        .map(|(_, _, d)| d["name"].as_str().unwrap())
        .collect();
    let mut names: Vec<&str> = finished.clone();
    names.sort_unstable();
    let mut expected: Vec<&str> = EXPECTED.iter().map(|e| e.name).collect();
    expected.sort_unstable();
    assert_eq!(names, expected, "each test finishes once");
    // The gate held one test back: it finished last.
    assert_eq!(finished.last(), Some(&"tests::waits_for_the_gate"));
    // A test's start comes before its end, and a site before any update of it.
    for (i, (_, event, data)) in events.iter().enumerate() {
        if event == "test-finished" {
            assert!(
                events[..i]
                    .iter()
                    .any(|(_, e, d)| e == "test-started" && d["id"] == data["id"])
            );
        }
        if event == "site-updated" {
            assert!(
                events[..i]
                    .iter()
                    .any(|(_, e, d)| e == "site" && d["id"] == data["id"])
            );
        }
    }
    assert_eq!(events.last().unwrap().1, "done");
}

#[test]
fn after_the_run_it_serves_until_sigint_then_exits_with_the_runs_code_and_frees_the_port() {
    let observed = observed();
    assert!(observed.served_after_the_run);
    assert_eq!(observed.exit_code, Some(1), "blocked tests fail the run");
    assert!(observed.port_freed);
}

#[test]
fn a_port_already_taken_fails_with_exit_2_before_anything_runs() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = scratch("taken");
    let child = serve_live(&dir, &addr, &[]);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("--serve {addr}: cannot listen there")),
        "{stderr}"
    );
    assert!(!stderr.contains("building"), "nothing ran: {stderr}");
    assert!(out.stdout.is_empty(), "nothing ran");
}

#[test]
fn an_address_that_does_not_parse_is_named() {
    let dir = scratch("bad-address");
    let child = serve_live(&dir, "localhost-ish", &[]);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--serve localhost-ish: not an address"),
        "{stderr}"
    );
}
