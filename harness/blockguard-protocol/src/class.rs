//! The classes of thread-blocking calls.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What kind of wait a blocking call performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Timed sleeps and signal waits.
    Sleep,
    /// Futex waits, joins, contended locks, condition variables, semaphores.
    Sync,
    /// I/O, accept and connect on blocking sockets.
    Net,
    /// I/O on blocking pipes, FIFOs, ttys and character devices.
    Pipe,
    /// I/O and locks on regular files.
    Fs,
    /// Waiting for child processes.
    Process,
    /// Name resolution.
    Dns,
    /// Readiness waits with a non-zero timeout.
    Poll,
    /// Busy-waiting: [`SPIN_YIELDS`] or more `sched_yield`s (or zero-length
    /// sleeps) in a row within one turn of a microthread or one task poll.
    Spin,
}

/// How many yields in a row make a spin. One or two are how code lets
/// another thread run once (a retry after a lost race, a backoff's first
/// step); a thread that yields this many times in a row with no other
/// call between is waiting for another thread, and stalls its task poll
/// as surely as a futex wait would. Backoffs such as std's and
/// crossbeam's reach their first yield only after about a hundred busy
/// spins, so their fourth yield is long past a lost race.
pub const SPIN_YIELDS: u32 = 4;

impl Class {
    /// Every class, in table order.
    pub const ALL: [Class; 9] = [
        Class::Sleep,
        Class::Sync,
        Class::Net,
        Class::Pipe,
        Class::Fs,
        Class::Process,
        Class::Dns,
        Class::Poll,
        Class::Spin,
    ];

    /// The lowercase name used in traces and rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Sleep => "sleep",
            Class::Sync => "sync",
            Class::Net => "net",
            Class::Pipe => "pipe",
            Class::Fs => "fs",
            Class::Process => "process",
            Class::Dns => "dns",
            Class::Poll => "poll",
            Class::Spin => "spin",
        }
    }

    /// Whether `call` of this class is a wait a thread reaches only when
    /// another thread holds what it waits for: futex waits (parking, a
    /// contended std lock, a condition variable), contended pthread locks,
    /// semaphores, barriers; and spins, which last as long as the other
    /// thread takes. Whether a run reaches one is a race. Joins are not:
    /// std always joins.
    pub fn reached_only_under_contention(self, call: &str) -> bool {
        self == Class::Spin || self == Class::Sync && !call.contains("join")
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not one of the classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownClass(pub String);

impl fmt::Display for UnknownClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown class `{}` (expected one of ", self.0)?;
        for (i, class) in Class::ALL.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{class}")?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for UnknownClass {}

impl FromStr for Class {
    type Err = UnknownClass;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Class::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownClass(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_parses_from_its_name_and_an_unknown_one_lists_them_all() {
        for class in Class::ALL {
            assert_eq!(class.as_str().parse::<Class>(), Ok(class));
        }
        assert_eq!("spin".parse::<Class>(), Ok(Class::Spin));
        let err = "spinning".parse::<Class>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown class `spinning` (expected one of sleep, sync, net, pipe, fs, process, dns, poll, spin)"
        );
    }

    #[test]
    fn a_spin_is_reached_only_under_contention() {
        assert!(Class::Spin.reached_only_under_contention("sched_yield"));
        assert!(!Class::Sync.reached_only_under_contention("pthread_join"));
    }
}
