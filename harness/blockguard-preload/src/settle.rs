//! The part of a call's judgment that must wait for it to return: whether
//! it stayed within its allowance's `under`, and whether a lock wait
//! actually waited. Such a call's event line is written here, once its
//! verdict is known, rather than before the call.

use crate::guard::{self, Stack};
use crate::{config, context, errno, exit, lock_wait, scheduler, tally};
use blockguard_protocol::{Mode, TraceEvent, Verdict, span};
use std::sync::Arc;
use std::time::Duration;

/// What a call's judgment still needs once it has returned.
pub struct Settle {
    /// The site's fingerprint.
    pub key: u64,
    /// The site's event as judged before the call.
    pub event: Arc<TraceEvent>,
    /// The stack it was first seen with.
    pub stack: Stack,
    /// The allowing rule's budget per call.
    pub under: Option<Duration>,
    /// The call is a lock wait (see [`lock_wait`]).
    pub lock_wait: bool,
}

/// Settles a call that took `took`: its line, its tally, and in deny mode
/// a stop right after a call over budget. No panic leaves it, and errno
/// is the call's own afterwards.
pub fn settle(s: &Settle, took: Duration) {
    let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
    let over = {
        let Some(_scope) = context::enter_guard() else {
            return;
        };
        let _errno = errno::Saved::now();
        let written = std::panic::catch_unwind(|| write(s, took));
        let Ok((seq, over)) = written else {
            return;
        };
        tally::add(seq, nanos);
        over
    };
    if over {
        exit::note_denied();
        if config::get().is_some_and(|c| c.mode == Mode::Deny) {
            scheduler::stop();
        }
    }
}

/// Writes the call's line; its `seq`, and whether it ran over budget.
fn write(s: &Settle, took: Duration) -> (u64, bool) {
    let mut event = (*s.event).clone();
    event.contended = s.lock_wait && took >= lock_wait::WAITED;
    match s.under.filter(|&under| took > under) {
        Some(under) => {
            event.verdict = Verdict::Denied;
            event.rule = Some(span::over_budget(took, under));
            (guard::record_over_budget(s.key, event, &s.stack), true)
        }
        None => (guard::record_settled(event, &s.stack), false),
    }
}
