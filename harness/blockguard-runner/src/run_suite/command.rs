//! The run-suite pipeline from start to end, and its exit code.

use super::build::{Built, build};
use super::closing::write_reports;
use super::console::Console;
use super::doctests::{self, DoctestPlan};
use super::error::RunSuiteError;
use super::layout::Layout;
use super::libtest::libtest_args;
use super::list::list_in;
use super::package_sources::sources;
use super::preload::{Runtime, RuntimeBuild};
use super::resolve::local::Selection;
use super::resolve::{ResolveError, Resolved, Spec, resolve};
use super::rules::Rules;
use super::runner::{self, Plan, interrupt};
use super::sandbox_paths;
use super::snapshot::Snapshots;
use super::timeout::DEFAULT_TIMEOUT;
use super::traces;
use crate::diagnostics::cargo_json;
use crate::env::Env;
use crate::events::feed::FeedWriter;
use crate::events::{Collected, RunEvents, RunListener};
use crate::live::dashboard::Dashboard;
use crate::options::{MessageFormat, NoTests, RunOptions, RunSuiteArgs, SnapshotMode};
use crate::process::{Contain, Join};
use crate::sandbox::Sandbox;
use crate::sandbox_env::SandboxEnv;
use crate::schema::exit;
use crate::schema::{
    BuildInfo, BuildStatus, Outcome, Report, RunEvent, SnapshotState, SuiteInfo, Summary,
    TestEntry, TestRecord, Timing,
};
use crate::untrusted_text;
use blockguard_protocol::Mode;
use blockguard_protocol::TraceEvent;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs the command; returns its exit code (see [`crate::schema::exit`]).
pub fn run(args: &RunSuiteArgs, env: &Env) -> u8 {
    run_with(&args.run, env, |layout| Spec::from_args(args, layout))
}

/// Runs a user's own workspace at `dir` (`cargo blockguard test`), with
/// its configuration file if it has one; returns the exit code.
pub fn run_workspace(dir: &Path, config: Option<&Path>, options: &RunOptions, env: &Env) -> u8 {
    run_with(options, env, |_| {
        let config = match (&options.rules, config) {
            (Some(path), _) => Some(path.clone()),
            (None, config) => config.map(Path::to_path_buf),
        };
        let config = match config {
            Some(path) => Some((path.clone(), blockguard_rules::load(&path)?)),
            None => None,
        };
        let selection = Selection {
            packages: options.packages.clone(),
            workspace: options.workspace,
        };
        Ok(Spec::workspace(dir, config, selection))
    })
}

fn run_with(
    options: &RunOptions,
    env: &Env,
    spec: impl FnOnce(&Layout) -> Result<Spec, ResolveError>,
) -> u8 {
    env.die_with_parent();
    // The dashboard is up, or has failed the command, before anything runs.
    let dashboard = match options.serve.as_deref().map(Dashboard::start) {
        None => None,
        Some(Ok(dashboard)) => Some(dashboard),
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return exit::ERROR;
        }
    };
    let json = options.message_format == MessageFormat::Json;
    let console = Arc::new(match json {
        true => Console::reserving_stdout(),
        false => Console::new(),
    });
    let collected = Arc::new(Collected::default());
    let mut events = RunEvents::new(vec![
        Arc::clone(&console) as Arc<dyn RunListener>,
        Arc::clone(&collected) as Arc<dyn RunListener>,
    ]);
    if let Some(dashboard) = &dashboard {
        events = events.with(Arc::clone(dashboard.live()) as Arc<dyn RunListener>);
    }
    if let Some(path) = &options.live_feed {
        match FeedWriter::create(path) {
            Ok(feed) => events = events.with(Arc::new(feed)),
            Err(e) => {
                eprintln!("error: --live-feed {}: {e}", path.display());
                return exit::ERROR;
            }
        }
    }
    let run = Run {
        console: &console,
        events: &events,
        collected: &collected,
    };
    let code = match pipeline(options, spec, env, &run) {
        Ok(code) => code,
        Err(e) => {
            console.finish_run();
            // A failed fetch or build quotes what cargo said of the crate.
            eprintln!("error: {}", untrusted_text::visible(&e.to_string()));
            exit::ERROR
        }
    };
    events.emit(&RunEvent::RunFinished {
        exit_code: code.into(),
    });
    if json {
        print!("{}", cargo_json::finished(code == exit::OK));
    }
    match dashboard {
        Some(dashboard) => dashboard.finish(code),
        None => code,
    }
}

