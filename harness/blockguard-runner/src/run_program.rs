//! `cargo blockguard run -- PROGRAM ARGS…`: a program's `main` as the
//! guarded microthread (as a `harness = false` test runs), its output
//! passed through, its blocking calls on the live dashboard while it runs
//! and after, until interrupted.

use crate::events::{Following, RunEvents, RunListener};
use crate::live::dashboard::Dashboard;
use crate::live::hub::Hub;
use crate::run_program_error::RunProgramError;
use crate::schema::exit;
use crate::schema::{Outcome, Progress, RunEvent, TestKey, TestRecord};
use blockguard_protocol::{Mode, env as protocol};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::SignalsInfo;
use signal_hook::iterator::exfiltrator::WithOrigin;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A program to run under the guards.
#[derive(Debug, Clone)]
pub struct ProgramRun {
    /// The program: a path, or a name looked up in `PATH`.
    pub program: OsString,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// The guard mode.
    pub mode: Mode,
    /// `--serve ADDR`.
    pub serve: Option<String>,
    /// The guard runtime.
    pub preload: PathBuf,
    /// A rules file.
    pub rules: Option<PathBuf>,
    /// Where resolved names are shared.
    pub symbols: Option<PathBuf>,
    /// Farm mode's worker count.
    pub farm_workers: Option<u16>,
}

/// The end of the program's stderr the dashboard keeps.
const STDERR_KEPT: usize = 64 * 1024;

/// Runs it; the program's exit code (128 + N when signal N ended it), or
/// 2 when it could not start.
pub fn run(plan: &ProgramRun) -> u8 {
    let dashboard = match plan.serve.as_deref().map(Dashboard::start) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return exit::ERROR;
        }
    };
    let name = Path::new(&plan.program).file_name().map_or_else(
        || "program".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let code = match guarded(plan, &name, dashboard.as_ref().map(Dashboard::live)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            exit::ERROR
        }
    };
    match dashboard {
        Some(d) => d.finish(code),
        None => code,
    }
}

fn guarded(plan: &ProgramRun, name: &str, live: Option<&Arc<Hub>>) -> Result<u8, RunProgramError> {
    let dir = std::env::temp_dir().join(format!("blockguard-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| RunProgramError::Scratch {
        dir: dir.clone(),
        source,
    })?;
    let trace = dir.join("trace.jsonl");
    let mut cmd = Command::new(&plan.program);
    cmd.args(&plan.args)
        .env("LD_PRELOAD", &plan.preload)
        .env(protocol::MODE, plan.mode.as_str())
        .env(protocol::TRACE, &trace)
        .env(protocol::TEST, protocol::MAIN_TEST)
        .env(protocol::HARNESS, "none")
        .env(protocol::BINARY, name)
        .stderr(Stdio::piped());
    if let Some(rules) = &plan.rules {
        cmd.env(protocol::RULES, rules);
    }
    if let Some(symbols) = &plan.symbols {
        cmd.env(protocol::SYMBOLS, symbols);
    }
    if let Some(n) = plan.farm_workers {
        cmd.env(protocol::FARM_WORKERS, n.to_string());
    }
    // Caught before the program starts: a signal meant for it must not end
    // this process first.
    let mut signals = SignalsInfo::<WithOrigin>::new([SIGINT, SIGTERM, SIGHUP])
        .map_err(RunProgramError::Signals)?;
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|source| RunProgramError::Start {
        program: PathBuf::from(&plan.program),
        source,
    })?;
    // The dashboard is the one consumer of this run's events.
    let events = RunEvents::new(
        live.map(|live| Arc::clone(live) as Arc<dyn RunListener>)
            .into_iter()
            .collect(),
    );
    let key = TestKey::new("", name, protocol::MAIN_TEST);
    let following = live.map(|_| {
        events.emit(&RunEvent::RunStarted {
            suite: name.to_owned(),
            mode: plan.mode.as_str().to_owned(),
        });
        events.emit(&RunEvent::TestQueued { key: key.clone() });
        events.emit(&RunEvent::TestStarted { key: key.clone() });
        let following = Following::start(&events);
        following.begin(&key, &trace);
        following
    });
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let copier = child.stderr.take().map(|from| {
        let kept = Arc::clone(&stderr);
        std::thread::spawn(move || pass_through(from, &kept))
    });
    // A signal another process sent here is passed on; the terminal's
    // reaches the program by itself (it is in this process group).
    let pid = child.id();
    let handle = signals.handle();
    let forwarder = std::thread::spawn(move || {
        for info in signals.forever() {
            if info.process.is_some() {
                let _ = rustix::process::kill_process(
                    rustix::process::Pid::from_raw(pid as i32).expect("a child's pid"),
                    rustix::process::Signal::from_named_raw(info.signal)
                        .unwrap_or(rustix::process::Signal::TERM),
                );
            }
        }
    });
    let status = child.wait().map_err(RunProgramError::Wait)?;
    handle.close();
    let _ = forwarder.join();
    if let Some(copier) = copier {
        let _ = copier.join();
    }
    let code = match (
        status.code(),
        std::os::unix::process::ExitStatusExt::signal(&status),
    ) {
        (Some(code), _) => u8::try_from(code).unwrap_or(1),
        (None, Some(signal)) => u8::try_from(128 + signal).unwrap_or(1),
        (None, None) => 1,
    };
    if let Some(following) = following {
        let calls = following
            .end(&key)
            .map(|reader| reader.calls())
            .unwrap_or_default();
        events.emit(&RunEvent::TestProgress {
            key: key.clone(),
            progress: Progress {
                calls: calls.clone(),
                ..Progress::default()
            },
        });
        let text =
            String::from_utf8_lossy(&stderr.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
        let mut record = TestRecord::ignored(key);
        record.outcome = match code {
            0 => Outcome::Pass,
            c if i32::from(c) == blockguard_protocol::exit::BLOCKED => Outcome::Blocked,
            c if c > 128 => Outcome::Crash,
            _ => Outcome::Fail,
        };
        record.duration = started.elapsed();
        record.message = Some(format!("exit code {code}"));
        record.blocking = calls.into_iter().map(|c| c.call).collect();
        events.emit(&RunEvent::TestFinished {
            record: Box::new(record),
            stderr_tail: crate::redact::redacted(&text),
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(code)
}

/// Copies the program's stderr to ours as it comes, keeping its end.
fn pass_through(mut from: impl Read, kept: &Mutex<Vec<u8>>) {
    let mut buf = [0u8; 8192];
    let mut out = std::io::stderr();
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        let _ = out.write_all(&buf[..n]);
        let mut kept = kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.extend_from_slice(&buf[..n]);
        if kept.len() > 2 * STDERR_KEPT {
            let cut = kept.len() - STDERR_KEPT;
            kept.drain(..cut);
        }
    }
}
