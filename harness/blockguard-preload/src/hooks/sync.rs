//! `sync`: futex waits, joins, condition variables, semaphores, barriers,
//! and contended locks. A lock counts only when it is contended: the hook
//! tries it first, and an acquired try is the whole call.
#![allow(unsafe_code)]

use super::macros::hook;
use crate::classify::{Call, classify_syscall};
use crate::real::Real;
use blockguard_protocol::Class::Sync;
use libc::{
    c_int, c_long, c_void, clockid_t, pthread_barrier_t, pthread_cond_t, pthread_mutex_t,
    pthread_rwlock_t, pthread_spinlock_t, pthread_t, sem_t, timespec,
};

fn sync(name: &'static str) -> Option<Call> {
    Some(Call::new(name, Sync))
}

hook! {
    /// pthread_join(3)
    fn pthread_join(t: pthread_t, ret: *mut *mut c_void) -> c_int => |_, _| sync("pthread_join");
    /// pthread_timedjoin_np(3)
    fn pthread_timedjoin_np(t: pthread_t, ret: *mut *mut c_void, abstime: *const timespec) -> c_int
        => |_, _, _| sync("pthread_timedjoin_np");
    /// pthread_clockjoin_np(3)
    fn pthread_clockjoin_np(t: pthread_t, ret: *mut *mut c_void, clock: clockid_t, abstime: *const timespec) -> c_int
        => |_, _, _, _| sync("pthread_clockjoin_np");
    /// pthread_cond_wait(3)
    @thread_bound fn pthread_cond_wait(c: *mut pthread_cond_t, m: *mut pthread_mutex_t) -> c_int
        => |_, _| sync("pthread_cond_wait");
    /// pthread_cond_timedwait(3)
    @thread_bound fn pthread_cond_timedwait(c: *mut pthread_cond_t, m: *mut pthread_mutex_t, abstime: *const timespec) -> c_int
        => |_, _, _| sync("pthread_cond_timedwait");
    /// pthread_cond_clockwait(3)
    @thread_bound fn pthread_cond_clockwait(c: *mut pthread_cond_t, m: *mut pthread_mutex_t, clock: clockid_t, abstime: *const timespec) -> c_int
        => |_, _, _, _| sync("pthread_cond_clockwait");
    /// pthread_mutex_timedlock(3)
    @thread_bound fn pthread_mutex_timedlock(m: *mut pthread_mutex_t, abstime: *const timespec) -> c_int
        => |_, _| sync("pthread_mutex_timedlock");
    /// pthread_rwlock_timedrdlock(3)
    @thread_bound fn pthread_rwlock_timedrdlock(l: *mut pthread_rwlock_t, abstime: *const timespec) -> c_int
        => |_, _| sync("pthread_rwlock_timedrdlock");
    /// pthread_rwlock_timedwrlock(3)
    @thread_bound fn pthread_rwlock_timedwrlock(l: *mut pthread_rwlock_t, abstime: *const timespec) -> c_int
        => |_, _| sync("pthread_rwlock_timedwrlock");
    /// sem_timedwait(3)
    fn sem_timedwait(s: *mut sem_t, abstime: *const timespec) -> c_int => |_, _| sync("sem_timedwait");
    /// sem_clockwait(3)
    fn sem_clockwait(s: *mut sem_t, clock: clockid_t, abstime: *const timespec) -> c_int
        => |_, _, _| sync("sem_clockwait");
    /// pthread_barrier_wait(3): waits for the others (unless it is the last to arrive).
    fn pthread_barrier_wait(b: *mut pthread_barrier_t) -> c_int => |_| sync("pthread_barrier_wait");
}

/// The try-form of a lock, made first on a guarded thread: the whole call
/// unless `busy` says the lock is held elsewhere.
fn attempt<T>(try_form: &TryForm<T>, lock: *mut T, busy: fn(c_int) -> bool) -> Option<c_int> {
    // SAFETY: try_form is libc's try-form of the lock; the caller's own lock.
    let r = unsafe { try_form.get()(lock) };
    (!busy(r)).then_some(r)
}

