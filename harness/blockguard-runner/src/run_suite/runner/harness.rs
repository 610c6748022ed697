//! The front end: a libtest-mimic harness with one trial per test, named
//! `binary::test`, so the output reads like `cargo test` and libtest's
//! flags (filter, --exact, --skip, --ignored, --include-ignored, --list,
//! --format, --test-threads) work. Each trial runs its test in a guarded
//! child process, judges it, applies suppression and asserts its snapshot.

use super::budget;
use super::child_env::{self, Guard};
use super::judge::{Evidence, judge, suppressible};
use crate::events::{Following, RunEvents};
use crate::process::interrupt;
use crate::process::launch_server::LaunchServer;
use crate::process::ns_holder::Holder;
use crate::process::{Contain, Ended, Finished, Join, Launch, spawn_and_wait};
use crate::run_suite::console::Console;
use crate::run_suite::file_name;
use crate::run_suite::libtest::Libtest;
use crate::run_suite::list::Listed;
use crate::run_suite::rules::Rules;
use crate::run_suite::snapshot::Snapshots;
use crate::schema::{
    Attempt, ObservedCall, Outcome, Progress, RunEvent, SnapshotState, TestKey, TestRecord,
};
use crate::untrusted_file;
use blockguard_protocol::trace::Trace;
use blockguard_protocol::{GuardScope, Mode};
use libtest_mimic::{ColorSetting, Completion, Failed, FormatSetting, Trial};
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
/// Everything a run needs.
pub struct Plan {
    /// The listed binaries.
    pub binaries: Vec<Listed>,
    /// The guard mode.
    pub mode: Mode,
    /// Which contexts are guarded.
    pub guard: GuardScope,
    /// The per-test timeout.
    pub timeout: Duration,
    /// Tests at once, unless `--test-threads` says otherwise.
    pub jobs: usize,
    /// The guard runtime, or `None` to run unguarded.
    pub preload: Option<PathBuf>,
    /// `blockguard-contain`, which every test runs under; `None` runs them
    /// as plain children.
    pub launcher: Option<PathBuf>,
    /// The rules in force (their path absolute).
    pub rules: Rules,
    /// Where the trace files go.
    pub traces: PathBuf,
    /// Where the guard runtime shares the names it resolved, between the
    /// test processes and from one run to the next.
    pub symbols: Option<PathBuf>,
    /// The suite's snapshots; `None` when unguarded.
    pub snapshots: Option<Snapshots>,
    /// New snapshots fail too.
    pub strict: bool,
    /// With the sandbox: the only variables of ours the tests start from
    /// ([`crate::sandbox_env`]); `None` starts them from all of ours.
    pub env_base: Option<Vec<(OsString, OsString)>>,
    /// Variables to keep from the children (ones xtask set for itself).
    pub env_remove: Vec<&'static str>,
    /// Farm mode's worker count, when set.
    pub farm_workers: Option<u16>,
    /// How many times a failing test runs again.
    pub retries: u32,
    /// Where the run's events go: the console, the report, the dashboard.
    pub events: RunEvents,
    /// With the sandbox: the pid holding the run's sandbox and its PID
    /// namespace.
    pub sandbox: Option<u32>,
    /// With the sandbox: its resource limits.
    pub limits: Option<blockguard_protocol::sandbox::Limits>,
}

/// What a run produced besides its events.
pub struct RunResults {
    /// No filter, no --skip, no --ignored: every rule had its chance.
    pub unfiltered: bool,
}

/// The message of a test an interruption kept from starting.
pub const NOT_RUN_INTERRUPTED: &str = "not run: the run was interrupted";

struct Shared {
    plan: Plan,
    console: Arc<Console>,
    /// The running tests' traces, read as they grow.
    following: Arc<Following>,
    /// Forks each test's launcher; without it (none could start, or
    /// only listing) each launcher is spawned.
    server: Option<Arc<LaunchServer>>,
    /// The namespaces every test joins: the sandbox's, or without it the
    /// PID namespace `_pids` holds.
    join: Option<Join>,
    /// Without the sandbox: the holder of the run's PID namespace. When
    /// none could be made, each launcher tries one of its own, and says
    /// why not in its status.
    _pids: Option<Holder>,
}

