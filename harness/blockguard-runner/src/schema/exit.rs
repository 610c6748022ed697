//! Exit codes of every `cargo xtask` command.
//!
//! | code | name | when |
//! |------|------|------|
//! | 0 | [`OK`] | every test passed, was suppressed or was ignored, and no snapshot changed |
//! | 1 | [`FAILED`] | a test failed, was blocked, timed out or crashed; a snapshot changed; the suite did not build; with `--strict`, also a stale rule or a new snapshot |
//! | 2 | [`ERROR`] | bad input (arguments, a rules file, an unknown crate) or a setup error (cargo, the guard runtime's build, writing a report); nothing or not everything ran |
//! | 4 | [`NO_TESTS`] | the filters chose no test to run (unless `--no-tests pass` or `warn`); no report was written over the last one |
//! | 128 + N | [`interrupted`] | signal N (SIGINT 130, SIGTERM 143, SIGHUP 129) stopped the run: running tests were ended, no report was written over the last one |

/// Everything passed, was suppressed or was ignored.
pub const OK: u8 = 0;
/// The suite ran and something in it failed (see the table).
pub const FAILED: u8 = 1;
/// The command could not do its job: bad input or a setup error.
pub const ERROR: u8 = 2;

/// The filters chose no test to run (as nextest's exit code 4).
pub const NO_TESTS: u8 = 4;

/// The exit code of a run stopped by `signal`, as a shell reports it.
pub fn interrupted(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(u8::MAX)
}