fn ebusy(r: c_int) -> bool {
    r == libc::EBUSY
}

fn sem_empty(r: c_int) -> bool {
    r == -1 && crate::errno::get() == libc::EAGAIN
}

/// A lock's try-form: one pointer to the lock, 0 or an error back.
type TryForm<T> = Real<unsafe extern "C" fn(*mut T) -> c_int>;

// SAFETY: each try-form takes a pointer to its lock type and returns an
// int, as glibc declares it.
static MUTEX_TRYLOCK: TryForm<pthread_mutex_t> = unsafe { Real::new(c"pthread_mutex_trylock") };
// SAFETY: as for MUTEX_TRYLOCK.
static RWLOCK_TRYRDLOCK: TryForm<pthread_rwlock_t> =
    unsafe { Real::new(c"pthread_rwlock_tryrdlock") };
// SAFETY: as for MUTEX_TRYLOCK.
static RWLOCK_TRYWRLOCK: TryForm<pthread_rwlock_t> =
    unsafe { Real::new(c"pthread_rwlock_trywrlock") };
// SAFETY: as for MUTEX_TRYLOCK.
static SPIN_TRYLOCK: TryForm<pthread_spinlock_t> = unsafe { Real::new(c"pthread_spin_trylock") };
// SAFETY: as for MUTEX_TRYLOCK.
static SEM_TRYWAIT: TryForm<sem_t> = unsafe { Real::new(c"sem_trywait") };

// Locks belong to the thread that takes them: never farmed.
hook! {
    /// pthread_mutex_lock(3)
    @thread_bound fn pthread_mutex_lock(m: *mut pthread_mutex_t) -> c_int
        , attempt |m| attempt(&MUTEX_TRYLOCK, m, ebusy) => |_| sync("pthread_mutex_lock");
    /// pthread_rwlock_rdlock(3)
    @thread_bound fn pthread_rwlock_rdlock(l: *mut pthread_rwlock_t) -> c_int
        , attempt |l| attempt(&RWLOCK_TRYRDLOCK, l, ebusy) => |_| sync("pthread_rwlock_rdlock");
    /// pthread_rwlock_wrlock(3)
    @thread_bound fn pthread_rwlock_wrlock(l: *mut pthread_rwlock_t) -> c_int
        , attempt |l| attempt(&RWLOCK_TRYWRLOCK, l, ebusy) => |_| sync("pthread_rwlock_wrlock");
    /// pthread_spin_lock(3)
    @thread_bound fn pthread_spin_lock(l: *mut pthread_spinlock_t) -> c_int
        , attempt |l| attempt(&SPIN_TRYLOCK, l, ebusy) => |_| sync("pthread_spin_lock");
    /// sem_wait(3): waits only when the count is zero.
    @thread_bound fn sem_wait(s: *mut sem_t) -> c_int
        , attempt |s| attempt(&SEM_TRYWAIT, s, sem_empty) => |_| sync("sem_wait");
}

/// The try-forms, resolved with the hooks.
pub fn resolve() {
    for f in [
        MUTEX_TRYLOCK.symbol(),
        RWLOCK_TRYRDLOCK.symbol(),
        RWLOCK_TRYWRLOCK.symbol(),
        SPIN_TRYLOCK.symbol(),
        SEM_TRYWAIT.symbol(),
    ] {
        f.try_addr();
    }
}

hook! {
    /// syscall(2): judged by the syscall it makes (futex waits above all,
    /// which is how std's locks, condvars, parkers and channels wait). All
    /// six argument words are forwarded; the kernel ignores the ones a
    /// syscall does not take.
    fn syscall(nr: c_long; a, b, c, d, e, f) -> c_long
        , answer |nr, a, b, c, d, e, f| crate::hooks::raw::answer(nr, [a, b, c, d, e, f])
        => |nr, a, b, c, d, e, f| classify_syscall(nr, [a, b, c, d, e, f]);
}
