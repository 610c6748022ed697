//! The sandbox, from outside: `fixtures/escapes` tries every way out it
//! knows, under `--sandbox` and under `--no-sandbox`, and the outcomes are
//! those of its table. The host's side then looks for what the attempts
//! left behind. A run that wants the sandbox where it cannot be made stops
//! before anything runs.

use crate::support::root;

#[path = "../../../fixtures/escapes/src/expected.rs"]
mod expected;

use expected::{DAEMON_SECONDS, EXPECTED, PROBE, REPO, SECRET, SECRET_FILES, SMALL_LIMITS};
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
/// and a build while the other runs would swap its test binary; and the
/// probes found after a run are that run's.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// What a run of the fixture gave.
struct Ran {
    text: String,
    report: Option<Value>,
    /// The probe files its attempts left on the host (removed since).
    probes: Vec<PathBuf>,
}

/// The user's home for the run, with secret files in it.
fn fake_home(dir: &Path) -> PathBuf {
    let home = dir.join("home");
    for file in SECRET_FILES {
        let path = home.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("secret {file}")).unwrap();
    }
    home
}

/// The host folders an attempt may leave its probe in.
fn probed(home: &Path) -> Vec<PathBuf> {
    let target = root().join("target");
    vec![
        home.to_path_buf(),
        PathBuf::from("/etc"),
        root().join("snapshots"),
        target.join("blockguard/build"),
        target.join("blockguard/build/debug/deps"),
        target.join("blockguard/symbols"),
        target.join("blockguard/sandboxed/escapes/build/debug/deps"),
        target.join("release"),
    ]
}

/// Removes the probes in `dirs`; what was there.
fn take_probes(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in dirs {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(PROBE) {
                let _ = std::fs::remove_file(entry.path());
                found.push(entry.path());
            }
        }
    }
    found
}

/// `xtask run-suite fixtures/escapes.toml --mode audit FLAGS…`, with a
/// fake home holding secret files and a registry token in the environment
/// (as a CI exports one). The suite file passes [`REPO`] to the sandboxed
/// tests.
fn escapes(dir: &Path, flags: &[&str]) -> Ran {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let home = fake_home(dir);
    let places = probed(&home);
    take_probes(&places);
    let report = dir.join("report.json");
    let real_home = PathBuf::from(std::env::var_os("HOME").unwrap());
    let tool_home = |var: &str, default: &str| {
        std::env::var_os(var).map_or_else(|| real_home.join(default), PathBuf::from)
    };
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["run-suite", "fixtures/escapes.toml", "--mode", "audit"])
        .arg("--report")
        .arg(&report)
        .args(flags)
        .current_dir(root())
        .env("BLOCKGUARD_SNAPSHOTS", dir.join("snapshots"))
        .env(REPO, root())
        .env("HOME", &home)
        .env("CARGO_HOME", tool_home("CARGO_HOME", ".cargo"))
        .env("RUSTUP_HOME", tool_home("RUSTUP_HOME", ".rustup"))
        .env(SECRET.0, SECRET.1)
        .env_remove("INSTA_UPDATE")
        .output()
        .unwrap();
    let text = shown(&out);
    let report = std::fs::read_to_string(&report)
        .ok()
        .map(|t| serde_json::from_str(&t).unwrap());
    Ran {
        text,
        report,
        probes: take_probes(&places),
    }
}

/// A command's stdout and stderr, for a failure's message.
fn shown(out: &std::process::Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
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

/// The tests of the table whose probe a successful attempt leaves.
fn leaves_a_probe(name: &str) -> bool {
    ![
        "tests::holds_a_capability",
        "tests::sees_a_non_loopback_interface",
        "tests::has_a_default_route",
        "tests::sees_a_host_interface_in_sysfs",
        "tests::reads_the_users_secret_files",
        "tests::reads_a_secret_from_the_environment",
    ]
    .contains(&name)
        && EXPECTED.iter().any(|e| e.name == name && e.escape)
}

#[test]
fn under_the_sandbox_every_way_out_fails_and_the_controls_work() {
    let ran = escapes(&scratch("on"), &["--sandbox"]);
    let report = ran
        .report
        .unwrap_or_else(|| panic!("no report:\n{}", ran.text));
    for e in EXPECTED.iter().filter(|e| !e.limited) {
        let want = if e.escape { "fail" } else { "pass" };
        assert_eq!(outcome(&report, e.name), want, "{}:\n{}", e.name, ran.text);
    }
    // Without small limits, filling /tmp is allowed: it holds 8 GiB.
    for e in EXPECTED.iter().filter(|e| e.limited) {
        assert_eq!(
            outcome(&report, e.name),
            "pass",
            "{}:\n{}",
            e.name,
            ran.text
        );
    }
    assert!(ran.probes.is_empty(), "got out: {:?}", ran.probes);
    assert!(!ran.text.contains(SECRET.1), "{}", ran.text);
    assert!(!report.to_string().contains(SECRET.1), "{report:#}");
    daemon_did_not_outlive_its_test(&report);
}

#[test]
fn without_the_sandbox_the_same_tests_show_what_is_possible() {
    let ran = escapes(&scratch("off"), &["--no-sandbox"]);
    let report = ran
        .report
        .unwrap_or_else(|| panic!("no report:\n{}", ran.text));
    let root_user = rustix::process::geteuid().is_root();
    for e in EXPECTED {
        let works = !e.root_only || root_user;
        let want = if works { "pass" } else { "fail" };
        assert_eq!(outcome(&report, e.name), want, "{}:\n{}", e.name, ran.text);
    }
    // The binary's static constructor ran on the host, as it does when
    // it lists its tests or runs one.
    assert!(
        ran.probes
            .iter()
            .any(|p| p.ends_with(format!("{PROBE}at_start"))),
        "{:?}",
        ran.probes
    );
    // Each write that got out left its probe, found from the host's side.
    for e in EXPECTED.iter().filter(|e| leaves_a_probe(e.name)) {
        let test = e.name.trim_start_matches("tests::");
        let left = ran
            .probes
            .iter()
            .any(|p| p.ends_with(format!("{PROBE}{test}")));
        assert!(
            left || (e.root_only && !root_user),
            "{test}: {:?}",
            ran.probes
        );
    }
    daemon_did_not_outlive_its_test(&report);
}

#[test]
fn a_sandbox_that_cannot_be_made_stops_the_run_and_says_what_to_change() {
    // Inside a user namespace that may hold none of its own, as a kernel
    // that forbids them to unprivileged users would.
    let dir = scratch("refused");
    let report = dir.join("report.json");
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "--", "sh", "-c"])
        .arg("echo 0 > /proc/sys/user/max_user_namespaces && exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "run-suite",
            "--path",
            "fixtures/escapes",
            "--sandbox",
            "--report",
        ])
        .arg(&report)
        .current_dir(root())
        .env("BLOCKGUARD_SNAPSHOTS", dir.join("snapshots"))
        .output()
        .unwrap();
    let text = shown(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("the sandbox cannot be made here"), "{text}");
    assert!(
        text.contains("sysctl -w user.max_user_namespaces="),
        "{text}"
    );
    assert!(text.contains("--no-sandbox"), "{text}");
    assert!(!report.exists(), "nothing ran:\n{text}");
    assert!(!text.contains("running"), "nothing ran:\n{text}");
}