/// Runs (or, with `--list`, lists) the plan's tests.
pub fn run(plan: Plan, mut args: Libtest, console: &Arc<Console>) -> RunResults {
    let unfiltered = args.unfiltered();
    if args.test_threads.is_none() {
        args.test_threads = Some(plan.jobs);
    }
    // Started here, on the thread that outlives the run: the server dies
    // with the thread that started it.
    let server = match (&plan.launcher, args.list) {
        (Some(launcher), false) if LaunchServer::wanted() => {
            LaunchServer::start(launcher, plan.env_base.as_deref())
                .ok()
                .map(Arc::new)
        }
        _ => None,
    };
    let pids = match (&plan.launcher, plan.sandbox, args.list) {
        (Some(launcher), None, false) => Holder::pids(launcher).ok(),
        _ => None,
    };
    let join = match plan.sandbox {
        Some(holder) => Some(Join::Sandbox(holder)),
        None => pids.as_ref().map(|p| Join::Pids(p.pid())),
    };
    let shared = Arc::new(Shared {
        server,
        join,
        _pids: pids,
        following: Following::start(&plan.events),
        plan,
        console: Arc::clone(console),
    });
    // Each trial beside its test's key: the key is made here, once, and
    // never read back from the trial's name.
    let mut trials: Vec<(Trial, TestKey)> = Vec::new();
    let mut index = 0usize;
    for (b, listed) in shared.plan.binaries.iter().enumerate() {
        let binary = &listed.binary;
        if let Some(error) = &listed.error {
            let key = TestKey::new(&binary.package.0, &binary.name, "--list");
            let message = format!("cannot list this binary's tests: {error}");
            let (shared, trial_key) = (Arc::clone(&shared), key.clone());
            let trial = Trial::ignorable_test(key.to_string(), move || {
                let mut record = TestRecord::ignored(trial_key.clone());
                record.outcome = Outcome::Fail;
                record.message = Some(message.clone());
                shared.finish(record, "")
            });
            trials.push((trial, key));
            continue;
        }
        for (t, (test, ignored)) in listed.tests.iter().enumerate() {
            let key = TestKey::new(&binary.package.0, &binary.name, test);
            let (shared, trial_key) = (Arc::clone(&shared), key.clone());
            let trace = index;
            index += 1;
            let trial = Trial::ignorable_test(key.to_string(), move || {
                let (record, stderr) = shared.run_one(&trial_key, b, t, trace);
                shared.finish(record, &stderr)
            });
            trials.push((trial.with_ignored_flag(*ignored), key));
        }
    }

    if !args.list {
        let events = &shared.plan.events;
        let chosen = |t: &Trial| !args.is_filtered_out(t) && args.filters_choose(t.name());
        for (trial, key) in trials.iter().filter(|(t, _)| chosen(t)) {
            // A test that passes the filters but is ignored never reaches
            // its trial.
            let event = match args.is_ignored(trial) {
                true => RunEvent::TestFinished {
                    record: Box::new(TestRecord::ignored(key.clone())),
                    stderr_tail: String::new(),
                },
                false => RunEvent::TestQueued { key: key.clone() },
            };
            events.emit(&event);
        }
    }
    // More than one filter: libtest-mimic filters by none, so the run
    // hands it only the tests they choose.
    let trials: Vec<Trial> = trials
        .into_iter()
        .map(|(trial, _)| trial)
        .filter(|trial| args.filters_choose(trial.name()))
        .collect();

    // libtest's lines name the tests and quote their failures: they go
    // through the console, which shows what the crate chose safely. Not a
    // `--list`, which programs read to ask for a test by its exact name
    // (unless stdout is kept for cargo's messages), nor the caller's own
    // `--logfile`.
    let pipe = if (!args.list || console.stdout_reserved()) && args.logfile.is_none() {
        let json = matches!(args.format, Some(FormatSetting::Json));
        console.libtest_pipe(json).ok()
    } else {
        None
    };
    if let Some(pipe) = &pipe {
        args.logfile = Some(pipe.path.clone());
        // Escaped, libtest's own colours would show as `\u{1b}[32m`.
        args.color = Some(ColorSetting::Never);
    }
    // The exit code comes from the records (suppressed, snapshots), not
    // from libtest-mimic's conclusion.
    let _ = libtest_mimic::run(&args.args, trials);
    if let Some(pipe) = pipe {
        pipe.finish();
    }
    console.finish_run();
    RunResults { unfiltered }
}

