//! `spin`: a thread that yields again and again is waiting for another
//! thread without parking. Each `sched_yield` and zero-length sleep on a
//! guarded thread is counted here; one that is the
//! [`SPIN_YIELDS`]th in a row is the spin's blocking call, judged once for
//! the whole spin. The run of yields ends at any other hooked call (a
//! park, a lock, I/O: the code did something else) and when a microthread
//! starts a turn. On an executor's worker there is no cheap sign of where
//! a task poll ends; its polls are separated by the worker's own waits,
//! which are hooked calls.
//!
//! The count is one thread-local cell: a yield that is not the spin's
//! costs a read and a write of it on top of the hook itself.

use super::Call;
use blockguard_protocol::Class;
use blockguard_protocol::class::SPIN_YIELDS;
use std::cell::Cell;

/// The yields in a row on this thread, and whether the call being
/// classified now is one of them.
#[derive(Clone, Copy)]
struct Run {
    yields: u32,
    counting: bool,
}

thread_local! {
    static RUN: Cell<Run> = const { Cell::new(Run { yields: 0, counting: false }) };
}

/// Counts a yield (`sched_yield`, or a sleep of zero length, named
/// `name`): the spin's call when it is the [`SPIN_YIELDS`]th in a row,
/// else `None` (the spin, if any, was already judged).
pub fn yielded(name: &'static str) -> Option<Call> {
    let run = RUN.with(Cell::get);
    let yields = run.yields.saturating_add(1);
    RUN.with(|r| {
        r.set(Run {
            yields,
            counting: true,
        })
    });
    (yields == SPIN_YIELDS).then(|| Call::new(name, Class::Spin))
}

/// A sleep of `name` that is zero-length (`zero`) counts as a yield;
/// any other is a `sleep`.
pub fn sleep(name: &'static str, zero: bool) -> Option<Call> {
    if zero {
        yielded(name)
    } else {
        Some(Call::new(name, Class::Sleep))
    }
}

/// After a hooked call was classified: unless it was a yield, the run of
/// yields is over.
#[inline]
pub fn classified() {
    RUN.with(|r| {
        let run = r.get();
        let yields = if run.counting { run.yields } else { 0 };
        r.set(Run {
            yields,
            counting: false,
        })
    });
}

/// A microthread starts a turn: yields before it were another turn's.
#[inline]
pub fn new_turn() {
    RUN.with(|r| {
        r.set(Run {
            yields: 0,
            counting: false,
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` yields each classified as the hooks do: the calls judged.
    fn yields(n: u32) -> Vec<Call> {
        (0..n)
            .filter_map(|_| {
                let call = yielded("sched_yield");
                classified();
                call
            })
            .collect()
    }

    #[test]
    fn a_few_yields_are_no_spin_and_a_long_run_is_one() {
        new_turn();
        assert_eq!(yields(SPIN_YIELDS - 1), []);
        new_turn();
        assert_eq!(yields(1000), [Call::new("sched_yield", Class::Spin)]);
    }

    #[test]
    fn another_call_between_yields_ends_the_run() {
        new_turn();
        for _ in 0..10 {
            assert_eq!(yields(SPIN_YIELDS - 1), []);
            // A hooked call that is no yield, such as a futex wake.
            classified();
        }
        assert_eq!(yields(1).len(), 0);
    }

    #[test]
    fn a_new_turn_ends_the_run() {
        new_turn();
        assert_eq!(yields(SPIN_YIELDS - 1), []);
        new_turn();
        assert_eq!(yields(SPIN_YIELDS - 1), []);
        assert_eq!(yields(1).len(), 1);
    }

    #[test]
    fn a_zero_length_sleep_is_a_yield_and_a_longer_one_a_sleep() {
        new_turn();
        assert_eq!(
            sleep("nanosleep", false).map(|c| c.class),
            Some(Class::Sleep)
        );
        classified();
        for _ in 1..SPIN_YIELDS {
            assert_eq!(sleep("nanosleep", true), None);
            classified();
        }
        assert_eq!(
            sleep("usleep", true),
            Some(Call::new("usleep", Class::Spin))
        );
    }
}
