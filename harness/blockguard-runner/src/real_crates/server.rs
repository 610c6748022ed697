//! A crate's loopback server (a database a driver's tests talk to):
//! started in a process group of its own before the crate's runs, waited
//! for until its port accepts, and ended, group and all, after them.

use super::crate_file::Server;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a server may take to accept its first connection.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// A running server; dropping it ends it.
pub struct Running {
    child: Child,
}

/// Starts `server`, its output into `log`; once its port accepts.
pub fn start(server: &Server, log: &Path) -> Result<Running, String> {
    let (program, args) = server
        .run
        .split_first()
        .ok_or_else(|| "`crate.server.run` is empty".to_owned())?;
    let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out
        .try_clone()
        .map_err(|e| format!("{}: {e}", log.display()))?;
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the server `{program}`: {e}"))?;
    let mut running = Running { child };
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, server.port));
    let started = Instant::now();
    loop {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(running);
        }
        if let Ok(Some(status)) = running.child.try_wait() {
            return Err(format!(
                "the server `{program}` exited ({status}) before it accepted on {address}: see {}",
                log.display()
            ));
        }
        if started.elapsed() > READY_WITHIN {
            return Err(format!(
                "the server `{program}` did not accept on {address} within {} s: see {}",
                READY_WITHIN.as_secs(),
                log.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let group = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        let _ = self.child.wait();
    }
}
