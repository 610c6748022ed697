//! Builds the guard runtime and the blocking zoo, and runs one zoo test per
//! child process under the runtime, the way the runner does.

use blockguard_protocol::env;
use blockguard_protocol::trace::{Trace, TraceEvent};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;
use wait_timeout::ChildExt;

use crate::expected::{EXPECTED, Ev, Expected};

/// How long one zoo test may run before it is killed.
const TIMEOUT: Duration = Duration::from_secs(60);

/// How many zoo tests one property runs at a time.
const PARALLEL: usize = 3;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace());
    cmd
}

/// Runs a cargo command with `--message-format=json` and returns the
/// `compiler-artifact` messages of the target named `target`.
fn artifacts(mut cmd: Command, target: &str) -> Vec<Value> {
    let out = cmd
        .arg("--message-format=json")
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo");
    assert!(out.status.success(), "{cmd:?} failed: {}", out.status);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|v| v["reason"] == "compiler-artifact" && v["target"]["name"] == target)
        .collect()
}

/// The guard runtime, built once per test process.
pub fn preload() -> &'static Path {
    static SO: OnceLock<PathBuf> = OnceLock::new();
    SO.get_or_init(|| {
        let mut cmd = cargo();
        cmd.args(["build", "--release", "-p", "blockguard-preload"]);
        let found = artifacts(cmd, "blockguard_preload")
            .iter()
            .flat_map(|a| a["filenames"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f.as_str().map(PathBuf::from))
            .find(|f| f.extension().is_some_and(|e| e == "so"));
        found.unwrap_or_else(|| workspace().join("target/release/libblockguard_preload.so"))
    })
}

/// The zoo's libtest binary, built once per test process.
pub fn zoo_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let mut cmd = cargo();
        cmd.args(["test", "--no-run", "--manifest-path"])
            .arg(workspace().join("fixtures/blocking-zoo/Cargo.toml"))
            .env("CARGO_TARGET_DIR", workspace().join("target/fixtures"));
        artifacts(cmd, "blocking_zoo")
            .iter()
            .filter(|a| a["profile"]["test"] == true)
            .find_map(|a| a["executable"].as_str().map(PathBuf::from))
            .expect("the zoo's test executable")
    })
}

/// One zoo test's run.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub trace: Trace,
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// The denied events as comparable tuples.
    pub fn denied(&self) -> BTreeSet<Key> {
        self.trace.denied().map(key).collect()
    }

    /// Everything a reader needs to see why a check failed.
    pub fn dump(&self) -> String {
        let events: Vec<String> = self
            .trace
            .events
            .iter()
            .map(|e| serde_json::to_string(e).unwrap_or_default())
            .collect();
        format!(
            "      status: {}\n      events:\n        {}\n      lifecycle: {:?}\n      stdout: {}\n      stderr: {}",
            self.status,
            events.join("\n        "),
            self.trace.lifecycle,
            indent(&self.stdout),
            indent(&self.stderr),
        )
    }
}

fn indent(text: &str) -> String {
    text.trim_end().replace('\n', "\n        ")
}

/// An event as compared with the table: (call, class, escaped, site, via).
pub type Key = (String, String, bool, String, String);

pub fn key(e: &TraceEvent) -> Key {
    let class = e.class.as_str().to_owned();
    (
        e.call.clone(),
        class,
        e.escaped,
        e.site.clone(),
        e.via.clone(),
    )
}

pub fn expected_key(e: &Ev) -> Key {
    let (call, class, site, via) = (e.call, e.class, e.site, e.via);
    (
        call.into(),
        class.into(),
        e.escaped,
        site.into(),
        via.into(),
    )
}

/// A fresh path for one run's trace.
fn trace_path() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("blockguard-zoo-{}-{n}.jsonl", std::process::id()))
}

