//! The per-test timeout's default, for run-suite and the target runner.

use std::time::Duration;

/// The per-test timeout when neither the suite nor `--timeout` sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
