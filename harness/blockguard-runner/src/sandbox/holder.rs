//! A run's sandbox, alive while its holder lives.

use super::error::SandboxError;
use blockguard_protocol::contain::HOLD_SANDBOX_ARG;
use blockguard_protocol::sandbox::SandboxPaths;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

/// `blockguard-contain --hold-sandbox PATHS…`, which made the sandbox and
/// lives in it until its stdin closes.
pub struct Sandbox {
    holder: Child,
    /// Closed to end the holder.
    stdin: Option<ChildStdin>,
    pid: u32,
}

impl Sandbox {
    /// Makes the sandbox with `paths`, held by `launcher`; why not, in a
    /// sentence.
    pub fn start(launcher: &Path, paths: &SandboxPaths) -> Result<Sandbox, SandboxError> {
        // Only paths that exist are shown; the tests' folders must be.
        for dir in &paths.writable {
            std::fs::create_dir_all(dir).map_err(|source| SandboxError::Folder {
                dir: dir.clone(),
                source,
            })?;
        }
        let mut holder = Command::new(launcher)
            .arg(HOLD_SANDBOX_ARG)
            .args(paths.to_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| SandboxError::Launcher {
                launcher: launcher.to_owned(),
                source,
            })?;
        let stdin = holder.stdin.take();
        let mut line = String::new();
        let said = holder
            .stdout
            .take()
            .map(|out| BufReader::new(out).read_line(&mut line));
        match (said, line.trim().parse::<u32>()) {
            (Some(Ok(_)), Ok(pid)) => Ok(Sandbox { holder, stdin, pid }),
            _ => {
                let _ = holder.kill();
                let _ = holder.wait();
                let mut why = String::new();
                if let Some(mut err) = holder.stderr.take() {
                    let _ = err.read_to_string(&mut why);
                }
                Err(SandboxError::Refused {
                    why: why.trim().to_owned(),
                })
            }
        }
    }

    /// The holder's pid, for `blockguard-contain --join-sandbox`.
    pub fn holder(&self) -> u32 {
        self.pid
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // The holder ends with its stdin.
        drop(self.stdin.take());
        if !matches!(
            self.holder.wait_timeout(Duration::from_secs(5)),
            Ok(Some(_))
        ) {
            let _ = self.holder.kill();
            let _ = self.holder.wait();
        }
    }
}
