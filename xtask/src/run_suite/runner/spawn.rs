//! One child process: its own process group, stdout and stderr each read
//! on their own thread (a chatty child cannot deadlock us), and a timeout
//! that ends the whole group: SIGTERM, a grace period, then SIGKILL.

use rustix::process::{Pid, Signal, kill_process_group};
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// How long a timed-out test gets between SIGTERM and SIGKILL.
pub const GRACE: Duration = Duration::from_secs(2);

/// Output kept per stream: the last bytes, where a failure message is.
const KEEP: usize = 1 << 20;

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// The executable.
    pub exe: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Its working directory.
    pub cwd: PathBuf,
    /// Variables to set.
    pub env: Vec<(OsString, OsString)>,
    /// Variables to remove first.
    pub env_remove: Vec<&'static str>,
    /// When to give up on it.
    pub timeout: Duration,
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
    /// Its stdout (the last [`KEEP`] bytes), lossily decoded.
    pub stdout: String,
    /// Its stderr (likewise).
    pub stderr: String,
    /// Wall time from spawn to exit.
    pub duration: Duration,
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
    let mut cmd = Command::new(&launch.exe);
    cmd.args(&launch.args)
        .current_dir(&launch.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group, so that killing the group reaches grandchildren.
        .process_group(0);
    for var in &launch.env_remove {
        cmd.env_remove(var);
    }
    cmd.envs(launch.env.iter().map(|(k, v)| (k, v)));
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|source| SpawnError::Spawn {
        exe: launch.exe.clone(),
        source,
    })?;
    let stdout = child.stdout.take().map(read_tail);
    let stderr = child.stderr.take().map(read_tail);
    let waited = wait(&mut child, launch.timeout);
    // The leader is gone; whatever it left in its group goes too, or the
    // pipes it holds would keep our readers waiting.
    kill_group(&child, Signal::KILL);
    let (ended, duration) = waited.map_err(|source| SpawnError::Wait {
        exe: launch.exe.clone(),
        source,
    })?;
    let duration = duration.unwrap_or_else(|| start.elapsed());
    let join = |h: Option<std::thread::JoinHandle<String>>| {
        h.map(|h| h.join().unwrap_or_default()).unwrap_or_default()
    };
    Ok(Finished {
        ended,
        stdout: join(stdout),
        stderr: join(stderr),
        duration,
    })
}

/// Waits for the child; at the timeout, SIGTERM then SIGKILL to its group.
/// The duration is measured at exit, before the teardown.
fn wait(child: &mut Child, timeout: Duration) -> std::io::Result<(Ended, Option<Duration>)> {
    let start = Instant::now();
    if let Some(status) = child.wait_timeout(timeout)? {
        return Ok((ended(status), Some(start.elapsed())));
    }
    kill_group(child, Signal::TERM);
    if child.wait_timeout(GRACE)?.is_none() {
        kill_group(child, Signal::KILL);
        child.wait()?;
    }
    Ok((Ended::TimedOut, None))
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
fn kill_group(child: &Child, signal: Signal) {
    if let Some(pgid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) {
        let _ = kill_process_group(pgid, signal);
    }
}

/// Reads a stream to its end on its own thread, keeping the last bytes.
fn read_tail(mut stream: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    kept.extend_from_slice(&buf[..n]);
                    if kept.len() > 2 * KEEP {
                        kept.drain(..kept.len() - KEEP);
                    }
                }
            }
        }
        if kept.len() > KEEP {
            kept.drain(..kept.len() - KEEP);
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
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
        assert_eq!(done.stdout.len(), KEEP);
        assert_eq!(done.stderr.len(), KEEP);
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
}
