//! One libtest binary run whole, in one guarded process, as plain `cargo
//! test` runs it through the target runner.
//!
//! The binary's tests are listed first, with the caller's own filters, so
//! the guard runtime knows which test each of libtest's threads is (see
//! the runtime's `test_name`); a build listed with the same arguments
//! before is not listed again ([`list_cache`]). Every test thread is guarded, and so is
//! every thread it starts; each event says whose it is. libtest's output
//! reaches the caller unchanged; then the tests that made denied calls are
//! listed, libtest-style, and the binary fails.
//!
//! Per test: its thread's guard, its events, its verdict. Per binary: the
//! process, the trace, the exit code, and in deny mode the stop (the first
//! denied call ends the whole binary). There is no timeout: `cargo test`
//! has none.

use super::child_env::{self, Guard};
use super::judge::describe;
use crate::run_suite::build::TestBinary;
use crate::run_suite::list::list_as_run;
use crate::run_suite::list_cache;
use crate::untrusted_text;
use blockguard_protocol::exit::BLOCKED;
use blockguard_protocol::trace::SHARED_THREAD;
use blockguard_protocol::trace::Trace;
use blockguard_protocol::{Lifecycle, Mode, TraceEvent};
use std::path::Path;

/// libtest's exit code when a test failed.
const TESTS_FAILED: u8 = 101;

/// What to run, and how.
pub struct WholeBinary<'a> {
    /// The test binary.
    pub binary: &'a TestBinary,
    /// Its libtest arguments, as the caller gave them.
    pub args: &'a [String],
    /// The mode.
    pub mode: Mode,
    /// Which contexts are guarded.
    pub guard: blockguard_protocol::GuardScope,
    /// The guard runtime.
    pub preload: &'a Path,
    /// The rules file in force.
    pub rules: Option<&'a Path>,
    /// A folder of this run's own, for the test list and the trace.
    pub scratch: &'a Path,
    /// Where the guard runtime shares resolved names between runs.
    pub symbols: &'a Path,
    /// Where the lists of the binaries' tests are kept between runs.
    pub lists: &'a Path,
}

/// Why the binary could not be run guarded.
#[derive(Debug, thiserror::Error)]
pub enum WholeBinaryError {
    /// Listing its tests failed.
    #[error("cannot list the tests of {exe}: {why}")]
    List {
        /// The binary.
        exe: String,
        /// What went wrong.
        why: String,
    },
    /// A file of the run could not be written, or the binary not started.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

/// Runs the binary; the exit code for the caller.
pub fn run_whole_binary(w: &WholeBinary) -> Result<u8, WholeBinaryError> {
    let exe = w.binary.exe.display().to_string();
    let io = |what: String| move |source| WholeBinaryError::Io { what, source };
    std::fs::create_dir_all(w.scratch)
        .map_err(io(format!("cannot create {}", w.scratch.display())))?;
    let trace_path = w.scratch.join("trace.jsonl");
    let _ = std::fs::remove_file(&trace_path);
    let (list, tests) = match list_cache::get(w.lists, &w.binary.exe, w.args) {
        Some(kept) => kept,
        None => {
            let tests = list_as_run(w.binary, w.args)
                .map_err(|e| WholeBinaryError::List {
                    exe: exe.clone(),
                    why: e.to_string(),
                })?
                .map_err(|why| WholeBinaryError::List {
                    exe: exe.clone(),
                    why: why.to_string(),
                })?;
            match list_cache::put(w.lists, &w.binary.exe, w.args, &tests) {
                Some(kept) => (kept, tests),
                None => {
                    let list = w.scratch.join("tests");
                    std::fs::write(
                        &list,
                        tests.iter().map(|t| format!("{t}\n")).collect::<String>(),
                    )
                    .map_err(io(format!("cannot write {}", list.display())))?;
                    (list, tests)
                }
            }
        }
    };
    let guard = Guard {
        mode: w.mode,
        scope: w.guard,
        trace: &trace_path,
        rules: w.rules,
        farm_workers: None,
        symbols: Some(w.symbols),
    };
    let (env, remove) = child_env::assemble_whole(w.binary, &list, guard, w.preload);
    let mut command = std::process::Command::new(&w.binary.exe);
    command.args(w.args).envs(env);
    for key in remove {
        command.env_remove(key);
    }
    let status = command.status().map_err(io(format!("cannot run {exe}")))?;
    let trace = std::fs::read_to_string(&trace_path)
        .map(|text| Trace::parse(&text))
        .unwrap_or_default();
    let verdict = Verdict::of(&trace, &tests);
    // It names tests and sites the crate chose.
    let rendered = verdict.render(w.mode, status.code() == Some(0));
    print!("{}", untrusted_text::visible(&rendered));
    Ok(match status.code() {
        Some(0) if verdict.blocked.is_empty() && verdict.unloaded.is_none() => 0,
        Some(0) | Some(BLOCKED) | None => TESTS_FAILED,
        Some(code) => u8::try_from(code).unwrap_or(TESTS_FAILED),
    })
}

/// What the trace says of the binary's tests.
#[derive(Debug, Default)]
struct Verdict<'t> {
    /// Tests with denied calls, in list order, and those calls.
    blocked: Vec<(&'t str, Vec<&'t TraceEvent>)>,
    /// The test deny mode stopped, if it did.
    stopped: Option<&'t str>,
    /// Tests whose thread the guard never saw.
    unseen: Vec<&'t str>,
    /// Why the guard runtime did not load, if it did not.
    unloaded: Option<String>,
}

