//! What every hook does on the microthread before forwarding its call.

use crate::classify::{Call, spin};
use crate::escape::sud;
use crate::guard::{self, Decision};
use crate::inflight::{self, InFlight};
use crate::settle::Pending;
use crate::{errno, scheduler};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What the hook does next.
pub enum Next {
    /// Make the real call; it is in flight until this is dropped.
    Run(Running),
    /// Farm it out (farm mode); the `seq` of its event.
    Farm(u64),
}

/// A real call under way: in flight, then settled when its judgment
/// waits for its end. Held only to be dropped, in that order.
pub struct Running {
    _in_flight: InFlight,
    _pending: Pending,
}

impl Running {
    /// Nothing to mark or settle.
    pub const NONE: Running = Running {
        _in_flight: InFlight::NONE,
        _pending: Pending::NONE,
    };
}

/// Classifies and judges a call on the microthread; in deny mode a denied
/// call stops the microthread here and this never returns. `errno` is left
/// as it was, and no panic escapes (a failure lets the call through).
#[inline(never)]
pub fn before(
    escaped: bool,
    direct: &'static str,
    thread_bound: bool,
    classify: impl FnOnce() -> Option<Call>,
) -> Next {
    sud::rearm();
    crate::context::count_probe();
    let _errno = errno::Saved::now();
    let classified = catch_unwind(AssertUnwindSafe(classify));
    spin::classified();
    let Ok(Some(call)) = classified else {
        return Next::Run(Running::NONE);
    };
    let probed = crate::context::probing();
    let (decision, seq, settle) =
        catch_unwind(|| guard::judge(call, escaped, direct, thread_bound)).unwrap_or((
            Decision::Run,
            0,
            None,
        ));
    if probed && crate::context::on_executor_thread() {
        // The probe found an executor's worker: its raw syscalls trap too.
        sud::enable_for_current_thread();
    }
    match decision {
        Decision::Run => Next::Run(Running {
            _in_flight: inflight::enter(seq),
            _pending: Pending::start(settle),
        }),
        Decision::Farm => Next::Farm(seq),
        Decision::Stop => {
            crate::tally::add(seq, 0);
            scheduler::stop()
        }
    }
}
