//! What run-suite says while it works. On a terminal: spinners for the
//! setup phases and a progress bar for the run, with libtest's lines
//! printed above the bar. Otherwise: plain lines.
//!
//! blockguard's own narration goes to stderr (like cargo's); libtest's
//! per-test lines go to stdout, or to stderr when stdout is kept for
//! cargo's JSON messages (`--message-format json`).
//!
//! Everything printed here carries test names, messages and sites the
//! crate under test chose, so everything goes out through
//! [`untrusted_text::visible`]: no ESC or bidi control reaches the terminal.

use super::libtest_lines;
use crate::events::RunListener;
use crate::schema::{RunEvent, TestKey};
use crate::untrusted_text;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{BufRead, BufReader, IsTerminal};
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The console of one run.
pub struct Console {
    tty: bool,
    /// stdout carries cargo's JSON messages alone: libtest's lines go to
    /// stderr.
    stdout_reserved: bool,
    /// The setup phases' spinners: two may run at once (the guard
    /// runtime's build beside the suite's).
    phases: MultiProgress,
    bar: Mutex<Option<ProgressBar>>,
    /// The tests the bar counts: queued, not yet finished.
    queued: Mutex<std::collections::HashSet<TestKey>>,
    warned: Mutex<std::collections::BTreeSet<String>>,
    /// Each finished test's outcome, for libtest's lines.
    outcomes: Mutex<libtest_lines::Outcomes>,
}

impl Default for Console {
    fn default() -> Console {
        Console::new()
    }
}

impl Console {
    /// A console that draws bars when stderr is a terminal.
    pub fn new() -> Console {
        Console {
            tty: std::io::stderr().is_terminal(),
            stdout_reserved: false,
            phases: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bar: Mutex::new(None),
            queued: Mutex::new(std::collections::HashSet::new()),
            warned: Mutex::new(std::collections::BTreeSet::new()),
            outcomes: Mutex::default(),
        }
    }

    /// A console that leaves stdout to cargo's JSON messages: libtest's
    /// lines go to stderr.
    pub fn reserving_stdout() -> Console {
        Console {
            stdout_reserved: true,
            ..Console::new()
        }
    }

    /// True when nothing but cargo's JSON messages may go to stdout.
    pub fn stdout_reserved(&self) -> bool {
        self.stdout_reserved
    }

    /// True when libtest's lines can be routed above the progress bar:
    /// stderr is a terminal, and so is stdout where they would go there.
    pub fn interactive(&self) -> bool {
        self.tty && (self.stdout_reserved || std::io::stdout().is_terminal())
    }

    /// A line of narration.
    pub fn note(&self, message: impl AsRef<str>) {
        self.line(&format!("blockguard: {}", message.as_ref()));
    }

    /// A warning.
    pub fn warn(&self, message: impl AsRef<str>) {
        self.line(&format!("warning: {}", message.as_ref()));
    }

    /// A warning given once per run however often it comes up.
    pub fn warn_once(&self, message: String) {
        let first = self
            .warned
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(message.clone());
        if first {
            self.warn(message);
        }
    }

