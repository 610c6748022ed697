//! Reaping, and killing everything below us: SIGKILL to every descendant,
//! again and again, reaping as they go, until we have no child left. The
//! orphans of the killed come to us as they go: we are a child subreaper
//! (a test's reaper) or an init (the run's).

use crate::descendants::descendants;
use crate::{sys, sys_reap};
use std::time::{Duration, Instant};

/// How long [`kill_all`] keeps at it: only a process the kernel cannot
/// end (stuck in an uninterruptible wait) or a `/proc` that shows none
/// of our children keeps it that long.
const GIVE_UP: Duration = Duration::from_secs(5);

/// Reaps every child that has ended; whether any child is left.
pub fn reap_ended() -> bool {
    loop {
        match sys::waitpid(-1, true) {
            Ok(Some(_)) => continue,
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
}

/// Kills every process below us until we have no child left.
pub fn kill_all() {
    let deadline = Instant::now() + GIVE_UP;
    loop {
        for process in descendants() {
            sys_reap::kill(process.pid, libc::SIGKILL);
        }
        if !reap_ended() || Instant::now() >= deadline {
            return;
        }
        sys::sleep_ms(1);
    }
}
