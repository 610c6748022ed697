//! The sandbox, from outside: `fixtures/escapes` tries every way out it
//! knows, under `--sandbox` and under `--no-sandbox`, and the outcomes are
//! those of its table. A run that wants the sandbox where it cannot be
//! made stops before anything runs.

use crate::support::root;

#[path = "../../../fixtures/escapes/src/expected.rs"]
mod expected;

use expected::{DAEMON_SECONDS, EXPECTED, REPO, SECRET, SMALL_LIMITS};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sandbox-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One run of the fixture at a time: both build it into the same folder,
/// and a build while the other runs would swap its test binary.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `xtask run-suite fixtures/escapes.toml --mode audit FLAG`, with a
/// credential in its environment as a CI has one: exit code, output,
/// report. The suite file passes [`REPO`] to the sandboxed tests.
fn escapes(dir: &Path, flags: &[&str], envs: &[(&str, &str)]) -> (i32, String, Option<Value>) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let report = dir.join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["run-suite", "fixtures/escapes.toml", "--mode", "audit"])
        .args(flags)
        .arg("--report")
        .arg(&report)
        .current_dir(root())
        .env("BLOCKGUARD_SNAPSHOTS", dir.join("snapshots"))
        .env(REPO, root())
        .env(SECRET.0, SECRET.1)
        .env_remove("INSTA_UPDATE")
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    let text = format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report = std::fs::read_to_string(&report)
        .ok()
        .map(|t| serde_json::from_str(&t).unwrap());
    (out.status.code().unwrap_or(-1), text, report)
}

fn entry<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the report"))
}

fn outcome<'a>(report: &'a Value, name: &str) -> &'a str {
    entry(report, name)["outcome"].as_str().unwrap()
}

/// The daemon was named as leaked and is gone: in either mode, nothing a
/// test starts outlives it.
fn daemon_did_not_outlive_its_test(report: &Value) {
    let leaked = entry(report, "tests::starts_a_daemon")["leaked"].to_string();
    assert!(leaked.contains(DAEMON_SECONDS), "leaked: {leaked}");
    let alive = std::fs::read_dir("/proc").unwrap().flatten().any(|p| {
        std::fs::read(p.path().join("cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).contains(DAEMON_SECONDS))
    });
    assert!(!alive, "the daemon outlived its test");
}

#[test]
fn under_the_sandbox_every_way_out_fails_and_the_controls_work() {
    let (_, text, report) = escapes(&scratch("on"), &["--sandbox"], &[]);
    let report = report.unwrap_or_else(|| panic!("no report:\n{text}"));
    for e in EXPECTED {
        let want = if e.escape { "fail" } else { "pass" };
        assert_eq!(outcome(&report, e.name), want, "{}:\n{text}", e.name);
    }
    daemon_did_not_outlive_its_test(&report);
}

#[test]
fn without_the_sandbox_the_same_tests_show_what_is_possible() {
    let (_, text, report) = escapes(&scratch("off"), &["--no-sandbox"], &[]);
    let report = report.unwrap_or_else(|| panic!("no report:\n{text}"));
    let root_user = rustix::process::geteuid().is_root();
    for e in EXPECTED {
        let works = !e.root_only || root_user;
        let want = if works { "pass" } else { "fail" };
        assert_eq!(outcome(&report, e.name), want, "{}:\n{text}", e.name);
    }
    daemon_did_not_outlive_its_test(&report);
}

#[test]
fn a_sandbox_that_cannot_be_made_stops_the_run_and_names_no_sandbox() {
    let dir = scratch("missing");
    let (code, text, report) = escapes(
        &dir,
        &["--sandbox"],
        &[("BLOCKGUARD_BWRAP", "/nonexistent/bwrap")],
    );
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("the sandbox cannot be made here"), "{text}");
    assert!(text.contains("--no-sandbox"), "{text}");
    assert!(report.is_none(), "nothing ran:\n{text}");
    assert!(!text.contains("running"), "nothing ran:\n{text}");
}

#[test]
fn a_test_that_hits_a_limit_of_the_sandbox_is_reported_as_limit() {
    let flags: Vec<&str> = std::iter::once("--sandbox").chain(SMALL_LIMITS).collect();
    let (_, text, report) = escapes(&scratch("limits"), &flags, &[]);
    let report = report.unwrap_or_else(|| panic!("no report:\n{text}"));
    for e in EXPECTED.iter().filter(|e| e.limited) {
        let test = entry(&report, e.name);
        assert_eq!(test["outcome"], "limit", "{test:#}");
    }
    let memory = entry(&report, "tests::allocates_half_a_gibibyte")["message"].to_string();
    assert!(
        memory.contains("memory limit (134217728 bytes)"),
        "{memory}"
    );
    let file = entry(&report, "tests::writes_two_mebibytes")["message"].to_string();
    assert!(file.contains("file-size limit (1048576 bytes)"), "{file}");
    assert_eq!(report["summary"]["limit"], 2);
}