impl Shared {
    /// Says how a test ended, and tells libtest.
    fn finish(&self, record: TestRecord, stderr: &str) -> Result<Completion, Failed> {
        let result = libtest_result(&record);
        self.plan.events.emit(&RunEvent::TestFinished {
            record: Box::new(record),
            stderr_tail: stderr.to_owned(),
        });
        result
    }

    /// Runs one test, and again while it fails and retries are left. Only
    /// the last run is compared with the snapshot, and only if it ran to
    /// its end; a test that passes after failing is flaky.
    fn run_one(
        &self,
        key: &TestKey,
        b: usize,
        t: usize,
        trace_index: usize,
    ) -> (TestRecord, String) {
        let mut attempts = Vec::new();
        loop {
            let ran = self.attempt(key, b, t, trace_index);
            let mut record = ran.record;
            let retry = record.outcome.is_failure()
                && attempts.len() < self.plan.retries as usize
                && record.message.as_deref() != Some(NOT_RUN_INTERRUPTED)
                && interrupt::signal().is_none();
            if self.plan.retries > 0 && record.outcome != Outcome::Ignored {
                attempts.push(Attempt {
                    outcome: record.outcome,
                    duration_ms: u64::try_from(record.duration.as_millis()).unwrap_or(u64::MAX),
                    message: record.message.clone(),
                });
            }
            if retry {
                continue;
            }
            if ran.whole {
                self.snapshot_into(&mut record, &ran.trace);
            }
            if record.outcome == Outcome::Pass && attempts.len() > 1 {
                record.outcome = Outcome::Flaky;
                let failed = attempts.len() - 1;
                record.message = Some(format!("failed {failed} time(s), then passed"));
            }
            if attempts.len() > 1 {
                record.attempts = attempts;
            }
            return (record, ran.stderr);
        }
    }

    /// One run of one test.
    fn attempt(&self, key: &TestKey, b: usize, t: usize, trace_index: usize) -> Ran {
        let plan = &self.plan;
        let listed = &plan.binaries[b];
        let binary = &listed.binary;
        let (test, ignored) = &listed.tests[t];
        let mut record = TestRecord::ignored(key.clone());
        if interrupt::signal().is_some() {
            record.outcome = Outcome::Fail;
            record.message = Some(NOT_RUN_INTERRUPTED.to_owned());
            return Ran::cut_short(record);
        }

        let trace_path = plan
            .traces
            .join(file_name::for_name(&binary.name))
            .join(format!("{trace_index}.jsonl"));
        // The runtime appends: what an earlier run wrote must go. The files
        // are emptied, not removed (see `traces`).
        untrusted_file::clear(&trace_path);
        for side in blockguard_protocol::side_files(&trace_path) {
            untrusted_file::clear(&side);
        }
        if let Some(dir) = trace_path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }

        let guard = plan.preload.is_some().then(|| Guard {
            mode: plan.mode,
            scope: plan.guard,
            trace: &trace_path,
            rules: plan.rules.path(),
            farm_workers: plan.farm_workers,
            symbols: plan.symbols.as_deref(),
        });
        let (mut env, env_remove) = child_env::assemble(binary, test, guard, &plan.env_remove);
        // The launcher must not load the runtime itself: it gets the
        // library as an argument and sets LD_PRELOAD for the test alone.
        let contain = plan.launcher.as_ref().map(|launcher| Contain {
            launcher: launcher.clone(),
            preload: plan.preload.clone(),
            status: trace_path.with_extension("contain.json"),
            join: self.join,
            limits: plan.limits,
            server: self.server.clone(),
        });
        if let (None, Some(preload)) = (&contain, &plan.preload) {
            env.push(("LD_PRELOAD".into(), preload.clone().into()));
        }
        let launch = Launch {
            exe: binary.exe.clone(),
            args: if binary.libtest {
                child_args(test, *ignored)
            } else {
                Vec::new()
            },
            cwd: binary.package_dir.clone(),
            env_base: plan.env_base.clone(),
            env,
            env_remove,
            timeout: plan.timeout,
            contain,
            read_at_timeout: plan
                .preload
                .is_some()
                .then(|| blockguard_protocol::inflight::path(&trace_path)),
            label: key.to_string(),
            log: None,
        };
        plan.events
            .emit(&RunEvent::TestStarted { key: key.clone() });
        if plan.preload.is_some() {
            self.following.begin(key, &trace_path);
        }
        let spawned = spawn_and_wait(&launch);
        // The trace is read to its end once, here.
        let reader = self.following.end(key);
        let calls = reader.as_ref().map(|r| r.calls()).unwrap_or_default();
        let trace = reader.map(|r| r.into_trace()).unwrap_or_default();
        let finished = match spawned {
            Ok(finished) => finished,
            Err(e) => {
                record.outcome = Outcome::Fail;
                record.message = Some(e.to_string());
                return Ran::cut_short(record);
            }
        };
        plan.events.emit(&RunEvent::TestProgress {
            key: key.clone(),
            progress: Progress {
                calls: calls.clone(),
                ..Progress::default()
            },
        });
        self.judge_into(&mut record, &finished, &trace, calls);
        record.leaked = finished.leaked.clone();
        if let Some(why) = &finished.uncontained {
            self.console.warn_once(format!(
                "tests are not contained (a process a test leaves behind may outlive it): {why}"
            ));
        }
        let failed_too = finished.stdout.contains("test result: FAILED");
        let whole = ran_to_its_end(record.outcome, self.plan.mode, failed_too);
        Ran {
            record,
            trace,
            whole,
            stderr: finished.stderr,
        }
    }

    fn judge_into(
        &self,
        record: &mut TestRecord,
        finished: &Finished,
        trace: &Trace,
        calls: Vec<ObservedCall>,
    ) {
        let plan = &self.plan;
        let judged = judge(&Evidence {
            ended: finished.ended,
            stdout: &finished.stdout,
            stderr: &finished.stderr,
            trace,
            guarded: plan.preload.is_some(),
            mode: plan.mode,
            timeout: plan.timeout,
            in_flight: finished.at_timeout.as_deref(),
            limits: plan.limits,
            filled_tmp: finished.filled_tmp,
        });
        record.outcome = judged.outcome;
        record.message = judged.message;
        record.duration = match finished.ended {
            Ended::TimedOut => plan.timeout,
            _ => finished.duration,
        };
        record.capabilities = trace.capabilities.clone();
        record.matched_rules = trace
            .events
            .iter()
            .filter_map(|e| e.rule_id.clone())
            .collect();
        record.blocking = calls.into_iter().map(|c| c.call).collect();
        if let Some(budget) = plan.rules.budget(&record.key) {
            let used = budget::used(&record.blocking, budget);
            record.budget = Some(used);
            let enforcing = matches!(plan.mode, Mode::Check | Mode::Deny);
            if enforcing && used.is_over() {
                let why = budget::over_message(used, &record.blocking);
                record.message = Some(match (record.outcome, record.message.take()) {
                    (Outcome::Pass, _) | (_, None) => why,
                    (_, Some(before)) => format!("{before}; {why}"),
                });
                if record.outcome == Outcome::Pass {
                    record.outcome = Outcome::Blocked;
                }
            }
        }
        if suppressible(record.outcome) {
            let text = format!(
                "{}\n{}",
                record.message.as_deref().unwrap_or_default(),
                finished.stderr
            );
            if let Some(rule) = plan.rules.suppress(&record.key, &text) {
                record.outcome = Outcome::Suppressed;
                record.rule = Some(rule.reason.clone());
                record.matched_rules.insert(rule.id.clone());
            }
        }
    }

    fn snapshot_into(&self, record: &mut TestRecord, trace: &Trace) {
        let Some(snapshots) = &self.plan.snapshots else {
            return;
        };
        match snapshots.check(&record.key, &trace.events) {
            Ok(checked) => {
                record.snapshot = Some(checked.state);
                record.snapshot_failed = checked.fails_run(self.plan.strict);
                if !checked.diff.is_empty() {
                    let mut text = format!("snapshot of {} changed:\n", record.key);
                    for line in &checked.diff {
                        text.push_str("  ");
                        text.push_str(line);
                        text.push('\n');
                    }
                    self.console.block(&text);
                }
            }
            Err(e) => self.console.warn(e.to_string()),
        }
    }
}

