//! End-to-end tests of `cargo xtask run-suite`, through the real binary
//! and the real guard runtime (built by the command itself).
//!
//! Regression tests are named after what they guard.

use crate::support::root;

#[path = "../../../fixtures/outcomes/src/expected.rs"]
mod expected;

use expected::EXPECTED;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// A fresh scratch folder for one test.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("run-suite-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One finished run-suite.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) report: Option<Value>,
}

impl Run {
    fn test(&self, name: &str) -> &Value {
        let report = self.report.as_ref().expect("a report");
        report["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not in the report:\n{report:#}"))
    }

    pub(crate) fn explain(&self) -> String {
        format!(
            "exit code {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `xtask run-suite ARGS` from the repository root, snapshots in
/// `dir/snapshots`, the report in `dir/report.json`.
pub(crate) fn run_suite(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Run {
    let report = dir.join("report.json");
    let _ = std::fs::remove_file(&report);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.arg("run-suite")
        .arg("--report")
        .arg(&report)
        .args(args)
        .current_dir(root())
        .env("BLOCKGUARD_SNAPSHOTS", dir.join("snapshots"))
        .env_remove("INSTA_UPDATE")
        .env_remove("INSTA_FORCE_PASS")
        .envs(envs.iter().copied());
    let out = cmd.output().expect("xtask runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        report: std::fs::read_to_string(&report)
            .ok()
            .map(|t| serde_json::from_str(&t).expect("the report is JSON")),
    }
}

/// A crate with one passing test, in `dir/<name>`.
pub(crate) fn tiny_crate(dir: &Path, name: &str, lib_rs: &str) -> PathBuf {
    let krate = dir.join(name);
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n"
        ),
    )
    .unwrap();
    std::fs::write(krate.join("src/lib.rs"), lib_rs).unwrap();
    krate
}

const ONE_PASSING_TEST: &str = "#[test]\nfn ok() {\n    assert_eq!(1 + 1, 2);\n}\n";

// ---------------------------------------------------------------------------
// The outcomes fixture: one run, one regression test per outcome.

/// The fixture suite, run once with a short timeout and a JUnit report.
fn outcomes() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = scratch("outcomes");
        let junit = dir.join("junit.xml");
        let run = run_suite(
            &dir,
            &[
                "fixtures/outcomes.toml",
                "--timeout",
                "3s",
                "--junit",
                junit.to_str().unwrap(),
            ],
            &[("INSTA_UPDATE", "no")],
        );
        assert!(junit.is_file(), "{}", run.explain());
        run
    })
}

/// Issue 25, item 6: libtest's lines say each outcome as the summary does:
/// a blocked test is `BLOCKED`, not `FAILED`, and the `test result:` line
/// counts it among the blocked, not the failed.
#[test]
fn libtest_lines_say_blocked_once_as_the_summary_does() {
    let run = outcomes();
    let report = run.report.as_ref().expect("a report");
    let summary = &report["summary"];
    let blocked = summary["blocked"].as_u64().unwrap();
    assert!(blocked > 0, "{summary:#}");
    let sleeps = run
        .stdout
        .lines()
        .find(|l| l.starts_with("test outcomes::tests::sleeps "))
        .unwrap_or_else(|| panic!("no line for sleeps: {}", run.explain()));
    assert!(sleeps.ends_with(" ... BLOCKED"), "{sleeps}");
    let conclusion = run
        .stdout
        .lines()
        .find(|l| l.starts_with("test result: "))
        .unwrap_or_else(|| panic!("no conclusion: {}", run.explain()));
    let fail = summary["fail"].as_u64().unwrap();
    assert!(
        conclusion.contains(&format!("; {fail} failed; {blocked} blocked;")),
        "{conclusion}\n{summary:#}"
    );
}

#[test]
fn every_outcome_is_as_the_table_says() {
    let run = outcomes();
    for e in EXPECTED {
        let t = run.test(e.test);
        assert_eq!(
            t["outcome"],
            e.outcome,
            "{}: {t:#}\n{}",
            e.test,
            run.explain()
        );
        let message = t["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(e.message_has),
            "{}: {message:?} lacks {:?}",
            e.test,
            e.message_has
        );
    }
}

#[test]
fn every_fixture_test_is_in_the_table_and_the_table_in_the_fixture() {
    let run = outcomes();
    let report = run.report.as_ref().expect("a report");
    let ran: Vec<&str> = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let table: Vec<&str> = EXPECTED.iter().map(|e| e.test).collect();
    assert_eq!(ran, table, "{}", run.explain());
}

#[test]
fn suppressed_keeps_the_rule_reason_and_never_reads_as_pass() {
    let run = outcomes();
    assert_eq!(
        run.test("tests::benign_race")["rule"],
        "benign race: the peer closes before the final write"
    );
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("test outcomes::tests::benign_race "))
        .unwrap_or_default();
    assert!(
        line.ends_with(
            "... ignored (suppressed: benign race: the peer closes before the final write)"
        ),
        "{}",
        run.explain()
    );
}

#[test]
fn a_failing_suite_exits_1_and_reports_every_outcome() {
    let run = outcomes();
    assert_eq!(run.code, 1, "{}", run.explain());
    let report = run.report.as_ref().unwrap();
    assert_eq!(report["schema"], "blockguard-report/1");
    assert_eq!(report["suite"]["name"], "outcomes");
    assert_eq!(report["suite"]["source"], "path");
    assert_eq!(report["build"]["status"], "ok");
    assert_eq!(report["capabilities"]["interpose"], true);
    let summary = &report["summary"];
    for (outcome, n) in [
        ("pass", 1),
        ("fail", 2),
        ("blocked", 1),
        ("timeout", 1),
        ("crash", 3),
        ("suppressed", 1),
        ("ignored", 1),
    ] {
        assert_eq!(summary[outcome], n, "{outcome}: {summary}");
    }
    // The suppress rule matched, so nothing is stale.
    assert_eq!(report["stale_rules"], serde_json::json!([]));
    assert!(
        run.stderr.contains("top denied blocking calls:"),
        "{}",
        run.explain()
    );
}

