//! The CI subset of the real suites in `suites/`: each runs end to end
//! under the guards in its own (check) mode, against its committed
//! snapshots and rules, with `--strict`: a new or changed snapshot, a stale
//! rule or any outcome but pass, blocked, suppressed or ignored fails here.
//!
//! These are the suites that build in seconds; `cargo xtask stability`
//! runs all of them (see suites/README.md).

use crate::support::root;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The suites CI runs, also named in the book's Real suites page
/// (`docs/src/guide/real-suites.md`).
const CI_SUITES: &[&str] = &[
    "fd-lock",
    "filetime",
    "mio",
    "os_pipe",
    "socket2",
    "stackless-net",
    "tokio-stream",
];

/// `xtask run-suite NAME --strict`, insta writing nothing; the exit code,
/// the output and the report.
fn run_suite(name: &str) -> (i32, String, Value) {
    let report = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("suite-{name}.json"));
    let _ = std::fs::remove_file(&report);
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["run-suite", name, "--strict", "--report"])
        .arg(&report)
        .current_dir(root())
        .env("INSTA_UPDATE", "no")
        .env_remove("INSTA_FORCE_PASS")
        .env_remove("BLOCKGUARD_SNAPSHOTS")
        .output()
        .expect("xtask runs");
    let text = format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report = std::fs::read_to_string(&report)
        .map(|t| serde_json::from_str(&t).expect("the report is JSON"))
        .unwrap_or_else(|e| panic!("no report ({e}):\n{text}"));
    (out.status.code().unwrap_or(-1), text, report)
}

/// Blocked tests are the suites' findings (check mode), so the exit code is
/// 1 for some; what must hold is that nothing else went wrong, every
/// snapshot matched and no rule is stale.
fn runs_clean(name: &str) {
    let (code, text, report) = run_suite(name);
    assert!(code == 0 || code == 1, "{name}:\n{text}");
    assert_eq!(
        report["stale_rules"],
        serde_json::json!([]),
        "{name}:\n{text}"
    );
    assert_eq!(report["contention_snapshot"], "match", "{name}:\n{text}");
    let tests = report["tests"].as_array().unwrap();
    assert!(!tests.is_empty(), "{name} ran no test:\n{text}");
    for test in tests {
        let outcome = test["outcome"].as_str().unwrap();
        assert!(
            ["pass", "blocked", "suppressed", "ignored"].contains(&outcome),
            "{name}: {test:#}"
        );
        if outcome == "pass" || outcome == "blocked" {
            assert_eq!(test["snapshot"], "match", "{name}: {test:#}");
        }
    }
}

#[test]
fn ci_suites_are_named_in_the_book() {
    let page = std::fs::read_to_string(root().join("docs/src/guide/real-suites.md")).unwrap();
    for name in CI_SUITES {
        assert!(
            page.contains(&format!("`{name}`")),
            "docs/src/guide/real-suites.md does not name {name}"
        );
    }
}

#[test]
fn fd_lock_runs_clean() {
    runs_clean("fd-lock");
}

#[test]
fn filetime_runs_clean() {
    runs_clean("filetime");
}

#[test]
fn mio_runs_clean() {
    runs_clean("mio");
}

#[test]
fn os_pipe_runs_clean() {
    runs_clean("os_pipe");
}

#[test]
fn socket2_runs_clean() {
    runs_clean("socket2");
}

#[test]
fn tiny_http_is_a_build_failure_that_names_its_cause() {
    let (code, text, report) = run_suite("tiny_http");
    assert_eq!(code, 1, "{text}");
    assert_eq!(report["build"]["status"], "failed", "{text}");
    let message = report["build"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("its dependency rustc-serialize 0.3.24 did not compile; rustc said:"),
        "{message}"
    );
    assert!(
        text.contains("build failed, no test ran: its dependency rustc-serialize"),
        "{text}"
    );
    assert_eq!(report["tests"].as_array().unwrap().len(), 0);
}

#[test]
fn stackless_net_runs_clean() {
    runs_clean("stackless-net");
}

#[test]
fn tokio_stream_runs_clean() {
    runs_clean("tokio-stream");
}
