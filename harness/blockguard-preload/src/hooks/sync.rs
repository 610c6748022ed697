//! `sync`: futex waits, joins, condition variables, semaphores, barriers,
//! and contended locks. A lock counts only when it is contended: the hook
//! tries it first, and an acquired try is the whole call.
#![allow(unsafe_code)]

use super::macros::{entry, hook};
use crate::classify::{Call, classify_syscall};
use crate::context;
use crate::hooks::support::{self, Next};
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
    HOOKS;
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

/// A lock whose try-form is attempted first on the microthread.
macro_rules! try_first {
    ($registry:ident; $(
        $(#[$doc:meta])*
        fn $name:ident($arg:ident: $ty:ty) try $try_name:literal, busy if $busy:expr;
    )*) => {
        /// This block's hooks.
        pub static $registry: &[super::macros::Entry] = &[$(entry!($name)),*];
    $(
        $(#[$doc])*
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($arg: $ty) -> c_int {
            // SAFETY: forwards the caller's own argument.
            unsafe { $name::body(false, $arg) }
        }

        #[doc = concat!("The real `", stringify!($name), "` and its guarded stand-in.")]
        pub mod $name {
            use super::*;

            /// The libc name.
            pub const NAME: &str = stringify!($name);
            /// The real function.
            pub static REAL: Real = Real::named(concat!(stringify!($name), "\0"));
            static TRY: Real = Real::named(concat!($try_name, "\0"));

            /// The stand-in `dlsym` hands out for the real function.
            pub unsafe extern "C" fn escaped($arg: $ty) -> c_int {
                // SAFETY: forwards the caller's own argument.
                unsafe { body(true, $arg) }
            }

            /// Try, and judge only if the lock is contended.
            ///
            /// # Safety
            /// The argument must be valid for the real function.
            #[inline(always)]
            pub unsafe fn body(escaped: bool, $arg: $ty) -> c_int {
                type F = unsafe extern "C" fn($ty) -> c_int;
                // SAFETY: REAL and TRY hold libc's functions of these names and this signature.
                let (real, try_) = unsafe {
                    (::std::mem::transmute::<usize, F>(REAL.get()), ::std::mem::transmute::<usize, F>(TRY.get()))
                };
                if context::guarded() {
                    // SAFETY: the caller's argument, as for the lock itself.
                    let r = unsafe { try_($arg) };
                    let busy: fn(c_int) -> bool = $busy;
                    if !busy(r) {
                        return r;
                    }
                    // Locks belong to the thread that takes them: never
                    // farmed. In flight until the real call returns.
                    let _next = support::before(escaped, NAME, true, || sync(NAME));
                    // SAFETY: the caller's argument, unchanged.
                    return unsafe { real($arg) };
                }
                // SAFETY: the caller's argument, unchanged.
                unsafe { real($arg) }
            }
        }
    )*
    };
}

try_first! {
    TRY_FIRST_HOOKS;
    /// pthread_mutex_lock(3)
    fn pthread_mutex_lock(m: *mut pthread_mutex_t) try "pthread_mutex_trylock", busy if |r| r == libc::EBUSY;
    /// pthread_rwlock_rdlock(3)
    fn pthread_rwlock_rdlock(l: *mut pthread_rwlock_t) try "pthread_rwlock_tryrdlock", busy if |r| r == libc::EBUSY;
    /// pthread_rwlock_wrlock(3)
    fn pthread_rwlock_wrlock(l: *mut pthread_rwlock_t) try "pthread_rwlock_trywrlock", busy if |r| r == libc::EBUSY;
    /// pthread_spin_lock(3)
    fn pthread_spin_lock(l: *mut pthread_spinlock_t) try "pthread_spin_trylock", busy if |r| r == libc::EBUSY;
    /// sem_wait(3): waits only when the count is zero.
    fn sem_wait(s: *mut sem_t) try "sem_trywait", busy if |r| r == -1 && crate::errno::get() == libc::EAGAIN;
}

/// The hand-written `syscall` hook, for the registry.
pub static SYSCALL_HOOKS: &[super::macros::Entry] = &[entry!(syscall)];

/// syscall(2): judged by the syscall it makes (futex waits above all, which
/// is how std's locks, condvars, parkers and channels wait).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn syscall(
    nr: c_long,
    a: usize,
    b: usize,
    c: usize,
    d: usize,
    e: usize,
    f: usize,
) -> c_long {
    // SAFETY: forwards the caller's own arguments.
    unsafe { syscall::body(false, nr, a, b, c, d, e, f) }
}

/// The real `syscall` and its guarded stand-in.
pub mod syscall {
    use super::*;

    /// The libc name.
    pub const NAME: &str = "syscall";
    /// The real function.
    pub static REAL: Real = Real::new(c"syscall");

    /// The stand-in `dlsym` hands out for the real function.
    pub unsafe extern "C" fn escaped(
        nr: c_long,
        a: usize,
        b: usize,
        c: usize,
        d: usize,
        e: usize,
        f: usize,
    ) -> c_long {
        // SAFETY: forwards the caller's own arguments.
        unsafe { body(true, nr, a, b, c, d, e, f) }
    }

    /// Judge on the microthread, then forward all six argument words (the
    /// kernel ignores the ones a syscall does not take).
    ///
    /// # Safety
    /// The arguments must be valid for the syscall.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub unsafe fn body(
        escaped: bool,
        nr: c_long,
        a: usize,
        b: usize,
        c: usize,
        d: usize,
        e: usize,
        f: usize,
    ) -> c_long {
        type F = unsafe extern "C" fn(c_long, ...) -> c_long;
        // SAFETY: REAL is libc's variadic syscall.
        let real = unsafe { std::mem::transmute::<usize, F>(REAL.get()) };
        if let Some(ret) = crate::hooks::raw::answer(nr, [a, b, c, d, e, f]) {
            return ret;
        }
        if context::guarded() {
            match support::before(escaped, NAME, false, || {
                classify_syscall(nr, [a, b, c, d, e, f])
            }) {
                Next::Farm(seq) => {
                    let args = crate::scheduler::farm::Args::new((nr, a, b, c, d, e, f));
                    return crate::scheduler::farm::call(seq, move || {
                        let (nr, a, b, c, d, e, f) = args.into_inner();
                        // SAFETY: the caller's arguments, on a worker while
                        // the caller is suspended (see farm).
                        unsafe { real(nr, a, b, c, d, e, f) }
                    });
                }
                // In flight until the real call returns.
                Next::Run(_in_flight) => {
                    // SAFETY: the caller's arguments, unchanged.
                    return unsafe { real(nr, a, b, c, d, e, f) };
                }
            }
        }
        // SAFETY: the caller's arguments, unchanged.
        unsafe { real(nr, a, b, c, d, e, f) }
    }
}
