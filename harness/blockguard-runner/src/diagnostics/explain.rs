//! What each class of blocking call means and what to do about it: SARIF's
//! rule descriptions and the explanation of cargo's diagnostic codes.

use blockguard_protocol::Class;

/// One line: what a call of the class waits for.
pub fn short(class: Class) -> &'static str {
    match class {
        Class::Sleep => "A timed sleep or signal wait blocks the thread",
        Class::Sync => "A futex wait, join, contended lock or condition variable blocks the thread",
        Class::Net => "I/O, accept or connect on a blocking socket blocks the thread",
        Class::Pipe => "I/O on a blocking pipe, FIFO, tty or character device blocks the thread",
        Class::Fs => "I/O or a lock on a regular file blocks the thread",
        Class::Process => "Waiting for a child process blocks the thread",
        Class::Dns => "Name resolution blocks the thread",
        Class::Poll => "A readiness wait with a non-zero timeout blocks the thread",
        Class::Spin => {
            "A busy-wait (sched_yield or a zero-length sleep, again and again) blocks the thread"
        }
    }
}

/// A paragraph: why it matters and the two ways out.
pub fn full(class: Class) -> String {
    format!(
        "{}. Under a cooperative scheduler (a microthread, or an async \
         executor's task) that stalls every other task on the thread until \
         the call returns. Use the scheduler's own waiting form of the call \
         (an async or yielding one), move the call to a thread of its own, \
         or, when the wait is the test's own, allow it with an [[allow]] \
         rule (call, within, reason) in the rules file.",
        short(class)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_is_explained() {
        for class in Class::ALL {
            assert!(full(class).starts_with(short(class)));
        }
    }
}