/// Runs one zoo test in its own process: under the guard runtime in `mode`,
/// or plainly when `mode` is `None`.
pub fn run(test: &str, mode: Option<&str>, rules: Option<&Path>) -> Run {
    let mut cmd = Command::new(zoo_exe());
    cmd.args(["--exact", test, "--nocapture"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "LD_PRELOAD",
        env::MODE,
        env::TRACE,
        env::RULES,
        env::TEST,
        env::BINARY,
    ] {
        cmd.env_remove(var);
    }
    let trace_file = mode.map(|mode| {
        let path = trace_path();
        cmd.env("LD_PRELOAD", preload())
            .env(env::MODE, mode)
            .env(env::TRACE, &path)
            .env(env::TEST, test)
            .env(env::BINARY, "blocking_zoo");
        if let Some(rules) = rules {
            cmd.env(env::RULES, rules);
        }
        path
    });
    let mut child = cmd.spawn().expect("spawn the zoo");
    let (stdout, stderr) = (drain(&mut child, true), drain(&mut child, false));
    let (status, timed_out) = match child.wait_timeout(TIMEOUT).expect("wait") {
        Some(status) => (status, false),
        None => {
            let _ = child.kill();
            (child.wait().expect("wait after kill"), true)
        }
    };
    let mut stderr = stderr.join().expect("stderr reader");
    if timed_out {
        stderr.push_str(&format!("\n(killed after {TIMEOUT:?})"));
    }
    let trace = trace_file.map_or_else(Trace::default, |path| {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let _ = std::fs::remove_file(&path);
        Trace::parse(&text)
    });
    let stdout = stdout.join().expect("stdout reader");
    Run {
        status,
        stdout,
        stderr,
        trace,
    }
}

/// Reads one of the child's pipes to the end on its own thread, so that
/// neither pipe can fill up and stall the child.
fn drain(child: &mut Child, stdout: bool) -> thread::JoinHandle<String> {
    let mut pipe: Box<dyn Read + Send> = if stdout {
        Box::new(child.stdout.take().expect("piped stdout"))
    } else {
        Box::new(child.stderr.take().expect("piped stderr"))
    };
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Runs `check` on every entry of `entries`, a few at a time, and fails
/// once with every problem found, each under its test's name.
pub fn check_all<'a, I, F>(entries: I, check: F)
where
    I: IntoIterator<Item = &'a Expected>,
    F: Fn(&Expected) -> Vec<String> + Sync,
{
    let entries: Vec<&Expected> = entries.into_iter().collect();
    let next = AtomicUsize::new(0);
    let mut failures: Vec<(usize, String)> = thread::scope(|scope| {
        let workers: Vec<_> = (0..PARALLEL)
            .map(|_| {
                scope.spawn(|| {
                    let mut found = Vec::new();
                    while let Some(entry) = entries.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let problems = check(entry);
                        if !problems.is_empty() {
                            let index = EXPECTED.iter().position(|e| e.test == entry.test);
                            let text = format!("{}:\n  - {}", entry.test, problems.join("\n  - "));
                            found.push((index.unwrap_or(usize::MAX), text));
                        }
                    }
                    found
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    });
    failures.sort();
    let report: Vec<String> = failures.into_iter().map(|(_, text)| text).collect();
    assert!(
        report.is_empty(),
        "{} zoo test(s) wrong:\n{}",
        report.len(),
        report.join("\n")
    );
}

/// Compares the denied events of a run with the declared ones.
pub fn compare_denied(run: &Run, declared: &[Ev]) -> Option<String> {
    let want: BTreeSet<Key> = declared.iter().map(expected_key).collect();
    let got = run.denied();
    (want != got).then(|| {
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        format!("denied events differ\n    missing: {missing:?}\n    unexpected: {extra:?}")
    })
}

/// The entry of the table for `test`.
pub fn entry(test: &str) -> &'static Expected {
    EXPECTED
        .iter()
        .find(|e| e.test == test)
        .unwrap_or_else(|| panic!("{test} is not in EXPECTED"))
}
