//! `--live-feed FILE`: a run's events as JSON lines, and a nightly
//! following the feeds of its suites' runs, each run-suite child's tests
//! shown as that suite's on the nightly's dashboard.

use super::bus::RunListener;
use super::following::FOLLOW_EVERY;
use crate::live::hub::Hub;
use crate::schema::RunEvent;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Writes every event to a file, one JSON line each.
pub struct FeedWriter {
    file: Mutex<std::fs::File>,
}

impl FeedWriter {
    /// A feed into a new file at `path`.
    pub fn create(path: &Path) -> std::io::Result<FeedWriter> {
        Ok(FeedWriter {
            file: Mutex::new(std::fs::File::create(path)?),
        })
    }
}

impl RunListener for FeedWriter {
    fn on(&self, event: &RunEvent) {
        let Ok(mut line) = serde_json::to_vec(event) else {
            return;
        };
        line.push(b'\n');
        // One write per line: a reader never sees half of one.
        let _ = self
            .file
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .write_all(&line);
    }

    fn follows(&self) -> bool {
        true
    }
}

/// A feed being followed; [`FeedFollower::finish`] reads it to its end.
pub struct FeedFollower {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl FeedFollower {
    /// Follows `path` into `live`, its tests as `suite`'s, until finished.
    pub fn start(live: &Arc<Hub>, suite: &str, path: PathBuf) -> FeedFollower {
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
                    for event in reader.new_events() {
                        live.apply(Some(&suite), &event);
                    }
                    if last {
                        return;
                    }
                    std::thread::sleep(FOLLOW_EVERY);
                }
            })
        };
        FeedFollower { stop, thread }
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
    fn new_events(&mut self) -> Vec<RunEvent> {
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