/// Where a run's narration, events and finished tests go.
struct Run<'a> {
    console: &'a Arc<Console>,
    events: &'a RunEvents,
    collected: &'a Collected,
}

fn pipeline(
    args: &RunOptions,
    spec: impl FnOnce(&Layout) -> Result<Spec, ResolveError>,
    env: &Env,
    run: &Run<'_>,
) -> Result<u8, RunSuiteError> {
    let console = run.console;
    let layout = Layout::new(&env.root, &env.snapshots);
    let libtest = libtest_args(&args.libtest)?;
    // Output paths and rules files are checked first: a bad one stops everything.
    check_outputs(args, libtest.logfile.as_deref())?;
    let spec = spec(&layout)?;
    for warning in &spec.warnings {
        console.warn(warning);
    }
    let mut runtime_build = match libtest.list {
        true => RuntimeBuild::none(),
        false => RuntimeBuild::start(env, console),
    };
    let crates_io = spec.crates_io_suite().is_some();
    let sandboxed = args.sandboxing.wanted(crates_io) && !libtest.list;
    // A sandboxed suite's files live in its own folder from the start:
    // its source copy too.
    let layout = match spec.crates_io_suite() {
        Some(name) if sandboxed => layout.sandboxed(name),
        _ => layout,
    };
    let suite = resolve(&spec, &layout, env, console)?;
    let mut sources = sources(&spec, &suite, env);
    let layout = match sandboxed {
        true => layout.sandboxed(&suite.name),
        false => layout,
    };
    // The command line overrides the suite, which overrides the default.
    let mode = args.mode.or(spec.mode).unwrap_or(Mode::Check);
    let guard = args.guard.or(spec.guard).unwrap_or_default();
    let timeout = args.timeout.or(spec.timeout).unwrap_or(DEFAULT_TIMEOUT);
    run.events.emit(&RunEvent::RunStarted {
        suite: suite.name.clone(),
        mode: mode.as_str().to_owned(),
    });
    // The sandbox is made by the launcher: proven before anything is built.
    let launcher = match sandboxed {
        true => {
            let launcher = sandbox_launcher(runtime_build.get()?)?;
            crate::sandbox::check(&launcher).map_err(RunSuiteError::Sandbox)?;
            Some(launcher)
        }
        false => None,
    };
    let sandbox_env = sandboxed.then(|| SandboxEnv::new(&spec.env));
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n.get(),
    );
    let mut report = Report {
        schema: "blockguard-report/1".to_owned(),
        suite: SuiteInfo {
            name: suite.name.clone(),
            krate: suite.krate.clone(),
            packages: if suite.members.len() > 1 {
                suite
                    .members
                    .iter()
                    .map(|m| format!("{} {}", m.name, m.version))
                    .collect()
            } else {
                Vec::new()
            },
            version: suite.version.clone(),
            source: suite.source,
        },
        mode,
        guard,
        toolchain: toolchain(env, &suite),
        capabilities: None,
        build: BuildInfo {
            status: BuildStatus::Ok,
            message: None,
        },
        tests: Vec::new(),
        summary: Summary::default(),
        stale_rules: Vec::new(),
        timing: Timing::default(),
        contention_snapshot: None,
        doctests_not_run: env.doctest_runner.is_none().then(|| {
            "run-suite runs the test binaries only; `cargo blockguard test` runs doctests too"
                .to_owned()
        }),
    };

    let rules_file = spec
        .rules
        .clone()
        .map(|(path, file)| (std::path::absolute(&path).unwrap_or(path), file));
    let rules = Rules::new(rules_file);
    // Sandboxed processes read the runner's copy, never the host's path.
    let rules = match sandboxed {
        true => rules
            .passed_in(&layout.inputs())
            .map_err(RunSuiteError::RulesNotPassedIn)?,
        false => rules,
    };
    let listing = libtest.list;
    interrupt::install();
    let mut unfiltered = true;
    let mut contention_failed = false;
    // Every selected member is the code under test, whichever one's tests run.
    let under_test: Vec<PathBuf> = suite.members.iter().map(|m| m.dir.clone()).collect();
    for member in &suite.members {
        let member = suite.member(member);
        let build_started = Instant::now();
        let build_sandbox =
            launcher
                .as_deref()
                .zip(sandbox_env.as_ref())
                .map(|(launcher, sandbox_env)| {
                    let packages = [suite.dir.as_path(), member.dir.as_path()];
                    (
                        launcher,
                        sandbox_paths::build(&layout, &packages),
                        sandbox_env,
                    )
                });
        let built = build(
            &member,
            &under_test,
            &spec.features,
            &layout,
            env,
            console,
            build_sandbox,
        )?;
        report.timing.build_ms += millis(build_started.elapsed());
        let binaries = match built {
            Built::Ok(binaries) => {
                for b in &binaries {
                    if let Some(cargo) = &b.cargo {
                        sources.add_target(&b.package.0, &b.name, &cargo.package_id, &cargo.target);
                    }
                }
                binaries
            }
            Built::Failed(message) => {
                console.note(format!(
                    "{} {} did not build, so none of its tests ran; the compiler's first error:\n{message}",
                    member.krate, member.version
                ));
                if report.build.status == BuildStatus::Ok {
                    report.build = BuildInfo {
                        status: BuildStatus::Failed,
                        message: Some(message),
                    };
                }
                continue;
            }
        };
        let runtime = runtime_build.get()?;
        let guarded = runtime.library.is_some();
        let traces = layout.traces(&member.name);
        traces::remove_abandoned(&traces);
        let traces_started = std::time::SystemTime::now();
        traces::reuse_last(&layout.last_traces(&member.name), &traces);
        let clearing = traces::clear_taken_over(&traces);
        let sandbox = match &launcher {
            Some(launcher) => {
                let packages = binaries.iter().map(|b| b.package_dir.clone());
                let paths = sandbox_paths::tests(&layout, runtime, &traces, packages);
                Some(Sandbox::start(launcher, &paths).map_err(RunSuiteError::Sandbox)?)
            }
            None => None,
        };
        // Listing runs the crate's code too: in the sandbox, when there is one.
        let list_contain = launcher
            .as_ref()
            .zip(sandbox.as_ref())
            .map(|(launcher, sandbox)| Contain {
                launcher: launcher.clone(),
                preload: None,
                status: traces.join("list.status"),
                join: Some(Join::Sandbox(sandbox.holder())),
                limits: Some(args.limits()),
                server: None,
            });
        let env_base = sandbox_env.as_ref().map(SandboxEnv::vars);
        let list_sandbox = list_contain
            .as_ref()
            .map(|c| (c, env_base.clone().unwrap_or_default()));
        let listed = list_in(&binaries, list_sandbox.as_ref())?;
        if let Some(clearing) = clearing {
            let _ = clearing.join();
        }
        let run_started = Instant::now();
        let results = runner::run(
            Plan {
                binaries: listed,
                mode,
                guard,
                timeout,
                jobs,
                preload: runtime.library.clone(),
                launcher: runtime.launcher.clone(),
                rules: rules.clone(),
                traces: traces.clone(),
                symbols: Some(layout.symbols()),
                snapshots: guarded
                    .then(|| snapshots_of(&layout, &member, args.snapshots))
                    .flatten(),
                strict: args.strict,
                env_base,
                env_remove: env.child_env_remove(),
                farm_workers: args.farm_workers,
                retries: args.retries,
                events: run.events.clone(),
                sandbox: sandbox.as_ref().map(Sandbox::holder),
                limits: sandboxed.then(|| args.limits()),
            },
            libtest.clone(),
            console,
        );
        report.timing.run_ms += millis(run_started.elapsed());
        if let (Some(runner), false) = (&env.doctest_runner, listing)
            && interrupt::signal().is_none()
        {
            let doctests_started = Instant::now();
            let doctests = doctests::run(
                &DoctestPlan {
                    package: (&member.krate, &member.dir),
                    runner,
                    target_dir: layout.build(),
                    records: traces.join("doctests"),
                    mode,
                    rules: rules.path(),
                    snapshots: guarded
                        .then(|| snapshots_of(&layout, &member, args.snapshots))
                        .flatten(),
                    strict: args.strict,
                    chosen: &libtest,
                    runtime: runtime.library.as_deref(),
                    jobs,
                    features: &spec.features,
                    // The doctests are built and run in a sandbox of their
                    // own: rustdoc compiles them as `cargo test --doc` runs.
                    sandbox: launcher.as_deref().map(|launcher| {
                        let paths =
                            sandbox_paths::doctests(&layout, runtime, &traces, &member.dir, runner);
                        (launcher, paths)
                    }),
                    sandbox_env: sandbox_env.as_ref(),
                },
                env,
            );
            // Doctests are tests of the run: their time is the run's.
            report.timing.run_ms += millis(doctests_started.elapsed());
            match doctests {
                Ok(ran) => {
                    let mut text = String::new();
                    for r in &ran {
                        text.push_str(&format!("doctest {} ... {}\n", r.key.name, r.outcome));
                    }
                    if !text.is_empty() {
                        console.block(&text);
                    }
                    for record in ran {
                        run.events.emit(&RunEvent::TestFinished {
                            record: Box::new(record),
                            stderr_tail: String::new(),
                        });
                    }
                }
                Err(e) => console.warn(e.to_string()),
            }
        }
        if let Some(signal) = interrupt::signal() {
            let _ = std::fs::remove_dir_all(&traces);
            let records = run.collected.records();
            return Ok(interrupted(signal, &records, &layout, &suite.name, console));
        }
        traces::keep_as_last(&traces, &layout.last_traces(&member.name), traces_started);
        unfiltered &= results.unfiltered;
        if guarded && !listing {
            let records = run.collected.records();
            let checked = check_contention(&member, &records, &layout, args, console);
            if let Some((state, failed)) = checked {
                if report.contention_snapshot != Some(SnapshotState::Changed) {
                    report.contention_snapshot = Some(state);
                }
                contention_failed |= failed;
            }
        }
    }
    if listing {
        return Ok(exit::OK);
    }
    let records = run.collected.records();
    if let Some(code) = no_tests(&records, &report, args.no_tests, console) {
        return Ok(code);
    }
    if unfiltered {
        let matched: BTreeSet<String> = records
            .iter()
            .flat_map(|r| r.matched_rules.iter().cloned())
            .collect();
        report.stale_rules = rules.stale(&matched);
    }
    report.capabilities = records.iter().find_map(|r| r.capabilities.clone());
    report.summary = Summary::of(&records);
    report.tests = records.iter().map(TestEntry::of).collect();
    write_reports(&report, args, &layout, console, &sources, env)?;
    let code = exit_code(&records, &report, args.strict);
    Ok(
        if contention_failed || report.build.status != BuildStatus::Ok {
            exit::FAILED
        } else {
            code
        },
    )
}

