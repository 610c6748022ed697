//! Load-time setup, run by the dynamic loader before `main`: resolve the
//! real functions, read the environment and rules, open the trace, prove
//! the guards work, and write the capabilities line. A program the test
//! starts (it finds the trace begun) leaves the rules for first use and
//! the self-test to the test's own process, but for the escape backstop.
#![allow(unsafe_code)]

use crate::{board, config, exit, hooks, inflight, objects, rules, selftest, tally, trace};
use blockguard_protocol::Mode;

/// The constructor, in `.init_array` so it runs when the library loads.
#[used]
#[unsafe(link_section = ".init_array")]
static INIT: extern "C" fn() = init;

extern "C" fn init() {
    // Nothing may unwind out of a constructor.
    let _ = std::panic::catch_unwind(setup);
}

fn setup() {
    hooks::resolve_all();
    // The main thread is libtest's (or the program's): never an executor
    // worker, and probing it would walk it for nothing.
    crate::context::stop_probing();
    hooks::fds::resolve();
    hooks::disposition::resolve();
    hooks::dl::prepare();
    objects::get();
    let config = config::from_env().unwrap_or_else(|e| exit::bad_input(e));
    // A program the test starts finds the trace begun: it reads the rules
    // when first asked and skips the self-test's report, which only the
    // test's own process writes.
    let started_by_test = config.trace.as_deref().is_some_and(trace::begun);
    if started_by_test && !config.runs_code_under_test {
        crate::context::leave_executors_unguarded();
    }
    match config.rules.clone() {
        Some(path) if started_by_test => rules::install_later(path),
        Some(path) => rules::install(Some(
            blockguard_rules::load_for_guards(&path).unwrap_or_else(|e| exit::bad_input(e)),
        )),
        None => rules::install(None),
    }
    let owes_capabilities = match &config.trace {
        Some(path) => trace::open(path).unwrap_or_else(|e| exit::bad_input(e)),
        None => false,
    };
    if let (true, Some(path)) = (owes_capabilities, &config.trace) {
        // A whole binary (many tests, under the target runner) has no
        // timeout to explain and nobody following it live: its side files
        // would be written for nobody (three files made per run).
        if config.tests.is_none() {
            inflight::create(path);
            tally::create(path);
            board::create(path);
        }
        // Only the test's own process probes its threads: a program it
        // starts (cargo, rustc) inherits the preload but not the role.
        crate::context::enable_probing();
    }
    let config = config::install(config);
    if started_by_test {
        selftest::install_backstop();
    } else {
        let capabilities = selftest::run(config.mode);
        if owes_capabilities {
            trace::capabilities(capabilities);
        }
    }
    // A process that runs many tests ends as libtest says: the runner
    // reads from the trace which tests were denied.
    if config.mode == Mode::Check && config.tests.is_none() {
        exit::install_check_mode_exit();
    }
}