/// One run of one test: its record, its trace, whether it ran to its end
/// (so that its calls may be compared with the snapshot) and its stderr.
struct Ran {
    record: TestRecord,
    trace: Trace,
    whole: bool,
    stderr: String,
}

impl Ran {
    /// A run that did not get as far as its process.
    fn cut_short(record: TestRecord) -> Ran {
        Ran {
            record,
            trace: Trace::default(),
            whole: false,
            stderr: String::new(),
        }
    }
}

/// Whether a test's calls are those of a whole run of its body, to compare
/// with its snapshot. A failure (also one a suppress rule names, or one
/// behind a `blocked` outcome), a timeout or a crash cut the run short at a
/// point that varies, and a test stopped by `deny` made only its first
/// denied call. Their accepted snapshots stay as they are.
fn ran_to_its_end(outcome: Outcome, mode: Mode, failed_too: bool) -> bool {
    match outcome {
        Outcome::Pass | Outcome::Flaky | Outcome::Ignored => true,
        Outcome::Blocked => mode != Mode::Deny && !failed_too,
        Outcome::Fail
        | Outcome::Timeout
        | Outcome::Crash
        | Outcome::Limit
        | Outcome::Suppressed => false,
    }
}

/// `<exe> --exact <name> --nocapture`; an ignored test (run because of
/// `--ignored` or `--include-ignored`) needs `--ignored` too, or libtest in
/// the child skips it and exits 0 without running its body.
fn child_args(test: &str, ignored: bool) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["--exact".into(), test.into(), "--nocapture".into()];
    if ignored {
        args.push("--ignored".into());
    }
    args
}

/// How libtest shows a record: failures fail, `suppressed` shows as ignored
/// with its reason (it must never read as a pass), a failing snapshot
/// fails an otherwise passing test.
fn libtest_result(record: &TestRecord) -> Result<Completion, Failed> {
    let message = record.message.as_deref().unwrap_or_default();
    match record.outcome {
        o if o.is_failure() => Err(format!("{o}: {message}").into()),
        Outcome::Suppressed => Ok(Completion::ignored_with(format!(
            "suppressed: {}",
            record.rule.as_deref().unwrap_or_default()
        ))),
        _ if record.snapshot_failed => {
            let state = match record.snapshot {
                Some(SnapshotState::New) => "new",
                _ => "changed",
            };
            Err(format!("snapshot {state}: review it with `cargo insta review`").into())
        }
        _ => Ok(Completion::Completed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_runs_are_compared_with_snapshots() {
        for mode in [Mode::Audit, Mode::Check, Mode::Deny, Mode::Farm] {
            assert!(ran_to_its_end(Outcome::Pass, mode, false));
            for cut_short in [
                Outcome::Fail,
                Outcome::Timeout,
                Outcome::Crash,
                Outcome::Suppressed,
            ] {
                assert!(
                    !ran_to_its_end(cut_short, mode, true),
                    "{cut_short} in {mode}"
                );
            }
        }
        assert!(ran_to_its_end(Outcome::Blocked, Mode::Check, false));
        assert!(!ran_to_its_end(Outcome::Blocked, Mode::Check, true));
        assert!(!ran_to_its_end(Outcome::Blocked, Mode::Deny, false));
    }
}