/// A run whose filters chose no test: an error (exit code 4, the last
/// report left as it was) unless `--no-tests` says otherwise; `None` to go
/// on. A build that failed is a failure of its own.
fn no_tests(
    records: &[TestRecord],
    report: &Report,
    choice: NoTests,
    console: &Console,
) -> Option<u8> {
    let ran = records.iter().any(|r| r.outcome != Outcome::Ignored);
    if ran || report.build.status != BuildStatus::Ok {
        return None;
    }
    let why = format!(
        "no test ran in {} ({} ignored): the filters chose none, or it has none",
        report.suite.name,
        records.len()
    );
    match choice {
        NoTests::Fail => {
            console.block(&format!(
                "error: {why}; the last report is left as it was (--no-tests warn or pass allows it)\n"
            ));
            Some(exit::NO_TESTS)
        }
        NoTests::Warn => {
            console.warn(why);
            None
        }
        NoTests::Pass => None,
    }
}

/// A member's snapshots as `--snapshots` asks; `None` for none.
fn snapshots_of(layout: &Layout, member: &Resolved, mode: SnapshotMode) -> Option<Snapshots> {
    let snapshots = Snapshots::new(layout.snapshots(&member.name, &member.dir), layout.root());
    match mode {
        SnapshotMode::New => Some(snapshots),
        SnapshotMode::Check => Some(snapshots.compare_only()),
        SnapshotMode::None => None,
    }
}

