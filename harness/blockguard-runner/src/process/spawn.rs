//! One child process: its own process group, stdout and stderr each read
//! on their own thread (a chatty child cannot deadlock us), and a timeout
//! that ends the whole group: SIGTERM, a grace period, then SIGKILL.
//!
//! A test runs under the launcher `blockguard-contain` when one is given:
//! it dies with us even on SIGKILL, and nothing the test starts outlives
//! the test. It joins the run's PID namespace ([`Join`]), so that tests
//! side by side each see a pid of their own. Either way, once the child has exited the wait for its output
//! is bounded: whatever still holds the pipes is named as leaked and killed.

use super::holders::{holders, pipe_inode};
use super::interrupt;
use super::launch_server::{LaunchServer, Served};
use super::output::{Tail, all_ended};
use blockguard_protocol::contain::{self, Status};
use rustix::process::{Pid, Signal, kill_process, kill_process_group};
use std::ffi::OsString;
use std::io::PipeReader;
use std::os::fd::OwnedFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// How long a timed-out test gets between SIGTERM and SIGKILL.
pub const GRACE: Duration = Duration::from_secs(2);

/// How long a test's output may stay open after it exited before whatever
/// holds it counts as leaked (nextest's default leak timeout).
pub const LEAK_TIMEOUT: Duration = Duration::from_millis(100);

/// How long we wait for the output once its holders were killed.
const AFTER_KILL: Duration = Duration::from_secs(1);

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// The executable.
    pub exe: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Its working directory.
    pub cwd: PathBuf,
    /// The variables it starts from, before `env_remove` and `env`: ours
    /// when `None`; only these for a sandboxed test
    /// ([`crate::sandbox_env`]).
    pub env_base: Option<Vec<(OsString, OsString)>>,
    /// Variables to set.
    pub env: Vec<(OsString, OsString)>,
    /// Variables to remove first.
    pub env_remove: Vec<&'static str>,
    /// When to give up on it.
    pub timeout: Duration,
    /// Run it under the launcher.
    pub contain: Option<Contain>,
    /// A file to read the moment the timeout fires, before any signal.
    pub read_at_timeout: Option<PathBuf>,
    /// What an interruption names it.
    pub label: String,
    /// A file that gets all of stdout and stderr, as they come.
    pub log: Option<PathBuf>,
}

/// The launcher and what it is told.
#[derive(Debug, Clone)]
pub struct Contain {
    /// `blockguard-contain`.
    pub launcher: PathBuf,
    /// The guard runtime, for the test's `LD_PRELOAD` only.
    pub preload: Option<PathBuf>,
    /// Where the launcher writes its status.
    pub status: PathBuf,
    /// The run's namespaces the test joins; `None` gives it a PID
    /// namespace of its own (or none, where none can be made).
    pub join: Option<Join>,
    /// The sandbox's resource limits.
    pub limits: Option<blockguard_protocol::sandbox::Limits>,
    /// The run's launch server, which forks the launcher instead of our
    /// spawning it; `None` spawns it.
    pub server: Option<Arc<LaunchServer>>,
}

/// The run's namespaces a contained test joins, by their holder's pid
/// ([`super::ns_holder::Holder`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// The run's sandbox and its PID namespace
    /// (`crate::sandbox::Sandbox::holder`).
    Sandbox(u32),
    /// The PID namespace of a run without the sandbox.
    Pids(u32),
}

/// How the process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// It exited with this code.
    Exited(i32),
    /// A signal killed it.
    Signaled(i32),
    /// It ran past the timeout and we ended it.
    TimedOut,
}

/// A finished process.
#[derive(Debug, Clone)]
pub struct Finished {
    /// How it ended.
    pub ended: Ended,
    /// Its stdout (the last [`KEEP`](super::output::KEEP) bytes), lossily decoded.
    pub stdout: String,
    /// Its stderr (likewise).
    pub stderr: String,
    /// Wall time from spawn to exit.
    pub duration: Duration,
    /// Processes still alive after it exited (`pid: command line`); killed.
    pub leaked: Vec<String>,
    /// [`Launch::read_at_timeout`]'s bytes, when the timeout fired.
    pub at_timeout: Option<Vec<u8>>,
    /// Why the launcher could not contain it, if it could not.
    pub uncontained: Option<String>,
    /// In the sandbox: it filled its `/tmp` and `/dev/shm`, this many
    /// bytes (the memory limit).
    pub filled_tmp: Option<u64>,
}

