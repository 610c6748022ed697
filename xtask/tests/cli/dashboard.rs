//! `run-suite --serve`: the live dashboard's API and event stream during
//! a real run of `fixtures/live`, and the server's life around the run.

use crate::support::root;

#[path = "../../../fixtures/live/src/expected.rs"]
mod expected;

use crate::live_client::{
    Message, collect_events, dashboard_address, find_test, get, get_as, signal_and_wait,
    test_named, wait_for,
};
use expected::{EXPECTED, GATE, NAP_MS, NAPS};
use serde_json::Value;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

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
    /// The run's JSON report.
    report: PathBuf,
}

fn observed() -> &'static Observed {
    static RUN: OnceLock<Observed> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = scratch("live");
        let report = dir.join("report.json");
        let mut child = serve_live(
            &dir,
            "127.0.0.1:0",
            &["-j", "2", "--report", report.to_str().unwrap()],
        );
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
        let status = signal_and_wait(&mut child, rustix::process::Signal::INT);
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
            report,
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

#[test]
fn a_nightly_serves_every_suites_tests_as_its_children_run_them() {
    let dir = scratch("nightly");
    let out = dir.join("report");
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["nightly", "--suites-dir", "fixtures/nightly", "-j", "2"])
        .args(["--suite", "compatible", "--suite", "blocking"])
        .args(["--serve", "127.0.0.1:0", "--date", "2026-01-02", "--out"])
        .arg(&out)
        .current_dir(root())
        .env("BLOCKGUARD_SNAPSHOTS", dir.join("snapshots"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (addr, _) = dashboard_address(&mut child);
    let run = wait_for(&addr, "the nightly done", |run| run["done"] == true);
    assert_eq!(run["suite"], "nightly");
    let tests = run["tests"].as_array().unwrap();
    for suite in ["compatible", "blocking"] {
        let key = format!("{suite}@stable");
        let text =
            std::fs::read_to_string(out.join("logs").join(format!("{key}.report.json"))).unwrap();
        let report: Value = serde_json::from_str(&text).unwrap();
        let reported = report["tests"].as_array().unwrap();
        assert!(!reported.is_empty());
        for entry in reported {
            let live = tests
                .iter()
                .find(|t| {
                    t["suite"] == key
                        && t["binary"] == entry["binary"]
                        && t["name"] == entry["name"]
                })
                .unwrap_or_else(|| panic!("{key} {entry:#} is not on the dashboard:\n{run:#}"));
            assert_eq!(live["state"], "finished", "{live:#}");
            assert_eq!(live["outcome"], entry["outcome"], "{live:#}");
            assert_eq!(
                live["blocking"].as_array().unwrap().len(),
                entry["blocking"].as_array().unwrap().len(),
                "{live:#}\n{entry:#}"
            );
        }
    }
    let blocked = tests
        .iter()
        .find(|t| t["outcome"] == "blocked")
        .expect("the blocking suite blocks");
    let detail = get(&addr, &format!("/api/tests/{}", blocked["id"]));
    assert!(
        detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| !e["stack"].as_array().unwrap().is_empty()),
        "the children's stacks reach the nightly's dashboard: {detail:#}"
    );
    let status = signal_and_wait(&mut child, rustix::process::Signal::TERM);
    assert_eq!(status.code(), Some(0), "the nightly's own exit code");
}

/// `xtask serve REPORT`, its stderr piped for the address.
fn serve_saved(report: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("serve")
        .arg(report)
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The address is announced before `serve` waits for its signal: a SIGINT
/// sent the moment it appears must still end it, with 0.
#[test]
fn serve_stops_on_a_signal_sent_as_soon_as_its_address_is_announced() {
    let report = &observed().report;
    for _ in 0..5 {
        let mut child = serve_saved(report);
        let _ = dashboard_address(&mut child);
        let status = signal_and_wait(&mut child, rustix::process::Signal::INT);
        assert_eq!(status.code(), Some(0), "{status:?}");
    }
}

#[test]
fn serve_shows_a_saved_report_on_the_same_api() {
    let report = &observed().report;
    let mut child = serve_saved(report);
    let (addr, _) = dashboard_address(&mut child);
    let run = get(&addr, "/api/run");
    assert_eq!(run["done"], true);
    assert_eq!(run["suite"], "live");
    assert_eq!(run["exit_code"], 1, "it had failures");
    for expected in EXPECTED {
        let test = test_named(&run, expected.name);
        assert_eq!(test["outcome"], expected.outcome, "{test:#}");
        let live = test_named(&observed().after, expected.name);
        let calls = |t: &Value| -> Vec<String> {
            t["blocking"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| format!("{} {}", c["call"], c["verdict"]))
                .collect()
        };
        assert_eq!(calls(test), calls(live), "{test:#}");
    }
    let status = signal_and_wait(&mut child, rustix::process::Signal::INT);
    assert_eq!(status.code(), Some(0));
}

/// A web page whose name was made to resolve to this machine (DNS
/// rebinding) sends its own name as Host: it must read nothing.
#[test]
fn the_dashboard_answers_only_requests_addressed_to_this_machine() {
    let mut child = serve_saved(&observed().report);
    let (addr, _) = dashboard_address(&mut child);
    let port = addr.rsplit_once(':').unwrap().1;
    let ours = [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "localhost".to_owned(),
    ];
    let theirs = [format!("evil.example:{port}"), "evil.example".to_owned()];
    for path in ["/", "/api/run", "/api/tests/0", "/events"] {
        for host in &ours {
            assert_eq!(get_as(&addr, path, Some(host)).0, 200, "{path} {host}");
        }
        for host in &theirs {
            let (status, body) = get_as(&addr, path, Some(host));
            assert_eq!(status, 421, "{path} {host}: {body}");
            assert!(body.contains(host.as_str()), "{body}");
            assert!(body.contains("DNS rebinding"), "{body}");
            assert!(!body.contains("tests::"), "nothing of the run: {body}");
        }
    }
    assert_eq!(get_as(&addr, "/api/run", None).0, 421, "no Host");
    assert_eq!(get_as(&addr, "/elsewhere", Some("evil.example")).0, 421);
    let status = signal_and_wait(&mut child, rustix::process::Signal::INT);
    assert_eq!(status.code(), Some(0));
}

#[test]
fn serve_names_a_folder_without_reports() {
    let dir = scratch("no-reports");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("serve")
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no run-suite report there"), "{stderr}");
    assert!(stderr.contains(dir.to_str().unwrap()), "{stderr}");
}