#[test]
fn the_summary_shows_every_denied_call_as_a_diagnostic() {
    let run = outcomes();
    // The header of rustc's form, or the one line of a site without a
    // file and line (no line table): either names the class, call and test.
    for (code, call, test) in [
        ("sleep", "clock_nanosleep", "outcomes::tests::sleeps"),
        ("sync", "futex_wait", "outcomes::tests::hangs_in_recv"),
    ] {
        let header = run
            .stderr
            .lines()
            .find(|l| l.starts_with(&format!("error[blocking::{code}]: ")) && l.contains(test))
            .unwrap_or_else(|| panic!("no diagnostic for {test}: {}", run.explain()));
        assert!(header.contains(call), "{header}");
    }
    let diagnostics = run.stderr.find("error[blocking::").unwrap();
    let summary = run.stderr.find("blockguard: outcomes (").unwrap();
    assert!(diagnostics < summary, "{}", run.explain());
}

#[test]
fn junit_has_a_testcase_per_test_and_escapes_messages() {
    outcomes();
    let xml = std::fs::read_to_string(scratch_path("outcomes").join("junit.xml")).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 10, "{xml}");
    assert!(xml.contains("<error type=\"timeout\""), "{xml}");
    assert!(xml.contains("Receiver&lt;T&gt;::recv"), "{xml}");
    assert!(xml.contains("<skipped type=\"suppressed\""), "{xml}");
}

/// The line of `file` (from the repository root) that ends with `// {marker}`.
fn marked_line(file: &str, marker: &str) -> u64 {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let at = text
        .lines()
        .position(|l| l.trim_end().ends_with(&format!("// {marker}")))
        .unwrap_or_else(|| panic!("no `// {marker}` in {file}"));
    at as u64 + 1
}

#[test]
fn each_call_is_at_its_file_and_line_relative_to_the_package_and_two_lines_are_two_calls() {
    let run = outcomes();
    let t = run.test("tests::sleeps");
    let sleeps: Vec<&Value> = t["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["class"] == "sleep")
        .collect();
    let mut lines: Vec<u64> = sleeps.iter().filter_map(|c| c["line"].as_u64()).collect();
    lines.sort_unstable();
    let file = "fixtures/outcomes/src/lib.rs";
    let want = vec![
        marked_line(file, "first sleep"),
        marked_line(file, "second sleep"),
    ];
    assert_eq!(lines, want, "{t:#}");
    for call in sleeps {
        assert_eq!(call["site"], "outcomes::tests::sleeps", "{call:#}");
        assert_eq!(call["via"], "std::thread::sleep", "{call:#}");
        assert_eq!(call["file"], "src/lib.rs", "{call:#}");
        assert!(call["column"].as_u64().is_some_and(|c| c > 0), "{call:#}");
        assert_eq!(
            call["chain"],
            serde_json::json!([
                "outcomes::tests::sleeps",
                "std::thread::sleep",
                call["call"]
            ]),
            "{call:#}"
        );
        assert!(call.get("outside").is_none(), "{call:#}");
    }
}

fn scratch_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("run-suite-{name}"))
}

// ---------------------------------------------------------------------------
// The blocking zoo, end to end.

