//! Builds the guard runtime and a fixture, and runs one fixture test per
//! child process under the runtime, the way the runner does.
// Each test crate uses its own part of this.
#![allow(dead_code)]

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

/// How long one fixture test may run before it is killed.
const TIMEOUT: Duration = Duration::from_secs(60);

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

/// A fixture's libtest binary for its library target `target`, built
/// with cargo's test profile into `target/fixtures`.
pub fn fixture_exe(fixture: &str, target: &str) -> PathBuf {
    let mut cmd = cargo();
    cmd.args(["test", "--no-run", "--manifest-path"])
        .arg(
            workspace()
                .join("fixtures")
                .join(fixture)
                .join("Cargo.toml"),
        )
        .env("CARGO_TARGET_DIR", workspace().join("target/fixtures"));
    artifacts(cmd, target)
        .iter()
        .filter(|a| a["profile"]["test"] == true)
        .find_map(|a| a["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("{fixture}'s test executable"))
}

/// One fixture test's run.
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

/// A fresh path for one run's trace.
pub fn trace_path() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "blockguard-fixture-{}-{n}.jsonl",
        std::process::id()
    ))
}

/// The command for one test of `exe` (cargo target `binary`, of the
/// fixture whose folder is `binary` with `-` for `_`): under the guard
/// runtime in `mode`, tracing to the path returned, or plainly when `mode`
/// is `None`. The fixture is the code under test, as the runner says.
pub fn command(
    exe: &Path,
    binary: &str,
    test: &str,
    mode: Option<&str>,
    rules: Option<&Path>,
) -> (Command, Option<PathBuf>) {
    let mut cmd = Command::new(exe);
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
        env::SYMBOLS,
        env::UNDER_TEST,
    ] {
        cmd.env_remove(var);
    }
    let trace_file = mode.map(|mode| {
        let path = trace_path();
        cmd.env("LD_PRELOAD", preload())
            .env(env::MODE, mode)
            .env(env::TRACE, &path)
            .env(env::TEST, test)
            .env(env::BINARY, binary)
            .env(env::UNDER_TEST, under_test(binary));
        if let Some(rules) = rules {
            cmd.env(env::RULES, rules);
        }
        path
    });
    (cmd, trace_file)
}

/// The fixture of cargo target `binary` as the code under test.
pub fn under_test(binary: &str) -> String {
    let root = workspace().join("fixtures").join(binary.replace('_', "-"));
    blockguard_protocol::under_test::encode(&[blockguard_protocol::under_test::Package {
        crates: vec![binary.to_owned()],
        root: Some(root),
    }])
}

/// Reads a trace (empty when there is none) and removes it and its side
/// files (in-flight, tally, board).
pub fn take_trace(path: &Path) -> Trace {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let _ = std::fs::remove_file(path);
    for side in blockguard_protocol::side_files(path) {
        let _ = std::fs::remove_file(side);
    }
    Trace::parse(&text)
}

/// Runs one test of `exe` in its own process (see [`command`]).
pub fn run(exe: &Path, binary: &str, test: &str, mode: Option<&str>, rules: Option<&Path>) -> Run {
    let (cmd, trace_file) = command(exe, binary, test, mode, rules);
    run_command(cmd, trace_file)
}

/// The same, sharing resolved names with other processes through `symbols`.
pub fn run_sharing_names(exe: &Path, binary: &str, test: &str, mode: &str, symbols: &Path) -> Run {
    let (mut cmd, trace_file) = command(exe, binary, test, Some(mode), None);
    cmd.env(env::SYMBOLS, symbols);
    run_command(cmd, trace_file)
}

fn run_command(mut cmd: Command, trace_file: Option<PathBuf>) -> Run {
    let mut child = cmd.spawn().expect("spawn the fixture");
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
    let trace = trace_file.map_or_else(Trace::default, |path| take_trace(&path));
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
pub fn drain(child: &mut Child, stdout: bool) -> thread::JoinHandle<String> {
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