#[test]
fn a_test_that_hits_a_limit_of_the_sandbox_is_reported_as_limit() {
    let flags: Vec<&str> = std::iter::once("--sandbox").chain(SMALL_LIMITS).collect();
    let ran = escapes(&scratch("limits"), &flags);
    let report = ran
        .report
        .unwrap_or_else(|| panic!("no report:\n{}", ran.text));
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
    for name in ["tests::fills_tmp", "tests::fills_dev_shm"] {
        let message = entry(&report, name)["message"].to_string();
        assert!(
            message.contains("memory limit (134217728 bytes)") && message.contains("/tmp"),
            "{message}"
        );
    }
    assert_eq!(report["summary"]["limit"], 4);
}

#[test]
fn a_rules_file_under_the_hosts_tmp_reaches_the_sandboxed_tests() {
    let dir = scratch("rules");
    // The host's /tmp, which the sandbox's private /tmp hides.
    let rules = std::env::temp_dir().join(format!(
        "blockguard-escape-rules-{}.toml",
        std::process::id()
    ));
    std::fs::write(
        &rules,
        "[[allow]]\nclass = \"fs\"\nwithin = \"escapes::tests::holds_a_capability\"\n\
         reason = \"reads its own status\"\n",
    )
    .unwrap();
    let rules_arg = rules.to_string_lossy().into_owned();
    let ran = escapes(
        &dir,
        &[
            "--sandbox",
            "--rules",
            &rules_arg,
            "--",
            "holds_a_capability",
        ],
    );
    let _ = std::fs::remove_file(&rules);
    let report = ran
        .report
        .unwrap_or_else(|| panic!("no report:\n{}", ran.text));
    let test = entry(&report, "tests::holds_a_capability");
    assert_eq!(test["outcome"], "fail", "{test:#}");
    assert!(
        !ran.text.contains("cannot read the rules file"),
        "{}",
        ran.text
    );
    let allowed = test["blocking"].to_string();
    assert!(allowed.contains("\"allowed\""), "{test:#}");
}

/// The `run:` lines of a workflow file that fit on one line, in order.
fn run_lines(workflow: &Path) -> Vec<String> {
    std::fs::read_to_string(workflow)
        .unwrap()
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("run: "))
        .filter(|l| !l.starts_with(['>', '|']))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_nightly_workflow_allows_the_sandbox_before_its_shards_run() {
    let lines = run_lines(&root().join(".github/workflows/nightly.yml"));
    let allow: Vec<&String> = lines.iter().filter(|l| l.contains("userns")).collect();
    assert_eq!(allow.len(), 1, "{lines:?}");
    assert!(
        allow[0].contains("sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"),
        "{}",
        allow[0]
    );
    // As written, with `sudo` as GitHub's runners have it (here we are
    // root, and may have no sudo).
    let dir = scratch("workflow");
    let shim = dir.join("bin");
    std::fs::create_dir_all(&shim).unwrap();
    let sudo = shim.join("sudo");
    std::fs::write(&sudo, "#!/bin/sh\nexec \"$@\"\n").unwrap();
    std::fs::set_permissions(&sudo, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = std::env::join_paths(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).chain([shim]),
    )
    .unwrap();
    let out = Command::new("sh")
        .args(["-c", allow[0]])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Then a sandboxed test runs.
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "run-suite",
            "--path",
            "fixtures/escapes",
            "--mode",
            "audit",
            "--report",
        ])
        .arg(dir.join("report.json"))
        .args([
            "--sandbox",
            "--",
            "--exact",
            "escapes::tests::writes_its_own_tmp",
        ])
        .current_dir(root())
        .env("BLOCKGUARD_SNAPSHOTS", dir.join("snapshots"))
        .env_remove("INSTA_UPDATE")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
