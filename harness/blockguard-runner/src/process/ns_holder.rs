//! A process that holds namespaces for a run: `blockguard-contain
//! --hold-sandbox` (the run's sandbox and PID namespace) or `--hold-pids`
//! (the run's PID namespace alone). It makes them, says its pid on stdout,
//! and lives until its stdin closes, which we do when dropped (or the
//! kernel does when we die). Each test's launcher joins them through
//! `/proc/<pid>/ns`.

use blockguard_protocol::contain::HOLD_PIDS_ARG;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

/// A holder that said its pid.
#[derive(Debug)]
pub struct Holder {
    child: Child,
    /// Closed to end the holder.
    stdin: Option<ChildStdin>,
    pid: u32,
}

/// Why a holder did not start.
#[derive(Debug, thiserror::Error)]
pub enum HolderError {
    /// The launcher could not be started.
    #[error("{}: {source}", launcher.display())]
    Spawn {
        /// The launcher.
        launcher: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It could not make the namespaces, and said why.
    #[error("{0}")]
    Refused(String),
}

impl Holder {
    /// Starts `launcher ARGS…` and waits for its pid.
    pub fn start(
        launcher: &Path,
        args: impl IntoIterator<Item = OsString>,
    ) -> Result<Holder, HolderError> {
        let mut child = Command::new(launcher)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| HolderError::Spawn {
                launcher: launcher.to_owned(),
                source,
            })?;
        let stdin = child.stdin.take();
        let mut line = String::new();
        let said = child
            .stdout
            .take()
            .map(|out| BufReader::new(out).read_line(&mut line));
        match (said, line.trim().parse::<u32>()) {
            (Some(Ok(_)), Ok(pid)) => Ok(Holder { child, stdin, pid }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                let mut why = String::new();
                if let Some(mut err) = child.stderr.take() {
                    let _ = err.read_to_string(&mut why);
                }
                Err(HolderError::Refused(why.trim().to_owned()))
            }
        }
    }

    /// `launcher --hold-pids`: the PID namespace of a run without the
    /// sandbox.
    pub fn pids(launcher: &Path) -> Result<Holder, HolderError> {
        Holder::start(launcher, [OsString::from(HOLD_PIDS_ARG)])
    }

    /// The holder's pid, for the launchers' `--join-sandbox` or `--join-pids`.
    pub fn pid(&self) -> u32 {
        self.pid
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        // The holder ends with its stdin.
        drop(self.stdin.take());
        if !matches!(self.child.wait_timeout(Duration::from_secs(5)), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
