//! End-to-end tests of `cargo xtask nightly` and `merge-reports` over the
//! fixture suites in `fixtures/nightly/` (one per verdict, and `drifting`,
//! whose tests change with the environment), and of `index.html` in
//! headless Chromium.

use crate::support::root;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A fresh folder that holds dated report folders for one test.
fn reports(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("nightly-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `xtask nightly ARGS` over the fixture suites; the exit code and stderr.
fn nightly(args: &[&str], envs: &[(&str, &str)]) -> (i32, String) {
    xtask(
        "nightly",
        &[&["--suites-dir", "fixtures/nightly", "-j", "2"], args].concat(),
        envs,
    )
}

fn xtask(command: &str, args: &[&str], envs: &[(&str, &str)]) -> (i32, String) {
    xtask_in(&root(), command, args, envs)
}

/// `xtask COMMAND ARGS` run from `cwd`.
fn xtask_in(cwd: &Path, command: &str, args: &[&str], envs: &[(&str, &str)]) -> (i32, String) {
    let snapshots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("nightly-snapshots");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg(command)
        .args(args)
        .current_dir(cwd)
        .env("BLOCKGUARD_SNAPSHOTS", snapshots)
        .env_remove("NIGHTLY_FIXTURE_DRIFT")
        .env_remove("NIGHTLY_FIXTURE_FAIL")
        .envs(envs.iter().copied())
        .output()
        .expect("xtask runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn results(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("results.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn verdict(results: &Value, suite: &str, toolchain: &str) -> String {
    results["suites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["suite"] == suite && s["toolchain"] == toolchain)
        .unwrap_or_else(|| panic!("no {suite}@{toolchain} in {results:#}"))["verdict"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// One run over every fixture suite with stable and a toolchain that is
/// not installed, shared by the tests that only read it.
fn full_run() -> &'static PathBuf {
    static RUN: OnceLock<PathBuf> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = reports("full").join("2026-11-24");
        let (code, stderr) = nightly(
            &[
                "--toolchain",
                "stable",
                "--toolchain",
                "blockguard-missing-toolchain",
                "--date",
                "2026-11-24",
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(code, 0, "{stderr}");
        out
    })
}

#[test]
fn each_verdict_comes_from_the_suite_that_earns_it() {
    let r = results(full_run());
    assert_eq!(r["schema"], "blockguard-nightly/1");
    assert_eq!(r["date"], "2026-11-24");
    for (suite, want) in [
        ("compatible", "compatible"),
        ("blocking", "blocking"),
        ("failing", "failing"),
        ("build-failed", "build-failed"),
        ("error", "error"),
        ("drifting", "compatible"),
    ] {
        assert_eq!(verdict(&r, suite, "stable"), want, "{suite}");
    }
    let blocking = r["suites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["suite"] == "blocking" && s["toolchain"] == "stable")
        .unwrap();
    assert_eq!(
        blocking["blocking_by_class"],
        serde_json::json!({"sleep": 1})
    );
    assert_eq!(
        blocking["blocking_by_context"],
        serde_json::json!({"microthread": 1})
    );
    assert_eq!(
        blocking["top_sites"],
        serde_json::json!(["clock_nanosleep at nightly_blocking::naps"])
    );
    assert!(blocking["rustc"].as_str().unwrap().starts_with("rustc "));
    assert_eq!(blocking["summary"]["blocked"], 1);
    assert_eq!(blocking["summary"]["pass"], 1);
}

#[test]
fn a_missing_toolchain_is_reported_and_the_rest_still_runs() {
    let r = results(full_run());
    for s in r["suites"].as_array().unwrap() {
        if s["toolchain"] == "blockguard-missing-toolchain" {
            assert_eq!(s["verdict"], "error", "{s:#}");
            assert!(
                s["message"]
                    .as_str()
                    .unwrap()
                    .contains("toolchain `blockguard-missing-toolchain` is not installed"),
                "{s:#}"
            );
            assert_eq!(s["rustc"], Value::Null);
        }
    }
    assert_eq!(verdict(&r, "compatible", "stable"), "compatible");
    assert_eq!(r["suites"].as_array().unwrap().len(), 12);
}

#[test]
fn markdown_and_junit_carry_every_run() {
    let dir = full_run();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("12 suite × toolchain runs: 2 compatible, 1 blocking, 1 failing, 1 build-failed, 7 error."), "{md}");
    assert!(
        md.contains("<code>nightly_failing::fails</code> fail: panicked at"),
        "{md}"
    );
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testsuite ").count(), 12, "{junit}");
    assert!(junit.contains("<failure type=\"blocked\""), "{junit}");
    assert!(junit.contains("type=\"build-failed\""), "{junit}");
}

#[test]
fn regressions_name_what_got_worse_and_what_got_better() {
    let dir = reports("regressions");
    let night = |date: &str, envs: &[(&str, &str)], extra: &[&str]| {
        let out = dir.join(date);
        let args = [
            &[
                "--suite",
                "drifting",
                "--suite",
                "compat*",
                "--date",
                date,
                "--out",
                out.to_str().unwrap(),
            ][..],
            extra,
        ]
        .concat();
        let (code, stderr) = nightly(&args, envs);
        (code, stderr, out)
    };
    let (code, stderr, first) = night("2026-11-23", &[], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(results(&first)["baseline"], Value::Null);

    // The next night the drifting suite naps and fails; the baseline is
    // found on its own, and --fail-on-regression makes it exit 1.
    let (code, stderr, second) = night(
        "2026-11-24",
        &[
            ("NIGHTLY_FIXTURE_DRIFT", "1"),
            ("NIGHTLY_FIXTURE_FAIL", "1"),
        ],
        &["--fail-on-regression"],
    );
    assert_eq!(code, 1, "{stderr}");
    let r = results(&second);
    assert_eq!(r["baseline"], "2026-11-23");
    let reg = &r["regressions"];
    let tests = |list: &str| -> Vec<(String, String, String)> {
        reg[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["test"].as_str().unwrap_or("(suite)").to_owned(),
                    c["was"].as_str().unwrap().to_owned(),
                    c["now"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        tests("newly_blocking"),
        [(
            "nightly_drifting::drifts".into(),
            "pass".into(),
            "blocked".into()
        )]
    );
    assert_eq!(
        tests("newly_failing"),
        [
            ("(suite)".into(), "compatible".into(), "failing".into()),
            (
                "nightly_drifting::fails_when_told".into(),
                "pass".into(),
                "fail".into()
            )
        ]
    );
    assert_eq!(
        reg["new_sites"],
        serde_json::json!([{"suite": "drifting", "toolchain": "stable",
                            "site": "clock_nanosleep at nightly_drifting::drifts"}])
    );
    assert_eq!(reg["fixed"], serde_json::json!([]));
    let md = std::fs::read_to_string(second.join("report.md")).unwrap();
    assert!(md.contains("Compared with 2026-11-23."), "{md}");
    assert!(
        md.contains("- drifting@stable: <code>nightly_drifting::drifts</code>: pass → blocked"),
        "{md}"
    );

    // A night later all is well again: fixed, against the newest baseline.
    let (code, stderr, third) = night("2026-11-25", &[], &["--fail-on-regression"]);
    assert_eq!(code, 0, "{stderr}");
    let r = results(&third);
    assert_eq!(r["baseline"], "2026-11-24");
    assert_eq!(
        r["regressions"]["fixed"].as_array().unwrap().len(),
        3,
        "{:#}",
        r["regressions"]
    );
}

#[test]
fn shards_merged_render_exactly_what_one_run_renders() {
    let dir = reports("shards");
    let run = |name: &str, extra: &[&str]| {
        let out = dir.join(name).join("2026-11-24");
        let args = [
            &["--date", "2026-11-24", "--out", out.to_str().unwrap()][..],
            extra,
        ]
        .concat();
        let (code, stderr) = nightly(&args, &[]);
        assert_eq!(code, 0, "{stderr}");
        out
    };
    let whole = run("whole", &[]);
    let one = run("shard-1", &["--partition", "hash:1/2"]);
    let two = run("shard-2", &["--partition", "hash:2/2"]);
    let count = |d: &Path| results(d)["suites"].as_array().unwrap().len();
    assert_eq!(count(&one) + count(&two), count(&whole));
    assert!(count(&one) > 0 && count(&two) > 0, "a shard is empty");

    let merged = dir.join("merged").join("2026-11-24");
    let (code, stderr) = xtask(
        "merge-reports",
        &[
            "--out",
            merged.to_str().unwrap(),
            two.to_str().unwrap(),
            one.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    for file in ["results.json", "report.md", "junit.xml", "index.html"] {
        let a = std::fs::read_to_string(whole.join(file)).unwrap();
        let b = std::fs::read_to_string(merged.join(file)).unwrap();
        assert!(
            a == b,
            "{file} differs between the whole run and the merged shards"
        );
    }

    // The same shard twice is refused.
    let (code, stderr) = xtask(
        "merge-reports",
        &[
            "--out",
            dir.join("twice").to_str().unwrap(),
            one.to_str().unwrap(),
            one.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is in more than one shard"), "{stderr}");
}

#[test]
fn bad_input_is_refused_before_anything_runs() {
    for (args, says) in [
        (vec!["--partition", "hash:3/2"], "expected hash:K/N"),
        (vec!["--suite", "no-such-suite"], "no such suite"),
        (vec!["--date", "yesterday"], "expected YYYY-MM-DD"),
        (
            vec!["--out", "/proc/blockguard-nope/2026-11-24"],
            "--out /proc/blockguard-nope/2026-11-24: cannot create the folder /proc/blockguard-nope/2026-11-24: No such file or directory",
        ),
    ] {
        let (code, stderr) = nightly(&args, &[]);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

// ---------------------------------------------------------------------------
// The report folder: never anything but the nightly's own files.

/// Every file under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for item in std::fs::read_dir(&d).unwrap() {
            let path = item.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap();
                found.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    found
}

/// A folder that looks like a repository checkout: suites and sources.
fn foreign_folder(dir: &Path) -> Vec<String> {
    std::fs::create_dir_all(dir.join("suites")).unwrap();
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\n").unwrap();
    std::fs::write(dir.join("suites/mine.toml"), "[suite]\npath = \"x\"\n").unwrap();
    std::fs::write(dir.join("suites/mine@stable.json"), "{}").unwrap();
    std::fs::write(dir.join("logs/mine@stable.log"), "mine").unwrap();
    files(dir)
}

/// A report of no runs (no suite matches), dated 2026-11-24; nothing runs.
fn empty_report(out: &Path) {
    let (code, stderr) = nightly(
        &[
            "--suite",
            "blockguard-matches-nothing-*",
            "--date",
            "2026-11-24",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn nightly_out_dot_is_refused_and_deletes_nothing() {
    let repo = reports("out-dot").join("checkout");
    let before = foreign_folder(&repo);
    let suites_dir = root().join("fixtures/nightly");
    let (code, stderr) = xtask_in(
        &repo,
        "nightly",
        &[
            "--suites-dir",
            suites_dir.to_str().unwrap(),
            "--suite",
            "compatible",
            "--out",
            ".",
        ],
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--out .: the folder is not empty and is not a nightly report"),
        "{stderr}"
    );
    assert_eq!(files(&repo), before, "the folder changed");
    assert!(
        !stderr.contains("compatible@stable"),
        "a suite ran: {stderr}"
    );
}

#[test]
fn merge_reports_out_of_foreign_files_is_refused_and_deletes_nothing() {
    let dir = reports("merge-foreign");
    let shard = dir.join("shard").join("2026-11-24");
    empty_report(&shard);
    let out = dir.join("checkout");
    let before = foreign_folder(&out);
    let (code, stderr) = xtask(
        "merge-reports",
        &["--out", out.to_str().unwrap(), shard.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "--out {}: the folder is not empty and is not a nightly report",
            out.display()
        )),
        "{stderr}"
    );
    assert_eq!(files(&out), before, "the folder changed");

    let (code, stderr) = xtask(
        "merge-reports",
        &[
            "--out",
            "/proc/blockguard-nope/2026-11-24",
            shard.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--out /proc/blockguard-nope/2026-11-24: cannot create the folder"),
        "{stderr}"
    );
}

#[test]
fn an_earlier_report_is_replaced_but_files_it_did_not_write_stay() {
    let dir = reports("replace");
    let out = dir.join("2026-11-24");
    let (code, stderr) = nightly(
        &[
            "--suite",
            "compatible",
            "--date",
            "2026-11-24",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    for ours in [
        "suites/compatible@stable.json",
        "logs/compatible@stable.log",
        "logs/compatible@stable.report.json",
    ] {
        assert!(out.join(ours).is_file(), "{ours} is missing");
    }
    let theirs = [
        "notes.md",
        "suites/README.md",
        "suites/other@stable.txt",
        "logs/notes.txt",
    ];
    for file in theirs {
        std::fs::write(out.join(file), "not the nightly's").unwrap();
    }
    // Known by its results.json alone, as a report from a CI artifact is.
    std::fs::remove_file(out.join(".blockguard-nightly")).unwrap();

    empty_report(&out);
    let mut want: Vec<String> = theirs.iter().map(|f| f.to_string()).collect();
    want.extend(
        [
            ".blockguard-nightly",
            "index.html",
            "junit.xml",
            "report.md",
            "results.json",
        ]
        .map(String::from),
    );
    want.sort();
    assert_eq!(files(&out), want);
    assert_eq!(results(&out)["suites"], serde_json::json!([]));
}

#[test]
fn an_empty_shard_writes_a_valid_report_that_merges_into_the_whole() {
    let dir = reports("empty-shard");
    let run = |name: &str, extra: &[&str]| {
        let out = dir.join(name).join("2026-11-24");
        let args = [
            &[
                "--suite",
                "compatible",
                "--date",
                "2026-11-24",
                "--out",
                out.to_str().unwrap(),
            ][..],
            extra,
        ]
        .concat();
        let (code, stderr) = nightly(&args, &[]);
        assert_eq!(code, 0, "{name}: {stderr}");
        out
    };
    let whole = run("whole", &[]);
    let shards = [
        run("shard-1", &["--partition", "hash:1/2"]),
        run("shard-2", &["--partition", "hash:2/2"]),
    ];
    let count = |d: &Path| results(d)["suites"].as_array().unwrap().len();
    let (empty, full): (Vec<&PathBuf>, Vec<&PathBuf>) = shards.iter().partition(|d| count(d) == 0);
    let ([empty], [full]) = (empty.as_slice(), full.as_slice()) else {
        panic!("one suite makes one empty shard of two");
    };
    let r = results(empty);
    assert_eq!(r["schema"], "blockguard-nightly/1");
    assert_eq!(r["date"], "2026-11-24");
    assert_eq!(r["regressions"]["newly_failing"], serde_json::json!([]));
    // CI artifacts keep no empty folders.
    std::fs::remove_dir(empty.join("suites")).unwrap();
    std::fs::remove_dir(empty.join("logs")).unwrap();

    let merged = dir.join("merged").join("2026-11-24");
    let (code, stderr) = xtask(
        "merge-reports",
        &[
            "--out",
            merged.to_str().unwrap(),
            empty.to_str().unwrap(),
            full.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    for file in ["results.json", "report.md", "junit.xml", "index.html"] {
        let a = std::fs::read_to_string(whole.join(file)).unwrap();
        let b = std::fs::read_to_string(merged.join(file)).unwrap();
        assert!(a == b, "{file} differs between the whole run and the merge");
    }
}

// ---------------------------------------------------------------------------
// Text the crates chose: shown, never obeyed.

/// The site of [`hostile_shard`]'s blocking call: a symbol of HTML with a
/// right-to-left override.
const HOSTILE_SITE: &str = "hostile::\u{202e}<img src=x onerror=alert(1)>";

/// A shard of one saved run (no suite runs): its test is named with a
/// right-to-left override and blocked at [`HOSTILE_SITE`], with a message
/// that would end a table cell, open a code span and clear a terminal.
/// Written as serde_json writes it, the overrides raw.
fn hostile_shard(dir: &Path) {
    let site = HOSTILE_SITE;
    let report = serde_json::json!({
        "schema": "blockguard-report/1",
        "suite": {"name": "hostile", "crate": "hostile", "version": "1.0.0", "source": "crates.io"},
        "mode": "check", "toolchain": "rustc 1.95.0", "capabilities": null,
        "build": {"status": "ok", "message": null},
        "tests": [{
            "binary": "hostile", "name": "exe\u{202e}txt.", "outcome": "blocked", "duration_ms": 1,
            "message": format!("blocked at {site} | `x` \u{1b}[2J"),
            "rule": null, "snapshot": null,
            "blocking": [{"call": "clock_nanosleep", "class": "sleep", "verdict": "denied",
                          "escaped": false, "site": site, "via": "std::thread::sleep",
                          "rule": null, "count": 1}]
        }],
        "summary": {"pass": 0, "fail": 0, "blocked": 1, "timeout": 0, "crash": 0,
                    "suppressed": 0, "ignored": 0},
        "stale_rules": []
    });
    let entry = serde_json::json!({
        "suite": "hostile", "crate": "hostile", "version": "1.0.0", "toolchain": "stable",
        "rustc": "rustc 1.95.0", "error": null, "report": report
    });
    let results = serde_json::json!({
        "schema": "blockguard-nightly/1", "date": "2026-11-24", "baseline": null,
        "suites": [{
            "suite": "hostile", "crate": "hostile", "version": "1.0.0", "toolchain": "stable",
            "rustc": "rustc 1.95.0", "verdict": "blocking", "message": null,
            "summary": report["summary"], "blocking_by_class": {}, "top_sites": []
        }],
        "regressions": {"newly_blocking": [], "newly_failing": [], "fixed": [], "new_sites": []}
    });
    std::fs::create_dir_all(dir.join("suites")).unwrap();
    std::fs::write(dir.join("suites/hostile@stable.json"), entry.to_string()).unwrap();
    std::fs::write(dir.join("results.json"), results.to_string()).unwrap();
}

#[test]
fn the_report_shows_a_crates_html_and_bidi_controls_and_obeys_neither() {
    let dir = reports("untrusted-text");
    let shard = dir.join("shard").join("2026-11-24");
    hostile_shard(&shard);
    let out = dir.join("2026-11-24");
    let (code, stderr) = xtask(
        "merge-reports",
        &["--out", out.to_str().unwrap(), shard.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let read = |file: &str| std::fs::read_to_string(out.join(file)).unwrap();

    let md = read("report.md");
    assert!(!md.contains("<img"), "{md}");
    assert!(!md.contains(['\u{202e}', '\u{1b}']), "{md}");
    assert!(
        md.contains("- top site: <code>clock_nanosleep at hostile::\\u{202e}&lt;img src=x onerror=alert(1)&gt;</code>\n"),
        "{md}"
    );
    assert!(
        md.contains("- <code>hostile::exe\\u{202e}txt.</code> blocked: blocked at hostile::\\u{202e}&lt;img src=x onerror=alert(1)&gt; &#124; &#96;x&#96; \\u{1b}&#91;2J\n"),
        "{md}"
    );

    let html = read("index.html");
    assert!(
        !html.contains("<img") && !html.contains('\u{202e}'),
        "{html}"
    );
    assert!(html.contains("hostile::exe\\u{202e}txt."), "{html}");

    // The JSON escapes the overrides and means the same strings.
    for (file, escaped) in [
        ("results.json", "hostile::\\u202e<img"),
        ("suites/hostile@stable.json", "exe\\u202etxt."),
    ] {
        let text = read(file);
        assert!(!text.contains('\u{202e}'), "{file}: {text}");
        assert!(text.contains(escaped), "{file}: {text}");
    }
    assert_eq!(
        results(&out)["suites"][0]["top_sites"][0],
        format!("clock_nanosleep at {HOSTILE_SITE}")
    );
    let entry: Value = serde_json::from_str(&read("suites/hostile@stable.json")).unwrap();
    assert_eq!(entry["report"]["tests"][0]["name"], "exe\u{202e}txt.");
}

// ---------------------------------------------------------------------------
// index.html in a real browser.

/// Headless Chromium with the flags a closed network needs; its stdout
/// and stderr.
fn chromium(profile: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium runs (install Debian's chromium package; .ci/run does)");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Console messages and failed loads in Chromium's log.
fn page_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Failed to load resource")
                || l.contains("Uncaught")
        })
        .collect()
}

#[test]
fn index_html_loads_in_chromium_without_errors_with_a_row_per_run() {
    let page = full_run().join("index.html");
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("nightly-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let profile = artifacts.join("profile");

    // The check can see a console error: a page that logs one shows it.
    let bad = artifacts.join("console-error.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><script>console.error('planted')</script>",
    )
    .unwrap();
    let (_, stderr) = chromium(
        &profile,
        &["--dump-dom", &format!("file://{}", bad.display())],
    );
    assert!(
        page_errors(&stderr).iter().any(|l| l.contains("planted")),
        "Chromium's log did not show a planted console error:\n{stderr}"
    );

    let url = format!("file://{}", page.display());
    let (dom, stderr) = chromium(&profile, &["--dump-dom", &url]);
    assert_eq!(page_errors(&stderr), Vec::<&str>::new(), "{stderr}");
    assert_eq!(dom.matches("<tr class=\"run\"").count(), 12, "{dom}");
    assert!(dom.contains("id=\"outcomes-chart\""), "{dom}");

    let shot = artifacts.join("index.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &profile,
        &[
            "--window-size=1280,1600",
            &format!("--screenshot={}", shot.display()),
            &url,
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert_eq!(&png[1..4], b"PNG");
}
