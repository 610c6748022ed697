//! SIGINT, SIGTERM or SIGHUP while tests run: every running test's process
//! group gets SIGTERM, then SIGKILL after a grace period; tests not yet
//! started do not start, and the run says what was interrupted. A second
//! signal ends everything at once.

use rustix::process::{Pid, Signal, kill_process_group};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// How long interrupted tests get between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(1);

#[derive(Default)]
struct State {
    /// Running children by process group, with the test each runs.
    running: BTreeMap<i32, String>,
    /// The signal that interrupted the run.
    signal: Option<i32>,
    /// The tests that were running when it came.
    interrupted: Vec<String>,
}

fn state() -> std::sync::MutexGuard<'static, State> {
    static STATE: Mutex<State> = Mutex::new(State {
        running: BTreeMap::new(),
        signal: None,
        interrupted: Vec::new(),
    });
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts listening for the signals (once per process).
pub fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            for signal in signals.forever() {
                on_signal(signal);
            }
        });
    });
}

fn on_signal(signal: i32) {
    let groups: Vec<i32> = {
        let mut state = state();
        if state.signal.is_some() {
            // The second signal: no more grace.
            for &group in state.running.keys() {
                kill(group, Signal::KILL);
            }
            std::process::exit(i32::from(crate::schema::exit::interrupted(signal)));
        }
        state.signal = Some(signal);
        state.interrupted = state.running.values().cloned().collect();
        state.running.keys().copied().collect()
    };
    for &group in &groups {
        kill(group, Signal::TERM);
    }
    std::thread::sleep(GRACE);
    let state = state();
    for group in groups.iter().filter(|g| state.running.contains_key(g)) {
        kill(*group, Signal::KILL);
    }
}

fn kill(group: i32, signal: Signal) {
    if let Some(pid) = Pid::from_raw(group) {
        let _ = kill_process_group(pid, signal);
    }
}

/// The signal that interrupted the run, if one did.
pub fn signal() -> Option<i32> {
    state().signal
}

/// The tests that were running when the run was interrupted.
pub fn interrupted_tests() -> Vec<String> {
    state().interrupted.clone()
}

/// A running child's registration; dropping it deregisters.
pub struct Running(i32);

/// Registers the child whose process group is `group`, running `test`.
/// A run already interrupted ends it at once.
pub fn register(group: i32, test: &str) -> Running {
    let mut state = state();
    if state.signal.is_some() {
        kill(group, Signal::KILL);
    }
    state.running.insert(group, test.to_owned());
    Running(group)
}

impl Drop for Running {
    fn drop(&mut self) {
        state().running.remove(&self.0);
    }
}
