//! The other ways to set a signal's action: `signal` (and its aliases
//! `bsd_signal`, `ssignal`), `sysv_signal`, `sigset`, `sigignore`,
//! `siginterrupt`. glibc implements them over its internal sigaction, past
//! the guard's [`sigaction`], so for the signals that one keeps a view of
//! (SIGSYS above all) they are rebuilt here, as glibc builds them, on top
//! of it. Every other signal goes straight to glibc.
//!
//! # Safety
//! Actions and signal sets are plain values on the stack; the real
//! functions get the caller's arguments unchanged.
#![allow(unsafe_code)]

use super::signal::{manages, sigaction};
use crate::errno;
use crate::real::Real;
use libc::{c_int, sighandler_t};
use std::sync::atomic::{AtomicU64, Ordering};

/// `signal` and the functions shaped like it.
type SignalFn = unsafe extern "C" fn(c_int, sighandler_t) -> sighandler_t;

// SAFETY: each type is glibc's prototype of the function named.
static SIGNAL: Real<SignalFn> = unsafe { Real::new(c"signal") };
// SAFETY: as for SIGNAL.
static BSD_SIGNAL: Real<SignalFn> = unsafe { Real::new(c"bsd_signal") };
// SAFETY: as for SIGNAL.
static SSIGNAL: Real<SignalFn> = unsafe { Real::new(c"ssignal") };
// SAFETY: as for SIGNAL.
static SYSV_SIGNAL: Real<SignalFn> = unsafe { Real::new(c"sysv_signal") };
// SAFETY: as for SIGNAL.
static SYSV_SIGNAL_: Real<SignalFn> = unsafe { Real::new(c"__sysv_signal") };
// SAFETY: as for SIGNAL.
static SIGSET: Real<SignalFn> = unsafe { Real::new(c"sigset") };
// SAFETY: as for SIGNAL.
static SIGIGNORE: Real<unsafe extern "C" fn(c_int) -> c_int> = unsafe { Real::new(c"sigignore") };
// SAFETY: as for SIGNAL.
static SIGINTERRUPT: Real<unsafe extern "C" fn(c_int, c_int) -> c_int> =
    unsafe { Real::new(c"siginterrupt") };

/// Signals `siginterrupt` made interrupting (glibc's `_sigintr`), for the
/// managed ones.
static INTERRUPTING: AtomicU64 = AtomicU64::new(0);

const SIG_HOLD: sighandler_t = 2;
/// glibc passes it; the kernel drops it.
const SA_INTERRUPT: c_int = 0x2000_0000;

/// Resolves the real functions now, so no hook resolves lazily later.
pub fn resolve() {
    for f in [
        SIGNAL.symbol(),
        BSD_SIGNAL.symbol(),
        SSIGNAL.symbol(),
        SYSV_SIGNAL.symbol(),
        SYSV_SIGNAL_.symbol(),
        SIGSET.symbol(),
        SIGIGNORE.symbol(),
        SIGINTERRUPT.symbol(),
    ] {
        f.try_addr();
    }
}

fn bit(sig: c_int) -> u64 {
    1 << (sig - 1)
}

/// An action with `handler`, `flags` and `sig` (or nothing) in its mask.
fn action(handler: sighandler_t, flags: c_int, mask: Option<c_int>) -> libc::sigaction {
    // SAFETY: all zeroes is a valid `sigaction`.
    let mut a: libc::sigaction = unsafe { std::mem::zeroed() };
    a.sa_sigaction = handler;
    a.sa_flags = flags;
    // SAFETY: a valid set on the stack.
    unsafe {
        libc::sigemptyset(&mut a.sa_mask);
        if let Some(sig) = mask {
            libc::sigaddset(&mut a.sa_mask, sig);
        }
    }
    a
}

/// Sets `act` through the guard's sigaction; the old handler, or SIG_ERR.
fn set(sig: c_int, act: &libc::sigaction) -> sighandler_t {
    // SAFETY: all zeroes is a valid `sigaction`.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: valid actions on the stack.
    if unsafe { sigaction(sig, act, &mut old) } < 0 {
        return libc::SIG_ERR;
    }
    old.sa_sigaction
}

fn forward(real: &Real<SignalFn>, sig: c_int, handler: sighandler_t) -> sighandler_t {
    // SAFETY: `real` is libc's; the caller's arguments, unchanged.
    unsafe { real.get()(sig, handler) }
}

