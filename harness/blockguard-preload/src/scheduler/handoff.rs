//! What passes between a microthread and the scheduler at each switch:
//! why the microthread handed control back ([`Suspend`]) and what it is
//! told when resumed ([`Resume`]), and the coroutine types that carry them.

use super::farm;
use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, Yielder};
use std::sync::Arc;
use std::time::Instant;

/// Why a microthread handed control back to the scheduler.
pub enum Suspend {
    /// It yields and wants to be resumed.
    Yield,
    /// It reached a denied call in deny mode: never resume it.
    Stopped,
    /// It sleeps until then.
    Sleep(Instant),
    /// It waits for [`unpark`]; the text says where, for a deadlock report.
    Park(String),
    /// It waits for the microthread with this id to end.
    Join(u64),
    /// It waits for a worker to finish its call.
    Farm(Arc<farm::Job>),
}

/// What a microthread is told when it is resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// Go on.
    Go,
    /// Its wait can never end: every microthread is parked.
    Deadlock,
}

/// The handle a running microthread suspends itself with.
pub type MicroYielder = Yielder<Resume, Suspend>;
/// A microthread's coroutine.
pub type MicroCoroutine = Coroutine<Resume, Suspend, usize, DefaultStack>;
