//! Exit codes the guard runtime gives a test process.
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | the test passed (libtest) |
//! | 101  | the test failed (libtest) |
//! | [`BAD_INPUT`] | the runtime refused to start: the runner's input was unusable |
//! | [`BLOCKED`] | a guarded call was denied (`deny`: at the call; `check`: after the test) |

/// The guard runtime refused to start the test: what the runner gave it
/// (its settings in the environment, the rules file, the trace path) was
/// unusable. The process ends at load time, before `main`, with a
/// `blockguard: …` line on stderr; the runner has no case of its own for
/// it and judges the test failed, with that line as the reason. The same
/// value as the runner's own exit code for bad input.
pub const BAD_INPUT: i32 = 2;
/// The process attempted a denied blocking call on a microthread.
pub const BLOCKED: i32 = 86;
/// libtest's exit code for a failed test.
pub const LIBTEST_FAILED: i32 = 101;