/// The launcher that makes the sandbox.
fn sandbox_launcher(runtime: &Runtime) -> Result<PathBuf, RunSuiteError> {
    runtime.launcher.clone().ok_or(RunSuiteError::NoLauncher)
}

/// Checks one member's contention snapshot against its tests' events:
/// the state, and whether it fails the run.
fn check_contention(
    member: &Resolved,
    records: &[TestRecord],
    layout: &Layout,
    args: &RunOptions,
    console: &Console,
) -> Option<(SnapshotState, bool)> {
    let snapshots = snapshots_of(layout, member, args.snapshots)?;
    let events: Vec<&TraceEvent> = records
        .iter()
        .filter(|r| r.key.package == member.krate)
        .flat_map(|r| r.blocking.iter().map(|c| &c.event))
        .collect();
    match snapshots.check_contention(&events) {
        Ok(checked) => {
            if !checked.diff.is_empty() {
                let mut text = String::from("the suite's contention waits changed:\n");
                for line in &checked.diff {
                    text.push_str(&format!("  {line}\n"));
                }
                console.block(&text);
            }
            let failed = checked.fails_run(args.strict);
            Some((checked.state, failed))
        }
        Err(e) => {
            console.warn(e.to_string());
            None
        }
    }
}

/// run-suite's output files: `--report`, `--junit`, `--sarif`, and
/// libtest's `--logfile` after `--`.
fn check_outputs(
    args: &RunOptions,
    logfile: Option<&str>,
) -> Result<(), crate::outputs::OutputError> {
    let files = [
        ("--report", args.report.as_deref()),
        ("--junit", args.junit.as_deref()),
        ("--sarif", args.sarif.as_deref()),
        ("--logfile", logfile.map(std::path::Path::new)),
    ];
    for (flag, path) in files {
        if let Some(path) = path {
            crate::outputs::file(flag, path)?;
        }
    }
    Ok(())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// 1 when a test did not pass, a snapshot failed, or (`--strict`) a rule
/// is stale; else 0.
fn exit_code(records: &[TestRecord], report: &Report, strict: bool) -> u8 {
    let failed = records
        .iter()
        .any(|r| r.outcome.is_failure() || r.snapshot_failed);
    if failed || (strict && !report.stale_rules.is_empty()) {
        exit::FAILED
    } else {
        exit::OK
    }
}

/// Says what an interruption stopped; the last report stays as it was.
fn interrupted(
    signal: i32,
    records: &[TestRecord],
    layout: &Layout,
    suite: &str,
    console: &Console,
) -> u8 {
    console.finish_run();
    let running = interrupt::interrupted_tests();
    let finished = records
        .iter()
        .filter(|r| !running.contains(&r.key.to_string()) && r.outcome != Outcome::Ignored)
        .filter(|r| r.message.as_deref() != Some(runner::NOT_RUN_INTERRUPTED))
        .count();
    let not_started = records
        .iter()
        .filter(|r| r.message.as_deref() == Some(runner::NOT_RUN_INTERRUPTED))
        .count();
    let mut text = format!(
        "\nblockguard: interrupted by {}: {} test(s) were running and were stopped, {finished} had finished, {not_started} did not start\n",
        runner::signal_name(signal),
        running.len()
    );
    for test in &running {
        text.push_str(&format!("  stopped: {test}\n"));
    }
    let report = layout.report(suite);
    text.push_str(&format!(
        "  no report was written; {} is as the last complete run left it\n",
        report
            .strip_prefix(layout.root())
            .unwrap_or(&report)
            .display()
    ));
    console.block(&text);
    exit::interrupted(signal)
}

/// `rustc --version` where the crate builds (a toolchain file there counts).
fn toolchain(env: &Env, suite: &Resolved) -> String {
    std::process::Command::new(&env.rustc)
        .arg("--version")
        .current_dir(&suite.dir)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}