#[test]
fn the_blocking_zoo_reports_denied_escaped_and_allowed_calls_per_test() {
    let dir = scratch("blocking-zoo");
    let run = run_suite(
        &dir,
        &["fixtures/blocking-zoo.toml"],
        &[("INSTA_UPDATE", "no")],
    );
    assert_eq!(run.code, 1, "blocked tests fail the run: {}", run.explain());
    let report = run.report.as_ref().expect("a report");
    assert_eq!(report["suite"]["name"], "blocking-zoo");
    assert_eq!(report["mode"], "check");
    let denied = |t: &Value| -> Vec<Value> {
        t["blocking"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["verdict"] == "denied")
            .cloned()
            .collect()
    };

    for calm in ["calm::println", "calm::try_recv"] {
        let t = run.test(calm);
        assert_eq!(t["outcome"], "pass", "{t:#}");
        assert_eq!(denied(t), Vec::<Value>::new(), "{t:#}");
    }

    let t = run.test("std_ways::sleep");
    assert_eq!(t["outcome"], "blocked", "{t:#}");
    assert!(
        denied(t).iter().any(|c| c["call"] == "clock_nanosleep"
            && c["class"] == "sleep"
            && c["site"] == "blocking_zoo::std_ways::sleep"
            && c["escaped"] == false),
        "{t:#}"
    );

    let t = run.test("escapes::raw_syscall_nanosleep");
    assert_eq!(t["outcome"], "blocked", "{t:#}");
    assert!(
        denied(t).iter().any(|c| c["escaped"] == true
            && c["class"] == "sleep"
            && c["site"] == "blocking_zoo::escapes::raw_syscall_nanosleep"),
        "{t:#}"
    );

    let t = run.test("libc_ways::usleep");
    assert_eq!(t["outcome"], "pass", "{t:#}");
    assert_eq!(denied(t), Vec::<Value>::new(), "{t:#}");
    let usleep = t["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["call"] == "usleep")
        .unwrap_or_else(|| panic!("no usleep entry: {t:#}"));
    assert_eq!(usleep["verdict"], "allowed", "{t:#}");
    assert_eq!(
        usleep["rule"],
        "the zoo's usleep test naps 1ms on purpose, to show an allowed call in the report"
    );
    // The rule matched, so it is not stale.
    assert_eq!(report["stale_rules"], serde_json::json!([]));

    let tests = report["tests"].as_array().unwrap();
    let summary = report["summary"].as_object().unwrap();
    for (outcome, n) in summary {
        let counted = tests.iter().filter(|t| t["outcome"] == *outcome).count();
        assert_eq!(n.as_u64(), Some(counted as u64), "{outcome}: {summary:?}");
    }
    let total: u64 = summary.values().filter_map(Value::as_u64).sum();
    assert_eq!(total, tests.len() as u64, "{summary:?}");
    assert!(summary["pass"].as_u64() > Some(0) && summary["blocked"].as_u64() > Some(0));
}

// ---------------------------------------------------------------------------
// Modes and libtest flags.

#[test]
fn deny_mode_stops_the_hanging_receive_at_once() {
    let dir = scratch("deny");
    let run = run_suite(
        &dir,
        &[
            "fixtures/outcomes.toml",
            "--mode",
            "deny",
            "--",
            "hangs_in_recv",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.explain());
    let report = run.report.as_ref().unwrap();
    assert_eq!(report["mode"], "deny");
    assert_eq!(
        report["tests"].as_array().unwrap().len(),
        1,
        "a filtered run"
    );
    let t = run.test("tests::hangs_in_recv");
    assert_eq!(t["outcome"], "blocked", "{t:#}");
    assert!(t["duration_ms"].as_u64().unwrap() < 3000, "{t:#}");
}

#[test]
fn audit_mode_records_denied_calls_but_keeps_the_outcome() {
    let dir = scratch("audit");
    let run = run_suite(
        &dir,
        &[
            "fixtures/outcomes.toml",
            "--mode",
            "audit",
            "--",
            "--exact",
            "outcomes::tests::sleeps",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.explain());
    let t = run.test("tests::sleeps");
    assert_eq!(t["outcome"], "pass", "{t:#}");
    let blocking = t["blocking"].as_array().unwrap();
    assert!(
        blocking
            .iter()
            .any(|c| c["verdict"] == "denied" && c["class"] == "sleep"),
        "{t:#}"
    );
    // Nothing was denied: the summary says what check mode would deny.
    assert!(
        run.stderr
            .contains("top blocking calls that check mode would deny:")
            && !run.stderr.contains("top denied blocking calls"),
        "{}",
        run.explain()
    );
}

#[test]
fn libtest_list_prints_binary_qualified_names_and_runs_nothing() {
    let dir = scratch("list");
    let run = run_suite(&dir, &["fixtures/outcomes.toml", "--", "--list"], &[]);
    assert_eq!(run.code, 0, "{}", run.explain());
    assert!(
        run.stdout.contains("outcomes::tests::passes: test"),
        "{}",
        run.explain()
    );
    assert!(run.report.is_none(), "listing writes no report");
}

#[test]
fn libtest_skip_and_ignored_flags_select_tests() {
    let dir = scratch("ignored");
    let run = run_suite(&dir, &["fixtures/outcomes.toml", "--", "--ignored"], &[]);
    assert_eq!(run.code, 0, "{}", run.explain());
    let tests = run.report.as_ref().unwrap()["tests"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(tests.len(), 1, "{tests:#?}");
    assert_eq!(run.test("tests::ignored")["outcome"], "pass");

    let run = run_suite(
        &dir,
        &["fixtures/outcomes.toml", "--", "passes", "--skip", "fails"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.explain());
    assert_eq!(
        run.report.as_ref().unwrap()["tests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

// ---------------------------------------------------------------------------
// Snapshots.

#[test]
fn snapshots_are_new_then_match_then_changed_and_reruns_touch_nothing() {
    let dir = scratch("snapshots");
    let args = [
        "fixtures/outcomes.toml",
        "--",
        "--exact",
        "outcomes::tests::sleeps",
    ];
    let snap_dir = dir.join("snapshots/outcomes");
    let snap = snap_dir.join("outcomes__tests__sleeps.snap");
    let pending = snap_dir.join("outcomes__tests__sleeps.snap.new");

    let first = run_suite(&dir, &args, &[("INSTA_UPDATE", "new")]);
    assert_eq!(
        first.test("tests::sleeps")["snapshot"],
        "new",
        "{}",
        first.explain()
    );
    let text = std::fs::read_to_string(&pending).expect("a pending snapshot");
    assert!(text.contains("\"verdict\":\"denied\""), "{text}");
    assert!(!text.contains("rule_id"), "{text}");

    // What `cargo insta accept` does.
    std::fs::rename(&pending, &snap).unwrap();
    let second = run_suite(&dir, &args, &[("INSTA_UPDATE", "new")]);
    assert_eq!(
        second.test("tests::sleeps")["snapshot"],
        "match",
        "{}",
        second.explain()
    );
    let accepted = std::fs::read(&snap).unwrap();
    let third = run_suite(&dir, &args, &[("INSTA_UPDATE", "new")]);
    assert_eq!(third.test("tests::sleeps")["snapshot"], "match");
    assert_eq!(
        std::fs::read(&snap).unwrap(),
        accepted,
        "a rerun rewrote the snapshot"
    );
    assert!(!pending.exists(), "a rerun left a pending snapshot");

    // A call that is no longer made.
    let gone = "{\"call\":\"read\",\"class\":\"fs\",\"verdict\":\"denied\",\"escaped\":false,\"site\":\"x\",\"via\":\"y\",\"rule\":null}";
    let edited = format!(
        "{}\n{gone}\n",
        String::from_utf8_lossy(&accepted).trim_end()
    );
    std::fs::write(&snap, edited).unwrap();
    let changed = run_suite(&dir, &args, &[("INSTA_UPDATE", "new")]);
    assert_eq!(changed.test("tests::sleeps")["snapshot"], "changed");
    assert!(pending.exists(), "a changed snapshot writes .snap.new");
    assert!(
        changed.stderr.contains(&format!("- {gone}")),
        "{}",
        changed.explain()
    );
}

#[test]
fn a_changed_snapshot_alone_exits_1_unless_insta_force_pass() {
    let dir = tiny_suite("changed-snapshot");
    let path = dir.join("tiny");
    let args = ["--path", path.to_str().unwrap()];
    let first = run_suite(&dir, &args, &[("INSTA_UPDATE", "always")]);
    assert_eq!(
        first.code,
        0,
        "a new snapshot is not a failure: {}",
        first.explain()
    );
    let snap = dir.join("snapshots/tiny/tiny__ok.snap");
    assert!(snap.is_file(), "INSTA_UPDATE=always writes the .snap");

    let strict = run_suite(&dir, &["--path", path.to_str().unwrap(), "--strict"], &[]);
    assert_eq!(
        strict.code,
        0,
        "a matching snapshot passes --strict: {}",
        strict.explain()
    );

    let text = std::fs::read_to_string(&snap).unwrap();
    std::fs::write(
        &snap,
        format!("{}\n{{\"call\":\"read\"}}\n", text.trim_end()),
    )
    .unwrap();
    let changed = run_suite(&dir, &args, &[("INSTA_UPDATE", "no")]);
    assert_eq!(changed.code, 1, "{}", changed.explain());
    assert_eq!(changed.test("ok")["outcome"], "pass");
    assert_eq!(changed.test("ok")["snapshot"], "changed");
    let forced = run_suite(
        &dir,
        &args,
        &[("INSTA_UPDATE", "no"), ("INSTA_FORCE_PASS", "1")],
    );
    assert_eq!(forced.code, 0, "{}", forced.explain());
    assert_eq!(forced.test("ok")["snapshot"], "changed");
}

#[test]
fn strict_makes_a_new_snapshot_fail() {
    let dir = tiny_suite("strict-new");
    let path = dir.join("tiny");
    let run = run_suite(
        &dir,
        &["--path", path.to_str().unwrap(), "--strict"],
        &[("INSTA_UPDATE", "new")],
    );
    assert_eq!(run.code, 1, "{}", run.explain());
    assert_eq!(run.test("ok")["snapshot"], "new");
}

/// Two tests whose names differ only in a non-ASCII letter, one sleeping.
const TWO_NON_ASCII_NAMES: &str = "#[test]\nfn tëst_ünïcødé() {}\n\n\
     #[test]\nfn tåst_ünïcødé() {\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n";

#[test]
fn tests_whose_names_differ_only_in_a_non_ascii_letter_keep_snapshots_of_their_own() {
    let dir = scratch("non-ascii-names");
    // A name of its own: the other tiny crates, built into the same target
    // folder, would share its test binary's file name.
    let path = tiny_crate(&dir, "non_ascii", TWO_NON_ASCII_NAMES);
    let args = ["--path", path.to_str().unwrap()];
    let first = run_suite(&dir, &args, &[("INSTA_UPDATE", "always")]);
    assert_eq!(first.test("tëst_ünïcødé")["snapshot"], "new");
    assert_eq!(first.test("tåst_ünïcødé")["snapshot"], "new");
    let snaps: Vec<String> = std::fs::read_dir(dir.join("snapshots/non_ascii"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with("non_ascii__") && name.ends_with(".snap"))
        .collect();
    assert_eq!(snaps.len(), 2, "{snaps:?}\n{}", first.explain());
    // One shared file would hold the other test's calls on every run.
    let second = run_suite(&dir, &args, &[("INSTA_UPDATE", "no")]);
    assert_eq!(second.test("tëst_ünïcødé")["snapshot"], "match");
    assert_eq!(second.test("tåst_ünïcødé")["snapshot"], "match");
}

fn tiny_suite(name: &str) -> PathBuf {
    let dir = scratch(name);
    tiny_crate(&dir, "tiny", ONE_PASSING_TEST);
    dir
}

// ---------------------------------------------------------------------------
// Rules.

#[test]
fn stale_rules_are_reported_and_strict_makes_them_fail() {
    let dir = tiny_suite("stale");
    let rules = dir.join("rules.toml");
    std::fs::write(
        &rules,
        "[suite]\npath = \"tiny\"\n\n[[allow]]\ncall = \"accept\"\nreason = \"no test accepts anything\"\n\n\
         [[suppress]]\nmessage = \"never\"\nreason = \"nothing fails\"\n",
    )
    .unwrap();
    let rules = rules.to_str().unwrap();
    let run = run_suite(&dir, &["--rules", rules], &[("INSTA_UPDATE", "always")]);
    assert_eq!(run.code, 0, "{}", run.explain());
    let stale = run.report.as_ref().unwrap()["stale_rules"]
        .as_array()
        .unwrap()
        .clone();
    let ids: Vec<&str> = stale.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["rules:allow[0]", "rules:suppress[0]"], "{stale:#?}");
    assert_eq!(stale[0]["line"], 4);
    assert!(run.stderr.contains("stale rules"), "{}", run.explain());

    let strict = run_suite(&dir, &["--rules", rules, "--strict"], &[]);
    assert_eq!(strict.code, 1, "{}", strict.explain());

    // A filtered run cannot tell: nothing is reported stale.
    let filtered = run_suite(&dir, &["--rules", rules, "--strict", "--", "ok"], &[]);
    assert_eq!(filtered.code, 0, "{}", filtered.explain());
}

#[test]
fn malformed_rules_files_exit_2_name_file_line_column_and_key_and_run_nothing() {
    let dir = tiny_suite("malformed");
    let cases: &[(&str, &str, &str)] = &[
        (
            "unknown_key",
            "[[allow]]\ncall = \"read\"\nreason = \"r\"\ncolour = 1\n",
            ":4:1: `allow[0].colour`: unknown key",
        ),
        (
            "bad_glob",
            "[[allow]]\nwithin = \"a[b\"\nreason = \"r\"\n",
            ":2:10: `allow[0].within`: invalid glob",
        ),
        (
            "bad_regex",
            "[[suppress]]\nmessage = \"(\"\nreason = \"r\"\n",
            ":2:11: `suppress[0].message`: invalid regex",
        ),
        (
            "wrong_type",
            "[suite]\npath = \"tiny\"\ntimeout = 5\n",
            ":3:11: `suite.timeout`: expected a string, found integer",
        ),
        (
            "missing_reason",
            "[[allow]]\ncall = \"read\"\n",
            ":1:1: `allow[0].reason`: missing required key `reason`",
        ),
        (
            "bad_class",
            "[[allow]]\nclass = \"disk\"\nreason = \"r\"\n",
            ":2:9: `allow[0].class`: unknown class `disk`",
        ),
        (
            "bad_mode",
            "[suite]\npath = \"tiny\"\nmode = \"loud\"\n",
            ":3:8: `suite.mode`: unknown mode `loud`",
        ),
        ("bad_toml", "[[allow]\ncall = 1\n", ":1:"),
    ];
    for (name, text, expected) in cases {
        let file = dir.join(format!("{name}.toml"));
        std::fs::write(&file, text).unwrap();
        let tiny = dir.join("tiny");
        let run = run_suite(
            &dir,
            &[
                "--path",
                tiny.to_str().unwrap(),
                "--rules",
                file.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(run.code, 2, "{name}: {}", run.explain());
        let wanted = format!("{}{expected}", file.display());
        assert!(
            run.stderr.contains(&wanted),
            "{name}: wanted {wanted:?}\n{}",
            run.explain()
        );
        assert!(
            run.report.is_none() && !run.stdout.contains("running"),
            "{name}: something ran"
        );
    }
}

// ---------------------------------------------------------------------------
// Resolution and build.

#[test]
fn a_build_failure_is_a_result_with_the_compiler_error() {
    let dir = scratch("build-failure");
    let krate = tiny_crate(
        &dir,
        "broken",
        "#[test]\nfn ok() { let x: u32 = \"no\"; }\n",
    );
    let run = run_suite(&dir, &["--path", krate.to_str().unwrap()], &[]);
    assert_eq!(run.code, 1, "{}", run.explain());
    assert!(
        run.stderr.contains("broken 0.1.0 did not build"),
        "{}",
        run.explain()
    );
    let build = &run.report.as_ref().unwrap()["build"];
    assert_eq!(build["status"], "failed");
    assert!(
        build["message"].as_str().unwrap().contains("error[E0308]"),
        "{build:#}"
    );
}

#[test]
fn nothing_named_is_bad_input() {
    let dir = scratch("nothing");
    let run = run_suite(&dir, &[], &[]);
    assert_eq!(run.code, 2, "{}", run.explain());
    assert!(run.stderr.contains("name a crate"), "{}", run.explain());
}

#[test]
fn a_crates_io_crate_runs_end_to_end_from_a_copy() {
    let dir = scratch("crates-io");
    let run = run_suite(&dir, &["same-file@1.0.6"], &[("INSTA_UPDATE", "no")]);
    let report = run
        .report
        .as_ref()
        .unwrap_or_else(|| panic!("{}", run.explain()));
    assert_eq!(report["suite"]["crate"], "same-file");
    assert_eq!(report["suite"]["version"], "1.0.6");
    assert_eq!(report["suite"]["source"], "crates.io");
    assert_eq!(report["build"]["status"], "ok");
    let tests = report["tests"].as_array().unwrap();
    assert!(tests.len() >= 5, "{report:#}");
    assert!(
        tests.iter().all(|t| t["binary"] == "same_file"),
        "{report:#}"
    );
    assert!([0, 1].contains(&run.code), "{}", run.explain());
    // Sandboxed, as a crates.io crate is by default: its copy is in the
    // suite's own folder.
    let copy = root().join("target/blockguard/sandboxed/same-file/src/same-file-1.0.6/Cargo.toml");
    let manifest = std::fs::read_to_string(copy).unwrap();
    assert!(
        manifest.contains("\n[workspace]\n"),
        "the copy is its own workspace"
    );
}

#[test]
fn an_unknown_crate_is_bad_input() {
    let dir = scratch("unknown-crate");
    let run = run_suite(&dir, &["blockguard-no-such-crate-xyzzy"], &[]);
    assert_eq!(run.code, 2, "{}", run.explain());
    assert!(
        run.stderr
            .contains("cannot get `blockguard-no-such-crate-xyzzy *` from crates.io"),
        "{}",
        run.explain()
    );
}

// ---------------------------------------------------------------------------
// Test targets without libtest (`harness = false`): xmlrpc's `python` test.

/// A crate whose integration test `no_harness` has its own `main`. Each
/// test names its crate apart: cargo gives local crates of one name and
/// version the same artifact names in the shared target directory.
fn no_harness_crate(dir: &Path, name: &str, main_rs: &str) -> PathBuf {
    let krate = tiny_crate(dir, name, ONE_PASSING_TEST);
    let manifest = krate.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}\n[[test]]\nname = \"no_harness\"\nharness = false\n"),
    )
    .unwrap();
    std::fs::create_dir_all(krate.join("tests")).unwrap();
    std::fs::write(krate.join("tests/no_harness.rs"), main_rs).unwrap();
    krate
}

#[test]
fn a_harness_false_binary_is_one_test_whose_main_is_guarded() {
    let dir = scratch("no-harness");
    let krate = no_harness_crate(
        &dir,
        "plain-sleeps",
        "fn main() {\n    std::thread::sleep(std::time::Duration::from_millis(1));\n    \
         let status = std::process::Command::new(\"true\").status().unwrap();\n    \
         assert!(status.success());\n}\n",
    );
    let path = krate.to_str().unwrap();
    let run = run_suite(&dir, &["--path", path], &[("INSTA_UPDATE", "no")]);
    assert_eq!(run.code, 1, "{}", run.explain());
    let main = run.report.as_ref().unwrap()["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["binary"] == "no_harness")
        .unwrap_or_else(|| panic!("no no_harness test: {}", run.explain()))
        .clone();
    assert_eq!(main["name"], "main");
    assert_eq!(main["outcome"], "blocked", "{main:#}");
    let calls: Vec<(String, String)> = main["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["call"].as_str().unwrap().to_owned(),
                c["site"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        calls.contains(&("clock_nanosleep".into(), "no_harness::main".into())),
        "{calls:?}"
    );
    // The child program inherits the preload but is not the test: only the
    // test's own wait for it is recorded.
    assert!(
        calls.iter().all(|(_, site)| site == "no_harness::main"),
        "{calls:?}"
    );
    assert_eq!(run.test("ok")["outcome"], "pass");

    let audit = run_suite(
        &dir,
        &["--path", path, "--mode", "audit"],
        &[("INSTA_UPDATE", "no")],
    );
    assert_eq!(audit.code, 0, "{}", audit.explain());
}

#[test]
fn a_harness_false_binary_that_fails_is_a_failure() {
    let dir = scratch("no-harness-fails");
    let krate = no_harness_crate(
        &dir,
        "plain-exits",
        "fn main() {\n    std::process::exit(3);\n}\n",
    );
    let run = run_suite(
        &dir,
        &["--path", krate.to_str().unwrap()],
        &[("INSTA_UPDATE", "no")],
    );
    assert_eq!(run.code, 1, "{}", run.explain());
    let main = run.test("main");
    assert_eq!(main["outcome"], "fail", "{main:#}");
}

#[test]
fn a_dependency_that_does_not_compile_is_named_as_the_cause() {
    let dir = scratch("broken-dependency");
    tiny_crate(&dir, "old-dep", "pub fn f() -> u32 { \"not a number\" }\n");
    let krate = tiny_crate(&dir, "user", ONE_PASSING_TEST);
    let manifest = krate.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}\n[dev-dependencies]\nold-dep = {{ path = \"../old-dep\" }}\n"),
    )
    .unwrap();
    let run = run_suite(&dir, &["--path", krate.to_str().unwrap()], &[]);
    assert_eq!(run.code, 1, "{}", run.explain());
    let message = run.report.as_ref().unwrap()["build"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.starts_with("its dependency old-dep 0.1.0 did not compile; rustc said:"),
        "{message}"
    );
    assert!(message.contains("error[E0308]"), "{message}");
    assert!(
        run.stderr
            .contains("build failed, no test ran: its dependency old-dep 0.1.0"),
        "{}",
        run.explain()
    );
}

// ---------------------------------------------------------------------------
// Farm mode and microthreads.

fn microthreads(name: &str, mode: &str, test: &str) -> Run {
    let dir = scratch(name);
    let krate = root().join("fixtures/microthreads");
    run_suite(
        &dir,
        &[
            "--path",
            krate.to_str().unwrap(),
            "--mode",
            mode,
            "--timeout",
            "3s",
            "--",
            "--exact",
            &format!("microthreads::{test}"),
        ],
        &[("INSTA_UPDATE", "no")],
    )
}

#[test]
fn a_panic_in_a_spawned_microthread_fails_the_test_with_its_message() {
    let run = microthreads("micro-panic", "farm", "tests::panics_in_a_microthread");
    let t = run.test("tests::panics_in_a_microthread");
    assert_eq!(t["outcome"], "fail", "{}", run.explain());
    assert!(
        t["message"]
            .as_str()
            .unwrap()
            .contains("the microthread gave up"),
        "{t:#}"
    );
}

#[test]
fn a_timeout_in_a_farmed_call_ends_cleanly_and_names_the_call() {
    let run = microthreads("farm-timeout", "farm", "tests::hangs_in_a_farmed_accept");
    let t = run.test("tests::hangs_in_a_farmed_accept");
    assert_eq!(t["outcome"], "timeout", "{}", run.explain());
    let message = t["message"].as_str().unwrap();
    assert!(
        message.starts_with("timed out after 3s, stuck in accept4 (net, farmed) at microthreads::tests::hangs_in_a_farmed_accept"),
        "{message}"
    );
    // The process group went with it: no test process (or its farm
    // worker) is left waiting in accept.
    let left = Command::new("pgrep")
        .args(["-f", "hangs_in_a_farmed_accept"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&left.stdout).trim().is_empty(),
        "left running: {}",
        String::from_utf8_lossy(&left.stdout)
    );
}

#[test]
fn farmed_calls_from_several_microthreads_run_on_several_workers_at_once() {
    let run = microthreads(
        "farm-at-once",
        "farm",
        "tests::farmed_calls_wait_on_workers_at_once",
    );
    let t = run.test("tests::farmed_calls_wait_on_workers_at_once");
    assert_eq!(t["outcome"], "pass", "{}", run.explain());
    let farmed = t["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["call"] == "read" && c["verdict"] == "farmed")
        .count();
    assert!(farmed >= 1, "{t:#}");
}

/// The first-party suite: plain blocking sockets in microthreads pass in
/// farm mode and stop at the first blocking call in deny mode.
fn stackless_net(name: &str, mode: &str) -> Run {
    let dir = scratch(name);
    run_suite(
        &dir,
        &["stackless-net", "--mode", mode],
        &[("INSTA_UPDATE", "no")],
    )
}

#[test]
fn stackless_net_passes_in_farm_mode_with_every_call_farmed() {
    let run = stackless_net("stackless-farm", "farm");
    assert_eq!(run.code, 0, "{}", run.explain());
    let t = run.test("a_server_and_its_clients_progress_together_on_one_thread");
    let calls: Vec<(&str, &str)> = t["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["call"].as_str().unwrap(), c["verdict"].as_str().unwrap()))
        .collect();
    for call in ["accept4", "connect", "recv", "send"] {
        assert!(
            calls.contains(&(call, "farmed")),
            "{call} not farmed: {calls:?}"
        );
    }
    // allow_blocking's scope: allowed inside, farmed after.
    let scoped = run.test("allow_blocking_allows_only_inside_its_scope");
    let verdicts: Vec<(&str, &str)> = scoped["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["verdict"].as_str().unwrap(),
                c["rule"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            (
                "allowed",
                "the test naps on purpose to show a scoped allowance"
            ),
            ("farmed", "")
        ],
        "{scoped:#}"
    );
}

#[test]
fn stackless_net_in_deny_mode_is_blocked_at_its_first_blocking_call() {
    let run = stackless_net("stackless-deny", "deny");
    assert_eq!(run.code, 1, "{}", run.explain());
    let t = run.test("a_server_and_its_clients_progress_together_on_one_thread");
    assert_eq!(t["outcome"], "blocked", "{t:#}");
    let message = t["message"].as_str().unwrap();
    assert!(
        message.contains("accept4 (net) at stackless_net::server::serve")
            || message.contains("connect (net) at stackless_net::client::call"),
        "{message}"
    );
}

#[test]
fn stackless_net_passes_without_the_runtime_on_the_fallbacks() {
    let dir = scratch("stackless-fallback");
    let run = run_suite(&dir, &["stackless-net"], &[("BLOCKGUARD_PRELOAD", "none")]);
    assert_eq!(run.code, 0, "{}", run.explain());
}

// ---------------------------------------------------------------------------
// Waits reached only under contention: the suite's snapshot, not the test's.

const CONTENDED_LOCK: &str = r#"
#[test]
fn waits_for_a_held_lock() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let lock = Arc::new(Mutex::new(()));
    let held = Arc::new(AtomicBool::new(false));
    let helper = {
        let (lock, held) = (Arc::clone(&lock), Arc::clone(&held));
        std::thread::spawn(move || {
            let _guard = lock.lock().unwrap();
            held.store(true, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(200));
        })
    };
    while !held.load(Ordering::SeqCst) {
        std::hint::spin_loop();
    }
    drop(lock.lock().unwrap());
    helper.join().unwrap();
}
"#;

#[test]
fn a_contention_wait_goes_to_the_suites_snapshot_and_stays_there() {
    let dir = scratch("contention");
    let krate = tiny_crate(&dir, "contended", CONTENDED_LOCK);
    let path = krate.to_str().unwrap();
    let first = run_suite(&dir, &["--path", path], &[("INSTA_UPDATE", "always")]);
    assert_eq!(
        first.report.as_ref().unwrap()["contention_snapshot"],
        "new",
        "{}",
        first.explain()
    );
    let suite_snap =
        std::fs::read_to_string(dir.join("snapshots/contended/contention_waits.snap")).unwrap();
    assert!(
        suite_snap.contains(r#""call":"futex_wait","class":"sync""#)
            && suite_snap.contains(r#""site":"contended::waits_for_a_held_lock""#),
        "{suite_snap}"
    );
    // The test's own snapshot has the calls every run makes (the join),
    // not the race.
    let test_snap = std::fs::read_to_string(
        dir.join("snapshots/contended/contended__waits_for_a_held_lock.snap"),
    )
    .unwrap();
    assert!(test_snap.contains("pthread_join"), "{test_snap}");
    assert!(!test_snap.contains("futex_wait"), "{test_snap}");

    // A filtered run that skips the test still matches: accepted waits stay.
    // It runs no test: `--no-tests pass` says that is fine.
    let skipped = run_suite(
        &dir,
        &[
            "--path",
            path,
            "--no-tests",
            "pass",
            "--",
            "--skip",
            "waits",
        ],
        &[],
    );
    assert_eq!(skipped.code, 0, "{}", skipped.explain());
    assert_eq!(
        skipped.report.as_ref().unwrap()["contention_snapshot"],
        "match"
    );
}

// ---------------------------------------------------------------------------
// Text the crate under test chose: shown, never obeyed.

/// A test that blocks in a function whose symbol is HTML, then panics with
/// a right-to-left override and an ANSI escape that clears the screen.
const UNTRUSTED_TEXT: &str = r#"
#[unsafe(export_name = "<img src=x onerror=alert(1)>")]
#[inline(never)]
pub extern "C" fn naps() {
    std::thread::sleep(std::time::Duration::from_millis(1));
}

#[test]
fn says() {
    naps();
    panic!("exe\u{202e}txt. \u{1b}[2J");
}
"#;

#[test]
fn a_tests_bidi_controls_and_escapes_show_on_the_terminal_and_stay_in_the_report() {
    let dir = scratch("untrusted-text");
    let krate = tiny_crate(&dir, "untrusted", UNTRUSTED_TEXT);
    let run = run_suite(
        &dir,
        &["--path", krate.to_str().unwrap()],
        &[("INSTA_UPDATE", "no")],
    );
    assert_eq!(run.code, 1, "{}", run.explain());
    let test = run.test("says");
    assert_eq!(test["outcome"], "blocked", "{}", run.explain());
    // The exported name is no path of the crate's: the test that called it
    // is the site, and it is what the site called.
    assert_eq!(test["blocking"][0]["via"], "<img src=x onerror=alert(1)>");
    assert_eq!(test["blocking"][0]["site"], "untrusted::says");
    let message = test["message"].as_str().unwrap();
    assert!(message.contains("exe\u{202e}txt. \u{1b}[2J"), "{message:?}");

    // libtest's failure (stdout) and the summary (stderr) quote the panic;
    // libtest drops the ANSI escape from its lines, the summary shows it.
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains(['\u{202e}', '\u{1b}']),
            "{stream} has them raw: {}",
            run.explain()
        );
        assert!(
            text.contains("exe\\u{202e}txt."),
            "{stream} does not show the override: {}",
            run.explain()
        );
    }
    assert!(
        run.stderr.contains("exe\\u{202e}txt. \\u{1b}[2J"),
        "{}",
        run.explain()
    );

    // The file escapes the override; the report still holds the same string.
    let file = std::fs::read_to_string(dir.join("report.json")).unwrap();
    assert!(!file.contains('\u{202e}'), "{file}");
    assert!(file.contains("exe\\u202etxt."), "{file}");
}

// ---------------------------------------------------------------------------
// Bad input stops everything before anything runs.

/// `xtask run-suite ARGS` (no `--report` of its own), killed and failed
/// after `limit`: the bugs these guard against hung.
fn run_suite_within(dir: &Path, args: &[&str], limit: Duration) -> Run {
    use std::io::Read;
    use wait_timeout::ChildExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("run-suite")
        .args(args)
        .current_dir(root())
        .env("BLOCKGUARD_SNAPSHOTS", dir.join("snapshots"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xtask runs");
    let mut pipes = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        pipes.1.read_to_string(&mut text).map(|_| text)
    });
    let Some(status) = child.wait_timeout(limit).unwrap() else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("run-suite {args:?} still ran after {limit:?}");
    };
    let mut stdout = String::new();
    pipes.0.read_to_string(&mut stdout).unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr: stderr.join().unwrap().unwrap(),
        report: None,
    }
}

#[test]
fn libtest_flags_that_libtest_refuses_exit_2_before_anything_runs() {
    let dir = tiny_suite("libtest-refused");
    let tiny = dir.join("tiny");
    for (flags, says) in [
        (
            &["--test-threads", "0"][..],
            "argument for --test-threads must not be 0",
        ),
        (
            &["--ignored", "--include-ignored"],
            "the options --include-ignored and --ignored are mutually exclusive",
        ),
        (
            &["--format", "json"],
            "The \"json\" format is only accepted on the nightly compiler with -Z unstable-options",
        ),
    ] {
        let args = [&["--path", tiny.to_str().unwrap(), "--"][..], flags].concat();
        let run = run_suite_within(&dir, &args, Duration::from_secs(120));
        assert_eq!(run.code, 2, "{flags:?}: {}", run.explain());
        assert!(run.stderr.contains(says), "{flags:?}: {}", run.explain());
        assert!(
            !run.stdout.contains("running"),
            "{flags:?}: {}",
            run.explain()
        );
    }
}

#[test]
fn an_unwritable_report_path_exits_2_before_any_test_runs() {
    let dir = tiny_suite("unwritable-report");
    let tiny = dir.join("tiny");
    let blocker = dir.join("a-file");
    std::fs::write(&blocker, "").unwrap();
    let under_a_file = blocker.join("junit.xml");
    for (flag, path, says) in [
        (
            "--report",
            "/proc/blockguard-nope/x.json",
            "--report /proc/blockguard-nope/x.json: cannot create the folder /proc/blockguard-nope: No such file or directory (os error 2)".to_owned(),
        ),
        (
            "--junit",
            under_a_file.to_str().unwrap(),
            format!(
                "--junit {}: cannot create the folder {}: ",
                under_a_file.display(),
                blocker.display()
            ),
        ),
        (
            "--sarif",
            dir.to_str().unwrap(),
            format!("--sarif {}: is a folder; give a file path", dir.display()),
        ),
    ] {
        let args = ["--path", tiny.to_str().unwrap(), flag, path];
        let run = run_suite_within(&dir, &args, Duration::from_secs(120));
        assert_eq!(run.code, 2, "{flag}: {}", run.explain());
        assert!(run.stderr.contains(&says), "{flag}: {}", run.explain());
        assert!(
            !run.stdout.contains("running") && !run.stderr.contains("Compiling"),
            "{flag}: something ran: {}",
            run.explain()
        );
    }
}

#[test]
fn a_suite_file_crate_or_version_that_could_escape_is_refused_and_creates_nothing() {
    let dir = scratch("suite-names");
    // As a path, this name would put the scratch package in `dir/escaped-newest`.
    let escape = dir.join("escaped");
    let cases = [
        (
            "dotdot",
            "crate = \"../x\"\n".to_owned(),
            ":2:9: `suite.crate`: \"../x\" is not a crate name",
        ),
        (
            "absolute",
            format!("crate = \"{}\"\n", escape.display()),
            ":2:9: `suite.crate`: ",
        ),
        (
            "newline",
            "crate = \"x\\ny\"\n".to_owned(),
            ":2:9: `suite.crate`: \"x\\ny\" is not a crate name",
        ),
        (
            "injected_version",
            "crate = \"same-file\"\nversion = \"1.0.6\\\"\\n[dependencies.evil]\"\n".to_owned(),
            ":3:11: `suite.version`: \"1.0.6\\\"\\n[dependencies.evil]\" is not an exact version",
        ),
        (
            "feature",
            "crate = \"same-file\"\nfeatures = [\"a\\nb\"]\n".to_owned(),
            ":3:13: `suite.features`: \"a\\nb\" is not a feature name",
        ),
    ];
    for (name, suite, says) in cases {
        let file = dir.join(format!("{name}.toml"));
        std::fs::write(&file, format!("[suite]\n{suite}")).unwrap();
        let run = run_suite_within(&dir, &[file.to_str().unwrap()], Duration::from_secs(120));
        assert_eq!(run.code, 2, "{name}: {}", run.explain());
        let wanted = format!("{}{says}", file.display());
        assert!(
            run.stderr.contains(&wanted),
            "{name}: wanted {wanted:?}\n{}",
            run.explain()
        );
        assert!(
            !run.stderr.contains("fetching"),
            "{name}: {}",
            run.explain()
        );
    }
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "absolute.toml",
            "dotdot.toml",
            "feature.toml",
            "injected_version.toml",
            "newline.toml"
        ]
    );
}

#[test]
fn a_run_whose_filters_choose_no_test_fails_with_code_4_and_keeps_the_last_report() {
    let dir = scratch("no-tests");
    let args = ["fixtures/outcomes.toml", "--", "no_test_is_named_this"];
    let failed = run_suite(&dir, &args, &[]);
    assert_eq!(failed.code, 4, "{}", failed.explain());
    assert!(
        failed.report.is_none(),
        "no report is written: {}",
        failed.explain()
    );
    assert!(
        failed.stderr.contains("error: no test ran in outcomes")
            && failed.stderr.contains("--no-tests"),
        "{}",
        failed.explain()
    );

    let warn = [
        "fixtures/outcomes.toml",
        "--no-tests",
        "warn",
        "--",
        "no_test_is_named_this",
    ];
    let warned = run_suite(&dir, &warn, &[]);
    assert_eq!(warned.code, 0, "{}", warned.explain());
    assert!(
        warned.stderr.contains("warning: no test ran"),
        "{}",
        warned.explain()
    );
    assert_eq!(
        warned.report.as_ref().unwrap()["tests"],
        serde_json::json!([])
    );
    let asked = dir.join("report.json");
    assert!(
        warned
            .stderr
            .contains(&format!("report: {}", asked.display())),
        "the summary names the --report file:\n{}",
        warned.explain()
    );
    // run-suite runs no doctests, and says so.
    assert!(
        warned.report.as_ref().unwrap()["doctests_not_run"]
            .as_str()
            .is_some_and(|why| why.contains("cargo blockguard test")),
        "{}",
        warned.explain()
    );
    assert!(
        warned.stderr.contains("doctests: not run"),
        "{}",
        warned.explain()
    );

    let pass = [
        "fixtures/outcomes.toml",
        "--no-tests",
        "pass",
        "--",
        "no_test_is_named_this",
    ];
    let passed = run_suite(&dir, &pass, &[]);
    assert_eq!(passed.code, 0, "{}", passed.explain());
    assert!(
        !passed.stderr.contains("no test ran"),
        "{}",
        passed.explain()
    );
}

#[test]
fn several_filters_choose_every_test_any_of_them_matches() {
    let dir = scratch("several-filters");
    let run = run_suite(
        &dir,
        &[
            "fixtures/outcomes.toml",
            "--",
            "tests::passes",
            "tests::sleeps",
        ],
        &[],
    );
    let report = run
        .report
        .as_ref()
        .unwrap_or_else(|| panic!("{}", run.explain()));
    let mut names: Vec<&str> = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["tests::passes", "tests::sleeps"],
        "{}",
        run.explain()
    );
    assert_eq!(
        report["stale_rules"],
        serde_json::json!([]),
        "a filtered run checks no rule"
    );
}

#[test]
fn snapshots_check_compares_without_writing_and_none_takes_none() {
    let filter = ["--", "--exact", "outcomes::tests::passes"];
    let dir = scratch("snapshots-check");
    let args: Vec<&str> = ["fixtures/outcomes.toml", "--snapshots", "check"]
        .into_iter()
        .chain(filter)
        .collect();
    let checked = run_suite(&dir, &args, &[]);
    let pending: Vec<_> = walk(&dir.join("snapshots"));
    assert!(pending.is_empty(), "nothing written: {pending:?}");
    assert_eq!(
        checked.test("tests::passes")["snapshot"],
        "new",
        "{}",
        checked.explain()
    );
    assert_eq!(
        checked.code,
        1,
        "a new snapshot fails a check: {}",
        checked.explain()
    );

    let dir = scratch("snapshots-none");
    let args: Vec<&str> = ["fixtures/outcomes.toml", "--snapshots", "none"]
        .into_iter()
        .chain(filter)
        .collect();
    let none = run_suite(&dir, &args, &[]);
    assert!(walk(&dir.join("snapshots")).is_empty());
    assert_eq!(
        none.test("tests::passes")["snapshot"],
        serde_json::Value::Null
    );
    assert_eq!(none.code, 0, "{}", none.explain());
}

/// Every file under `dir` (none when it does not exist).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| match e.path().is_dir() {
            true => walk(&e.path()),
            false => vec![e.path()],
        })
        .collect()
}