impl<'t> Verdict<'t> {
    fn of(trace: &'t Trace, tests: &'t [String]) -> Verdict<'t> {
        let mut verdict = Verdict::default();
        match &trace.capabilities {
            None => verdict.unloaded = Some("it wrote no trace".to_owned()),
            Some(c) if !c.interpose => {
                verdict.unloaded = Some(format!("its hooks do not work: {}", c.errors.join("; ")));
            }
            Some(_) => {}
        }
        for test in tests {
            let denied: Vec<&TraceEvent> = trace
                .events_of(test)
                .filter(|e| e.verdict == blockguard_protocol::Verdict::Denied)
                .collect();
            if !denied.is_empty() {
                verdict.blocked.push((test, denied));
            }
            match trace.by_test.get(test.as_str()) {
                Some(t) if t.lifecycle.contains(&Lifecycle::Stopped) => {
                    verdict.stopped = Some(test);
                }
                Some(t) if t.lifecycle.contains(&Lifecycle::Started) => {}
                _ => verdict.unseen.push(test),
            }
        }
        // A pool thread its test left behind: the binary's, no test's.
        let shared: Vec<&TraceEvent> = trace
            .events_of(SHARED_THREAD)
            .filter(|e| e.verdict == blockguard_protocol::Verdict::Denied)
            .collect();
        if !shared.is_empty() {
            verdict.blocked.push((SHARED_THREAD, shared));
        }
        verdict
    }

    /// What follows libtest's output: the blocked tests, as libtest lists
    /// failures. `ran_all`: the binary ran every test to its end.
    fn render(&self, mode: Mode, ran_all: bool) -> String {
        let mut out = String::new();
        if let Some(why) = &self.unloaded {
            out.push_str(&format!(
                "\nblockguard: error: the guard runtime did not run in this binary: {why}\n"
            ));
            return out;
        }
        if self.blocked.is_empty() && self.stopped.is_none() {
            if ran_all && !self.unseen.is_empty() {
                out.push_str(&format!(
                    "\nblockguard: warning: {} tests ran without the guards (their threads were not recognised): {}\n",
                    self.unseen.len(),
                    self.unseen.join(", ")
                ));
            }
            return out;
        }
        out.push_str(&format!(
            "\nblockguard ({mode} mode): denied blocking calls:\n"
        ));
        for (test, denied) in &self.blocked {
            let n = denied.len();
            let calls = if n == 1 { "call" } else { "calls" };
            let listed: Vec<String> = denied.iter().map(|e| describe(e)).collect();
            out.push_str(&format!(
                "\n---- {test} ----\nblocked: {n} denied blocking {calls}: {}\n",
                listed.join("; ")
            ));
        }
        if let Some(test) = self.stopped {
            out.push_str(&format!(
                "\nblockguard: deny mode stopped the binary at {test}'s denied call; the tests after it did not run\n"
            ));
        }
        out.push_str("\nblocked:\n");
        for (test, _) in &self.blocked {
            out.push_str(&format!("    {test}\n"));
        }
        out.push_str(&format!(
            "\nblockguard result: FAILED. {} blocked\n\n",
            self.blocked.len()
        ));
        out
    }
}
