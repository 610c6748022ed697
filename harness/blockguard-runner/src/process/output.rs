//! A child's stdout and stderr, each read on its own thread (a chatty child
//! cannot deadlock us), keeping the last bytes. The wait for their end is
//! bounded: a process the test left behind may hold them open forever.
//! The runner's secrets are redacted here, as the bytes come, so neither
//! the log nor anything made of the kept bytes ever holds one.

use crate::redact::Secrets;
use std::io::Read;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A log file both streams may write to.
pub type Log = Arc<Mutex<std::fs::File>>;

/// Output kept per stream: the last bytes, where a failure message is.
pub const KEEP: usize = 1 << 20;

/// One stream being read.
pub struct Tail {
    kept: Arc<Mutex<Vec<u8>>>,
    done: Receiver<()>,
    ended: bool,
}

impl Tail {
    /// Starts reading `stream` on its own thread; every byte also goes to
    /// `log` when there is one (stdout and stderr may share it).
    pub fn read(mut stream: impl Read + Send + 'static, log: Option<Log>) -> Tail {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let (tx, done): (Sender<()>, _) = channel();
        let sink = Arc::clone(&kept);
        std::thread::spawn(move || {
            let mut redacting = Secrets::of_runner().stream();
            let mut buf = [0u8; 16 * 1024];
            loop {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => pass_on(&redacting.push(&buf[..n]), log.as_ref(), &sink),
                }
            }
            pass_on(&redacting.finish(), log.as_ref(), &sink);
            let _ = tx.send(());
        });
        Tail {
            kept,
            done,
            ended: false,
        }
    }

    /// Waits until the stream ends or `deadline` passes; true if it ended.
    pub fn wait_until(&mut self, deadline: Instant) -> bool {
        if !self.ended {
            let left = deadline.saturating_duration_since(Instant::now());
            self.ended = !matches!(self.done.recv_timeout(left), Err(RecvTimeoutError::Timeout));
        }
        self.ended
    }

    /// What was read so far, lossily decoded.
    pub fn text(&self) -> String {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let from = kept.len().saturating_sub(KEEP);
        String::from_utf8_lossy(&kept[from..]).into_owned()
    }
}

/// Copies `bytes` to the log, if any, and to the kept bytes.
fn pass_on(bytes: &[u8], log: Option<&Log>, kept: &Mutex<Vec<u8>>) {
    if bytes.is_empty() {
        return;
    }
    if let Some(log) = log {
        use std::io::Write;
        let _ = log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .write_all(bytes);
    }
    let mut kept = kept.lock().unwrap_or_else(|e| e.into_inner());
    kept.extend_from_slice(bytes);
    if kept.len() > 2 * KEEP {
        let cut = kept.len() - KEEP;
        kept.drain(..cut);
    }
}

/// Waits for every stream until `timeout` from now; true if all ended.
pub fn all_ended(tails: &mut [&mut Tail], timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    tails.iter_mut().all(|t| t.wait_until(deadline))
}
