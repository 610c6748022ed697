//! The part of a call's judgment that must wait for it to return: whether
//! it stayed within its allowance's `under`, and whether a lock wait
//! actually waited. Such a call's event line is written here, once its
//! verdict is known, rather than before the call.

use crate::guard::{self, Settle};
use crate::{config, context, errno, exit, lock_wait, scheduler, tally};
use blockguard_protocol::{Mode, Verdict, span};
use std::time::{Duration, Instant};

/// A call whose judgment waits for its end, being timed; dropping it
/// settles the judgment (after the call's in-flight mark is dropped).
#[must_use]
pub struct Pending {
    settle: Option<Settle>,
    start: Option<Instant>,
}

impl Pending {
    /// Nothing to settle.
    pub const NONE: Pending = Pending {
        settle: None,
        start: None,
    };

    /// Starts timing the call `settle` is for (nothing for `None`).
    #[inline]
    pub fn start(settle: Option<Settle>) -> Pending {
        match settle {
            None => Pending::NONE,
            Some(settle) => Pending {
                settle: Some(settle),
                start: Some(Instant::now()),
            },
        }
    }
}

impl Drop for Pending {
    #[inline]
    fn drop(&mut self) {
        if let (Some(settle), Some(start)) = (self.settle.take(), self.start) {
            self::settle(&settle, start.elapsed());
        }
    }
}

/// Settles a call that took `took`: its line, its tally, and in deny mode
/// a stop right after a call over budget. No panic leaves it, and errno
/// is the call's own afterwards.
fn settle(s: &Settle, took: Duration) {
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
