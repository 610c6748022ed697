//! What every hook does on the microthread before forwarding its call.

use crate::classify::Call;
use crate::escape::sud;
use crate::guard::{self, Decision};
use crate::{errno, scheduler};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Classifies and judges a call on the microthread; in deny mode a denied
/// call stops the microthread here and this never returns. Returns true
/// when the hook must farm the call out (farm mode) instead of making it.
/// `errno` is left as it was, and no panic escapes (a failure lets the
/// call through).
#[inline(never)]
pub fn before(
    escaped: bool,
    direct: &'static str,
    classify: impl FnOnce() -> Option<Call>,
) -> bool {
    sud::rearm();
    let _errno = errno::Saved::now();
    let Ok(Some(call)) = catch_unwind(AssertUnwindSafe(classify)) else {
        return false;
    };
    let decision = catch_unwind(|| guard::judge(call, escaped, direct)).unwrap_or(Decision::Run);
    match decision {
        Decision::Run => false,
        Decision::Farm => true,
        Decision::Stop => scheduler::stop(),
    }
}
