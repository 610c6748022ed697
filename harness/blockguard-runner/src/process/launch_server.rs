//! The client of the launch server (`blockguard_protocol::launch`): one
//! `blockguard-contain --serve-launches` per run forks each test's
//! launcher, so the runner pays no `exec` of a launcher per test.
//!
//! A served launcher is not our child: its pid comes back on its answer
//! socket, and so does the test's wait status. Its process group is its
//! own, as a spawned launcher's is, so timeouts and interruption signal it
//! the same way.

use blockguard_protocol::launch::{LaunchRequest, SENT_FDS, SERVE_LAUNCHES_ARG};
use rustix::net::{
    AddressFamily, SendAncillaryBuffer, SendAncillaryMessage, SendFlags, SocketFlags, SocketType,
    sendmsg, socketpair,
};
use std::ffi::OsString;
use std::io::{IoSlice, PipeReader, Read};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// A running launch server; it ends when this is dropped.
#[derive(Debug)]
pub struct LaunchServer {
    /// A `SOCK_SEQPACKET` socket: one request per packet, and the server
    /// sees its end when this closes.
    requests: Mutex<Option<OwnedFd>>,
    server: Mutex<Child>,
}

/// `BLOCKGUARD_LAUNCH_SERVER=off` spawns every launcher instead: the
/// benchmarks' way to measure what the server saves.
pub const LAUNCH_SERVER_VAR: &str = "BLOCKGUARD_LAUNCH_SERVER";

impl LaunchServer {
    /// Whether runs use a launch server (unless [`LAUNCH_SERVER_VAR`] is `off`).
    pub fn wanted() -> bool {
        std::env::var_os(LAUNCH_SERVER_VAR).is_none_or(|v| v != "off")
    }

    /// Starts `launcher --serve-launches --parent OUR_PID`, with `env`
    /// instead of our variables when given: a sandboxed run's server
    /// holds none of the runner's secrets, not even in the environment it
    /// started with, which its forked launchers keep in their memory.
    pub fn start(
        launcher: &Path,
        env: Option<&[(OsString, OsString)]>,
    ) -> std::io::Result<LaunchServer> {
        let (ours, theirs) = socketpair(
            AddressFamily::UNIX,
            SocketType::SEQPACKET,
            SocketFlags::CLOEXEC,
            None,
        )?;
        let mut server = Command::new(launcher);
        server
            .arg(SERVE_LAUNCHES_ARG)
            .arg(blockguard_protocol::contain::PARENT_ARG)
            .arg(std::process::id().to_string())
            .stdin(Stdio::from(theirs))
            .stdout(Stdio::null());
        if let Some(env) = env {
            server.env_clear().envs(env.iter().cloned());
        }
        let server = server.spawn()?;
        Ok(LaunchServer {
            requests: Mutex::new(Some(ours)),
            server: Mutex::new(server),
        })
    }

    /// Launches the launcher arguments `argv` in `cwd` with exactly `env`;
    /// the launcher's stdout and stderr come back as pipes.
    pub fn launch(
        &self,
        argv: Vec<OsString>,
        env: Vec<(OsString, OsString)>,
        cwd: &Path,
    ) -> std::io::Result<Served> {
        let (answer, answer_theirs) = UnixStream::pair()?;
        let (stdout, stdout_theirs) = std::io::pipe()?;
        let (stderr, stderr_theirs) = std::io::pipe()?;
        let request = LaunchRequest {
            cwd: cwd.to_path_buf(),
            env,
            argv,
        }
        .encode();
        let fds = [
            answer_theirs.as_fd(),
            stdout_theirs.as_fd(),
            stderr_theirs.as_fd(),
        ];
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(SENT_FDS))];
        let mut control = SendAncillaryBuffer::new(&mut space);
        control.push(SendAncillaryMessage::ScmRights(&fds));
        {
            let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            let socket = requests.as_ref().ok_or(std::io::ErrorKind::BrokenPipe)?;
            sendmsg(
                socket,
                &[IoSlice::new(&request)],
                &mut control,
                SendFlags::empty(),
            )?;
        }
        // Only the launcher holds the write ends and its answer end now.
        drop((answer_theirs, stdout_theirs, stderr_theirs));
        let mut served = Served {
            pid: 0,
            answer,
            stdout: Some(stdout),
            stderr: Some(stderr),
            status: None,
            partial: Vec::new(),
        };
        let mut pid = [0u8; 4];
        served.answer.read_exact(&mut pid)?;
        served.pid = u32::from_le_bytes(pid);
        Ok(served)
    }
}

impl Drop for LaunchServer {
    fn drop(&mut self) {
        // The server ends with its stdin.
        drop(self.requests.lock().map(|mut r| r.take()));
        let mut server = self.server.lock().unwrap_or_else(|e| e.into_inner());
        if !matches!(server.wait_timeout(Duration::from_secs(5)), Ok(Some(_))) {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// A launcher the server forked.
pub struct Served {
    pid: u32,
    answer: UnixStream,
    /// Its stdout, until taken.
    pub stdout: Option<PipeReader>,
    /// Its stderr, until taken.
    pub stderr: Option<PipeReader>,
    status: Option<ExitStatus>,
    /// Bytes of the status read so far.
    partial: Vec<u8>,
}

impl Served {
    /// The launcher's pid, also its process group's id.
    pub fn id(&self) -> u32 {
        self.pid
    }

    /// Its wait status, once it came within `timeout`.
    pub fn wait_timeout(&mut self, timeout: Duration) -> std::io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let deadline = Instant::now() + timeout;
        while self.partial.len() < 4 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            self.answer.set_read_timeout(Some(left))?;
            let mut buf = [0u8; 4];
            match self.answer.read(&mut buf[..4 - self.partial.len()]) {
                // Ended unanswered: only SIGKILL stops a launcher that way.
                Ok(0) => return Ok(Some(self.ended(ExitStatus::from_raw(SIGKILLED)))),
                Ok(n) => self.partial.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(None);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let raw = i32::from_le_bytes(self.partial[..4].try_into().expect("four bytes"));
        Ok(Some(self.ended(ExitStatus::from_raw(raw))))
    }

    /// Its wait status, however long that takes.
    pub fn wait(&mut self) -> std::io::Result<ExitStatus> {
        loop {
            if let Some(status) = self.wait_timeout(Duration::from_secs(3600))? {
                return Ok(status);
            }
        }
    }

    fn ended(&mut self, status: ExitStatus) -> ExitStatus {
        self.status = Some(status);
        status
    }
}

/// The wait status of a process killed by SIGKILL.
const SIGKILLED: i32 = 9;