    /// A block of text printed without disturbing the bar.
    pub fn block(&self, text: &str) {
        let text = untrusted_text::visible(text);
        match &*self.bar.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(bar) => bar.suspend(|| eprint!("{text}")),
            None => eprint!("{text}"),
        }
    }

    fn line(&self, line: &str) {
        let line = untrusted_text::visible(line);
        match &*self.bar.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// A setup phase: a spinner on a terminal, one line otherwise.
    pub fn phase(&self, message: String) -> Phase {
        if !self.tty {
            self.note(format!("{message} …"));
            return Phase { bar: None };
        }
        let bar = self.phases.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("a valid template"),
        );
        bar.set_message(untrusted_text::visible(&message));
        bar.enable_steady_tick(Duration::from_millis(120));
        Phase { bar: Some(bar) }
    }

    /// One more test for the run's progress bar (terminal only), which
    /// is made by the first.
    fn queue(&self, key: &TestKey) {
        lock(&self.queued).insert(key.clone());
        if !self.tty {
            return;
        }
        let mut bar = lock(&self.bar);
        let bar = bar.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} tests {elapsed} {wide_msg}")
                    .expect("a valid template"),
            );
            bar
        });
        bar.inc_length(1);
    }

    /// A test the bar counts is done.
    fn done(&self, key: &TestKey) {
        if !lock(&self.queued).remove(key) {
            return;
        }
        if let Some(bar) = &*lock(&self.bar) {
            bar.set_message(untrusted_text::visible(&key.to_string()));
            bar.inc(1);
        }
    }

    /// Removes the run's progress bar.
    pub fn finish_run(&self) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish_and_clear();
        }
    }

    /// Prints each line written to the returned pipe on stdout (stderr
    /// when stdout is reserved), above the bar on a terminal. Its `path` is given to
    /// libtest-mimic as `--logfile`, which opens it anew. `json` lines
    /// (`--format json`) go to stdout as [`untrusted_text::json`] makes
    /// them, for the program that reads them.
    pub fn libtest_pipe(self: &Arc<Self>, json: bool) -> std::io::Result<LibtestPipe> {
        let (read, write) = std::io::pipe()?;
        let (read, write) = (OwnedFd::from(read), OwnedFd::from(write));
        let path = format!("/proc/self/fd/{}", write.as_raw_fd());
        let console = Arc::clone(self);
        let above_bar = self.interactive() && !json;
        let reader = std::thread::spawn(move || {
            let mut read = BufReader::new(std::fs::File::from(read));
            let mut bytes = Vec::new();
            // Read to the end whatever comes, or libtest would block on a full pipe.
            while matches!(read.read_until(b'\n', &mut bytes), Ok(n) if n > 0) {
                let text = String::from_utf8_lossy(&bytes);
                let text = text.strip_suffix('\n').unwrap_or(&text);
                let text = text.strip_suffix('\r').unwrap_or(text);
                let line = match json {
                    true => untrusted_text::json(text),
                    false => untrusted_text::visible(&libtest_lines::rewrite(
                        text,
                        &lock(&console.outcomes),
                    )),
                };
                bytes.clear();
                match &*console.bar.lock().unwrap_or_else(|e| e.into_inner()) {
                    Some(bar) if above_bar => bar.println(&line),
                    _ if console.stdout_reserved => eprintln!("{line}"),
                    _ => println!("{line}"),
                }
            }
        });
        Ok(LibtestPipe {
            path,
            write: Some(write),
            reader: Some(reader),
        })
    }
}

/// The console shows the run's progress.
impl RunListener for Console {
    fn on(&self, event: &RunEvent) {
        match event {
            RunEvent::TestQueued { key } => self.queue(key),
            RunEvent::TestFinished { record, .. } => {
                lock(&self.outcomes).insert(record.key.to_string(), record.shown_outcome());
                self.done(&record.key);
            }
            _ => {}
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A pipe whose lines the console prints; see [`Console::libtest_pipe`].
pub struct LibtestPipe {
    /// The path that opens the pipe's write end.
    pub path: String,
    write: Option<OwnedFd>,
    reader: Option<JoinHandle<()>>,
}

impl LibtestPipe {
    /// Closes our write end and waits until every line is printed. Call it
    /// after libtest-mimic has closed its own.
    pub fn finish(mut self) {
        drop(self.write.take());
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// A running setup phase.
pub struct Phase {
    bar: Option<ProgressBar>,
}

impl Phase {
    /// Shows what the phase is doing now (terminal only).
    pub fn update(&self, message: String) {
        if let Some(bar) = &self.bar {
            bar.set_message(untrusted_text::visible(&message));
        }
    }

    /// Ends the phase.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
