//! A nightly's dashboard is fed by its suites' runs: each run-suite child
//! writes its events to a file (`--live-feed`), and the nightly follows
//! that file while the child runs, taking its tests on as that suite's.

use super::hub::{FOLLOW_EVERY, FeedLine, Live};
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// A feed being followed; [`Following::finish`] reads it to its end.
pub struct Following {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Following {
    /// Follows `path` into `live` as `suite`'s, until finished.
    pub fn start(live: &Arc<Live>, suite: &str, path: PathBuf) -> Following {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (live, suite, stop) = (Arc::clone(live), suite.to_owned(), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut reader = FeedReader {
                    path,
                    at: 0,
                    partial: Vec::new(),
                };
                loop {
                    // Read once more after the stop: the child has exited.
                    let last = stop.load(Ordering::Acquire);
                    for line in reader.new_lines() {
                        live.absorb(&suite, &line);
                    }
                    if last {
                        return;
                    }
                    std::thread::sleep(FOLLOW_EVERY);
                }
            })
        };
        Following { stop, thread }
    }

    /// The child has exited: take the rest of its feed.
    pub fn finish(self) {
        self.stop.store(true, Ordering::Release);
        let _ = self.thread.join();
    }
}

/// Reads the whole lines appended to a file since the last read.
struct FeedReader {
    path: PathBuf,
    at: u64,
    partial: Vec<u8>,
}

impl FeedReader {
    fn new_lines(&mut self) -> Vec<FeedLine> {
        let Ok(mut file) = std::fs::File::open(&self.path) else {
            return Vec::new();
        };
        let mut fresh = Vec::new();
        if file.seek(SeekFrom::Start(self.at)).is_err() || file.read_to_end(&mut fresh).is_err() {
            return Vec::new();
        }
        self.at += fresh.len() as u64;
        self.partial.extend(fresh);
        let Some(end) = self.partial.iter().rposition(|&b| b == b'\n') else {
            return Vec::new();
        };
        let whole: Vec<u8> = self.partial.drain(..=end).collect();
        String::from_utf8_lossy(&whole)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }
}
