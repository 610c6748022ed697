//! Exit codes the guard runtime gives a test process.
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | the test passed (libtest) |
//! | 101  | the test failed (libtest) |
//! | [`BLOCKED`] | a guarded call was denied (`deny`: at the call; `check`: after the test) |

/// The process attempted a denied blocking call on a microthread.
pub const BLOCKED: i32 = 86;
/// libtest's exit code for a failed test.
pub const LIBTEST_FAILED: i32 = 101;
