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
}

impl Class {
    /// Every class, in table order.
    pub const ALL: [Class; 8] = [
        Class::Sleep,
        Class::Sync,
        Class::Net,
        Class::Pipe,
        Class::Fs,
        Class::Process,
        Class::Dns,
        Class::Poll,
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
        }
    }

    /// Whether `call` of this class is a wait a thread reaches only when
    /// another thread holds what it waits for: futex waits (parking, a
    /// contended std lock, a condition variable), contended pthread locks,
    /// semaphores, barriers. Whether a run reaches one is a race. Joins are
    /// not: std always joins.
    pub fn reached_only_under_contention(self, call: &str) -> bool {
        self == Class::Sync && !call.contains("join")
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
        write!(
            f,
            "unknown class `{}` (expected one of sleep, sync, net, pipe, fs, process, dns, poll)",
            self.0
        )
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
