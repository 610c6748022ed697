//! Lock waits: calls that reach the guard only because another thread
//! holds a lock, so that whether they happen at all depends on timing.
//!
//! The pthread locks are hooked behind their try-form (`hooks::sync`): a
//! call judged is one whose try found the lock held. std's and
//! parking_lot's locks wait with a raw futex wait from their slow path,
//! which the stack names.

use blockguard_protocol::Class;
use std::time::Duration;

/// Hooked locks judged only when their try-form failed.
const LOCK_CALLS: &[&str] = &[
    "pthread_mutex_lock",
    "pthread_rwlock_rdlock",
    "pthread_rwlock_wrlock",
    "pthread_spin_lock",
];

/// The slow paths of lock types that wait with a futex: type and method.
/// A condition variable's or a channel's wait is not among them: it waits
/// on purpose.
const SLOW_PATHS: &[(&str, &str)] = &[
    // std's futex Mutex and RwLock.
    ("Mutex", "lock_contended"),
    ("RwLock", "read_contended"),
    ("RwLock", "write_contended"),
    // parking_lot's.
    ("RawMutex", "lock_slow"),
    ("RawRwLock", "lock_exclusive_slow"),
    ("RawRwLock", "lock_shared_slow"),
    ("RawRwLock", "lock_upgradable_slow"),
    ("RawRwLock", "upgrade_slow"),
];

/// Whether `frame` is `path::Type::method` or `<path::Type>::method`.
fn is_method(frame: &str, (ty, method): (&str, &str)) -> bool {
    let Some(owner) = frame
        .strip_suffix(method)
        .and_then(|f| f.strip_suffix("::"))
    else {
        return false;
    };
    let owner = owner.strip_suffix('>').unwrap_or(owner);
    owner
        .strip_suffix(ty)
        .is_some_and(|path| path.is_empty() || path.ends_with("::"))
}

/// A lock wait that took this long waited for the lock's holder; one that
/// returned sooner found the lock free again (a futex wait whose word had
/// changed returns in about a microsecond, a wake takes a context switch).
pub const WAITED: Duration = Duration::from_micros(20);

/// Whether `call`, with `frames` (innermost first), is a lock wait.
pub fn is_lock_wait(call: &str, class: Class, frames: &[&str]) -> bool {
    class == Class::Sync
        && (LOCK_CALLS.contains(&call)
            || (call == "futex_wait"
                && frames
                    .iter()
                    .any(|f| SLOW_PATHS.iter().any(|&p| is_method(f, p)))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_futex_wait_is_a_lock_wait_only_in_a_locks_slow_path() {
        let lock = ["<std::sys::sync::mutex::futex::Mutex>::lock_contended"];
        let parking = ["parking_lot::raw_mutex::RawMutex::lock_slow"];
        assert!(is_lock_wait("futex_wait", Class::Sync, &parking));
        let condvar = ["std::sys::sync::condvar::futex::Condvar::wait"];
        assert!(is_lock_wait("futex_wait", Class::Sync, &lock));
        assert!(!is_lock_wait("futex_wait", Class::Sync, &condvar));
        assert!(is_lock_wait("pthread_mutex_lock", Class::Sync, &[]));
        assert!(!is_lock_wait("pthread_cond_wait", Class::Sync, &[]));
    }
}