/// The process could not be run or waited for.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// Spawning failed.
    #[error("cannot start {exe}: {source}")]
    Spawn {
        /// The executable.
        exe: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Waiting failed.
    #[error("cannot wait for {exe}: {source}")]
    Wait {
        /// The executable.
        exe: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Runs `launch` to the end or to its timeout.
pub fn spawn_and_wait(launch: &Launch) -> Result<Finished, SpawnError> {
    let start = Instant::now();
    let mut child = Process::start(launch).map_err(|source| SpawnError::Spawn {
        exe: launch.exe.clone(),
        source,
    })?;
    let running = interrupt::register(child.id() as i32, &launch.label);
    let (child_stdout, child_stderr) = child.take_output();
    let inodes: Vec<u64> = [
        child_stdout.as_ref().and_then(pipe_inode),
        child_stderr.as_ref().and_then(pipe_inode),
    ]
    .into_iter()
    .flatten()
    .collect();
    let log = match &launch.log {
        Some(path) => Some(Arc::new(Mutex::new(std::fs::File::create(path).map_err(
            |source| SpawnError::Spawn {
                exe: path.clone(),
                source,
            },
        )?))),
        None => None,
    };
    let mut stdout = child_stdout.map(|s| Tail::read(s, log.clone()));
    let mut stderr = child_stderr.map(|s| Tail::read(s, log.clone()));
    let waited = wait(&mut child, launch);
    // The leader is gone; whatever it left in its group goes too.
    kill_group(&child, Signal::KILL);
    drop(running);
    let (ended, duration, at_timeout) = waited.map_err(|source| SpawnError::Wait {
        exe: launch.exe.clone(),
        source,
    })?;
    let duration = duration.unwrap_or_else(|| start.elapsed());
    let status = launch
        .contain
        .as_ref()
        .and_then(|c| crate::untrusted_file::read_to_string(&c.status).ok())
        .and_then(|text| Status::parse(&text))
        .unwrap_or(Status {
            contained: launch.contain.is_some(),
            ..Status::default()
        });
    let mut leaked = status.leaked;
    let mut tails: Vec<&mut Tail> = stdout.iter_mut().chain(stderr.iter_mut()).collect();
    if !all_ended(&mut tails, LEAK_TIMEOUT) {
        for (pid, command) in holders(&inodes) {
            if let Some(pid) = Pid::from_raw(pid) {
                let _ = kill_process(pid, Signal::KILL);
            }
            leaked.push(format!("{pid}: {command} (held the output open)"));
        }
        all_ended(&mut tails, AFTER_KILL);
    }
    let text = |t: Option<Tail>| t.map(|t| t.text()).unwrap_or_default();
    Ok(Finished {
        ended,
        stdout: text(stdout),
        stderr: text(stderr),
        duration,
        leaked,
        at_timeout,
        uncontained: status.why,
        filled_tmp: status.filled_tmp,
    })
}

/// The launcher's arguments for `contain`, `-- EXE ARGS…` included.
fn contain_args(contain: &Contain, launch: &Launch) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    if let Some(preload) = &contain.preload {
        args.extend([contain::PRELOAD_ARG.into(), preload.into()]);
    }
    match contain.join {
        Some(Join::Sandbox(holder)) => {
            args.extend([contain::JOIN_SANDBOX_ARG.into(), holder.to_string().into()]);
        }
        Some(Join::Pids(holder)) => {
            args.extend([contain::JOIN_PIDS_ARG.into(), holder.to_string().into()]);
        }
        None => {}
    }
    if let Some(limits) = contain.limits {
        args.extend([
            blockguard_protocol::sandbox::LIMITS_ARG.into(),
            limits.to_arg().into(),
        ]);
    }
    args.extend([
        contain::STATUS_ARG.into(),
        contain.status.clone().into(),
        contain::PARENT_ARG.into(),
        std::process::id().to_string().into(),
        "--".into(),
        launch.exe.clone().into(),
    ]);
    args.extend(launch.args.iter().cloned());
    args
}

fn command(launch: &Launch) -> Command {
    let mut cmd = match &launch.contain {
        Some(contain) => {
            let mut cmd = Command::new(&contain.launcher);
            cmd.args(contain_args(contain, launch));
            cmd
        }
        None => {
            let mut cmd = Command::new(&launch.exe);
            cmd.args(&launch.args);
            cmd
        }
    };
    cmd.current_dir(&launch.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group, so that killing the group reaches grandchildren.
        .process_group(0)
        .env_clear()
        .envs(child_env(launch));
    cmd
}

/// The environment a child gets, whole: spawned, or forked by the launch
/// server (which is told all of it).
fn child_env(launch: &Launch) -> Vec<(OsString, OsString)> {
    let set = |name: &OsString| launch.env.iter().any(|(k, _)| k == name);
    let base = match &launch.env_base {
        Some(vars) => vars.clone(),
        None => std::env::vars_os().collect(),
    };
    let mut env: Vec<(OsString, OsString)> = base
        .into_iter()
        .filter(|(name, _)| !launch.env_remove.iter().any(|r| name == r) && !set(name))
        .collect();
    env.extend(launch.env.iter().cloned());
    env
}

/// A running child: spawned by us, or forked by the launch server.
enum Process {
    Spawned(Child),
    Served(Served),
}

impl Process {
    fn start(launch: &Launch) -> std::io::Result<Process> {
        if let Some(contain) = &launch.contain {
            let _ = std::fs::remove_file(&contain.status);
            // A launcher that never said its pid never ran the test, so a
            // failed launch (a request too large, a server gone) is spawned.
            if let Some(served) = contain.server.as_ref().and_then(|server| {
                let argv = contain_args(contain, launch);
                server.launch(argv, child_env(launch), &launch.cwd).ok()
            }) {
                return Ok(Process::Served(served));
            }
        }
        command(launch).spawn().map(Process::Spawned)
    }

    fn id(&self) -> u32 {
        match self {
            Process::Spawned(child) => child.id(),
            Process::Served(served) => served.id(),
        }
    }

    fn take_output(&mut self) -> (Option<PipeReader>, Option<PipeReader>) {
        match self {
            Process::Spawned(child) => (
                child
                    .stdout
                    .take()
                    .map(|s| PipeReader::from(OwnedFd::from(s))),
                child
                    .stderr
                    .take()
                    .map(|s| PipeReader::from(OwnedFd::from(s))),
            ),
            Process::Served(served) => (served.stdout.take(), served.stderr.take()),
        }
    }

    fn wait_timeout(&mut self, timeout: Duration) -> std::io::Result<Option<ExitStatus>> {
        match self {
            Process::Spawned(child) => child.wait_timeout(timeout),
            Process::Served(served) => served.wait_timeout(timeout),
        }
    }

    fn wait(&mut self) -> std::io::Result<ExitStatus> {
        match self {
            Process::Spawned(child) => child.wait(),
            Process::Served(served) => served.wait(),
        }
    }
}

type Waited = (Ended, Option<Duration>, Option<Vec<u8>>);

/// Waits for the child; at the timeout, reads [`Launch::read_at_timeout`],
/// then SIGTERM and SIGKILL to its group. The duration is measured at exit,
/// before the teardown.
fn wait(child: &mut Process, launch: &Launch) -> std::io::Result<Waited> {
    let start = Instant::now();
    if let Some(status) = child.wait_timeout(launch.timeout)? {
        return Ok((ended(status), Some(start.elapsed()), None));
    }
    let at_timeout = launch.read_at_timeout.as_deref().and_then(read);
    kill_group(child, Signal::TERM);
    if child.wait_timeout(GRACE)?.is_none() {
        kill_group(child, Signal::KILL);
        child.wait()?;
    }
    Ok((Ended::TimedOut, None, at_timeout))
}

fn read(path: &Path) -> Option<Vec<u8>> {
    crate::untrusted_file::read(path).ok()
}

fn ended(status: std::process::ExitStatus) -> Ended {
    match (status.code(), status.signal()) {
        (Some(code), _) => Ended::Exited(code),
        (None, Some(signal)) => Ended::Signaled(signal),
        (None, None) => Ended::Exited(-1),
    }
}

/// Signals the child's process group (its id is the child's pid, from
/// `process_group(0)`); an empty group (ESRCH) is fine.
fn kill_group(child: &Process, signal: Signal) {
    if let Some(pgid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) {
        let _ = kill_process_group(pgid, signal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> Finished {
        spawn_and_wait(&Launch {
            exe: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            cwd: "/".into(),
            timeout,
            ..Launch::default()
        })
        .expect("sh runs")
    }

    #[test]
    fn a_log_gets_both_streams_whole_as_they_come() {
        let log = std::env::temp_dir().join(format!("blockguard-spawn-log-{}", std::process::id()));
        let done = spawn_and_wait(&Launch {
            exe: "/bin/sh".into(),
            args: vec!["-c".into(), "echo to-out; echo to-err >&2".into()],
            cwd: "/".into(),
            timeout: Duration::from_secs(10),
            log: Some(log.clone()),
            ..Launch::default()
        })
        .expect("sh runs");
        assert_eq!(done.ended, Ended::Exited(0));
        let text = std::fs::read_to_string(&log).unwrap();
        let _ = std::fs::remove_file(&log);
        assert!(
            text.contains("to-out\n") && text.contains("to-err\n"),
            "{text:?}"
        );
        assert_eq!(done.stdout, "to-out\n");
    }

    #[test]
    fn exit_codes_signals_and_both_streams_are_kept() {
        let done = sh("echo out; echo err >&2; exit 3", Duration::from_secs(10));
        assert_eq!(done.ended, Ended::Exited(3));
        assert_eq!(done.stdout, "out\n");
        assert_eq!(done.stderr, "err\n");
        let killed = sh("kill -SEGV $$", Duration::from_secs(10));
        assert_eq!(killed.ended, Ended::Signaled(libc::SIGSEGV));
    }

    #[test]
    fn a_chatty_child_cannot_deadlock_the_runner() {
        // Far more than a pipe buffer on each stream.
        let done = sh(
            "head -c 3000000 /dev/zero | tr '\\0' x; head -c 3000000 /dev/zero | tr '\\0' y >&2",
            Duration::from_secs(30),
        );
        assert_eq!(done.ended, Ended::Exited(0));
        assert_eq!(done.stdout.len(), super::super::output::KEEP);
        assert_eq!(done.stderr.len(), super::super::output::KEEP);
    }

    #[test]
    fn a_timeout_kills_the_whole_group_including_grandchildren() {
        let start = Instant::now();
        // The grandchild ignores SIGTERM and holds stdout open: only the
        // group SIGKILL ends it, and only then do our readers finish.
        let done = sh(
            "sh -c 'trap \"\" TERM; sleep 30' & sleep 30",
            Duration::from_millis(300),
        );
        assert_eq!(done.ended, Ended::TimedOut);
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn a_grandchild_left_behind_by_a_finished_test_is_killed() {
        let start = Instant::now();
        let done = sh("sleep 30 & echo started", Duration::from_secs(20));
        assert_eq!(done.ended, Ended::Exited(0));
        assert_eq!(done.stdout, "started\n");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn a_daemon_holding_the_pipes_is_named_and_killed_without_the_launcher() {
        let start = Instant::now();
        // setsid: out of the group, so the group kill misses it; only the
        // pipe-holder search finds it.
        let done = sh(
            "setsid sleep 1234.5 & sleep 0.3; echo started",
            Duration::from_secs(20),
        );
        assert_eq!(done.ended, Ended::Exited(0));
        assert_eq!(done.stdout, "started\n");
        assert!(
            done.leaked.iter().any(|l| l.contains("sleep 1234.5")),
            "{:?}",
            done.leaked
        );
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }
}