/// glibc's `__bsd_signal`: the signal blocked in its handler, restarting
/// calls unless `siginterrupt` said otherwise.
fn bsd(real: &Real<SignalFn>, sig: c_int, handler: sighandler_t) -> sighandler_t {
    if !manages(sig) {
        return forward(real, sig, handler);
    }
    if handler == libc::SIG_ERR {
        errno::set(libc::EINVAL);
        return libc::SIG_ERR;
    }
    let interrupting = INTERRUPTING.load(Ordering::Relaxed) & bit(sig) != 0;
    let flags = if interrupting { 0 } else { libc::SA_RESTART };
    set(sig, &action(handler, flags, Some(sig)))
}

/// signal(2)
#[unsafe(no_mangle)]
pub extern "C" fn signal(sig: c_int, handler: sighandler_t) -> sighandler_t {
    bsd(&SIGNAL, sig, handler)
}

/// bsd_signal(3)
#[unsafe(no_mangle)]
pub extern "C" fn bsd_signal(sig: c_int, handler: sighandler_t) -> sighandler_t {
    bsd(&BSD_SIGNAL, sig, handler)
}

/// ssignal(3)
#[unsafe(no_mangle)]
pub extern "C" fn ssignal(sig: c_int, handler: sighandler_t) -> sighandler_t {
    bsd(&SSIGNAL, sig, handler)
}

/// glibc's `__sysv_signal`: one-shot, not blocked in its handler.
fn sysv(real: &Real<SignalFn>, sig: c_int, handler: sighandler_t) -> sighandler_t {
    if !manages(sig) {
        return forward(real, sig, handler);
    }
    if handler == libc::SIG_ERR {
        errno::set(libc::EINVAL);
        return libc::SIG_ERR;
    }
    let flags = libc::SA_RESETHAND | libc::SA_NODEFER | SA_INTERRUPT;
    set(sig, &action(handler, flags, None))
}

/// sysv_signal(3)
#[unsafe(no_mangle)]
pub extern "C" fn sysv_signal(sig: c_int, handler: sighandler_t) -> sighandler_t {
    sysv(&SYSV_SIGNAL, sig, handler)
}

/// __sysv_signal: glibc's other name for sysv_signal(3).
#[unsafe(no_mangle)]
pub extern "C" fn __sysv_signal(sig: c_int, handler: sighandler_t) -> sighandler_t {
    sysv(&SYSV_SIGNAL_, sig, handler)
}

/// sigset(3). `SIG_HOLD` only blocks the signal and goes to glibc.
#[unsafe(no_mangle)]
pub extern "C" fn sigset(sig: c_int, disp: sighandler_t) -> sighandler_t {
    if !manages(sig) || disp == SIG_HOLD {
        return forward(&SIGSET, sig, disp);
    }
    let old = set(sig, &action(disp, 0, None));
    if old == libc::SIG_ERR {
        return old;
    }
    // SAFETY: all zeroes is a valid `sigset_t`.
    let mut one: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: all zeroes is a valid `sigset_t`.
    let mut was: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: valid sets on the stack.
    let held = unsafe {
        libc::sigemptyset(&mut one);
        libc::sigaddset(&mut one, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &one, &mut was);
        libc::sigismember(&was, sig) == 1
    };
    if held { SIG_HOLD } else { old }
}

/// sigignore(3)
#[unsafe(no_mangle)]
pub extern "C" fn sigignore(sig: c_int) -> c_int {
    if !manages(sig) {
        // SAFETY: SIGIGNORE is libc's sigignore.
        return unsafe { SIGIGNORE.get()(sig) };
    }
    let act = action(libc::SIG_IGN, 0, None);
    // SAFETY: a valid action on the stack.
    unsafe { sigaction(sig, &act, std::ptr::null_mut()) }
}

/// siginterrupt(3)
#[unsafe(no_mangle)]
pub extern "C" fn siginterrupt(sig: c_int, interrupt: c_int) -> c_int {
    if !manages(sig) {
        // SAFETY: SIGINTERRUPT is libc's siginterrupt.
        return unsafe { SIGINTERRUPT.get()(sig, interrupt) };
    }
    // SAFETY: all zeroes is a valid `sigaction`.
    let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a valid buffer on the stack.
    if unsafe { sigaction(sig, std::ptr::null(), &mut act) } < 0 {
        return -1;
    }
    if interrupt != 0 {
        INTERRUPTING.fetch_or(bit(sig), Ordering::Relaxed);
        act.sa_flags &= !libc::SA_RESTART;
    } else {
        INTERRUPTING.fetch_and(!bit(sig), Ordering::Relaxed);
        act.sa_flags |= libc::SA_RESTART;
    }
    // SAFETY: as above.
    unsafe { sigaction(sig, &act, std::ptr::null_mut()) }
}
