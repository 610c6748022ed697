//! The test's own SIGSYS action, kept behind the backstop.
//!
//! The backstop's handler must stay installed for raw syscalls to be
//! caught, so a SIGSYS action the test sets (`sigaction`, `signal` and
//! friends, a raw `rt_sigaction`) is recorded here instead, as the kernel
//! would store it, and what the test reads back is what it would read
//! without the runtime. The backstop hands every SIGSYS that is not its own
//! trap to [`deliver`], which does what the kernel would have done with the
//! recorded action.
//!
//! # Safety
//! The recorded action is a plain value behind a spin lock. Writers hold
//! it with every signal blocked, so no handler on their thread can wait
//! for a lock its own thread holds; readers hold it for a copy. Handlers
//! are called with the arguments the kernel passed to the backstop.
#![allow(unsafe_code)]

use super::error::BackstopError;
use crate::real::Real;
use libc::{c_int, c_void, siginfo_t};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub use crate::arch::KernelAction;
use crate::arch::{KEPT_SA_FLAGS as KEPT_FLAGS, SA_RESTORER};

struct Recorded(UnsafeCell<KernelAction>);
// SAFETY: only touched under LOCK (module note).
unsafe impl Sync for Recorded {}

static RECORDED: Recorded = Recorded(UnsafeCell::new(KernelAction {
    handler: 0,
    flags: 0,
    restorer: 0,
    mask: 0,
}));
static LOCK: AtomicBool = AtomicBool::new(false);
/// The backstop's handler is installed and the test's action is recorded.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static BACKSTOP: AtomicUsize = AtomicUsize::new(0);
/// glibc's signal restorer, as its `sigaction` fills it in.
static RESTORER: AtomicUsize = AtomicUsize::new(0);
// SAFETY: SigactionFn is glibc's prototype of sigaction.
static SIGACTION: Real<SigactionFn> = unsafe { Real::new(c"sigaction") };

type SigactionFn =
    unsafe extern "C" fn(c_int, *const libc::sigaction, *mut libc::sigaction) -> c_int;

fn real_sigaction(act: *const libc::sigaction, old: *mut libc::sigaction) -> c_int {
    // SAFETY: SIGACTION is libc's sigaction; the pointers are null or valid.
    unsafe { SIGACTION.get()(libc::SIGSYS, act, old) }
}

fn bit(sig: c_int) -> u64 {
    1 << (sig - 1)
}

/// An action as glibc's `sigaction` reported it: the kernel's, as is.
fn reported(a: &libc::sigaction) -> KernelAction {
    // SAFETY: sigset_t's first word holds signals 1 to 64.
    let mask = unsafe { *(&a.sa_mask as *const libc::sigset_t).cast::<u64>() };
    kept(KernelAction {
        handler: a.sa_sigaction,
        flags: a.sa_flags as i64 as u64,
        restorer: a.sa_restorer.map_or(0, |f| f as usize),
        mask,
    })
}

/// As glibc hands `act` to the kernel (with its own restorer), and the
/// kernel keeps it.
fn from_libc(act: &libc::sigaction) -> KernelAction {
    let a = reported(act);
    kept(KernelAction {
        flags: a.flags | SA_RESTORER,
        restorer: RESTORER.load(Ordering::Relaxed),
        ..a
    })
}

/// What the kernel stores of an action.
fn kept(mut a: KernelAction) -> KernelAction {
    a.flags &= KEPT_FLAGS;
    a.mask &= !(bit(libc::SIGKILL) | bit(libc::SIGSTOP));
    a
}

/// As glibc's `sigaction` reports an action the kernel holds.
fn to_libc(a: &KernelAction) -> libc::sigaction {
    // SAFETY: all zeroes is a valid `sigaction`.
    let mut out: libc::sigaction = unsafe { std::mem::zeroed() };
    out.sa_sigaction = a.handler;
    // SAFETY: as in `reported`; the rest of the set stays empty.
    unsafe { *(&mut out.sa_mask as *mut libc::sigset_t).cast::<u64>() = a.mask };
    out.sa_flags = a.flags as c_int;
    // SAFETY: a restorer the kernel reported is a code address or null.
    out.sa_restorer = unsafe { std::mem::transmute::<usize, Option<extern "C" fn()>>(a.restorer) };
    out
}

/// Installs the backstop's `handler` for SIGSYS; the action found becomes
/// the test's. Returns glibc's restorer.
pub fn install(handler: usize) -> Result<usize, BackstopError> {
    // SAFETY: all zeroes is a valid `sigaction`.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = handler;
    action.sa_flags = libc::SA_SIGINFO;
    // SAFETY: all zeroes is a valid `sigaction`.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    if real_sigaction(&action, &mut old) != 0 {
        return Err(BackstopError::Sigaction(std::io::Error::last_os_error()));
    }
    // SAFETY: all zeroes is a valid `sigaction`.
    let mut now: libc::sigaction = unsafe { std::mem::zeroed() };
    real_sigaction(std::ptr::null(), &mut now);
    let restorer = now.sa_restorer.map_or(0, |f| f as usize);
    RESTORER.store(restorer, Ordering::Relaxed);
    BACKSTOP.store(handler, Ordering::Relaxed);
    let found = reported(&old);
    update(Some(found));
    ACTIVE.store(true, Ordering::Release);
    Ok(restorer)
}

/// Gives SIGSYS back to the test's action (the backstop does not work).
pub fn uninstall() {
    if ACTIVE.swap(false, Ordering::AcqRel) {
        let a = to_libc(&update(None));
        real_sigaction(&a, std::ptr::null_mut());
    }
}

/// Whether SIGSYS actions are being recorded here.
#[inline]
pub fn active() -> bool {
    ACTIVE.load(Ordering::Acquire)
}

/// Replaces the recorded action (when `new` is given); returns the one
/// before. The backstop's own flags follow the test's `SA_RESTART`, so an
/// interrupted call restarts as the test asked.
fn update(new: Option<KernelAction>) -> KernelAction {
    let _errno = crate::errno::Saved::now();
    // SAFETY: all zeroes is a valid `sigset_t`.
    let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: all zeroes is a valid `sigset_t`.
    let mut saved: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: valid signal sets; the mask is restored below.
    unsafe {
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut saved);
    }
    lock();
    // SAFETY: under LOCK.
    let before = unsafe { *RECORDED.0.get() };
    if let Some(new) = new {
        // SAFETY: under LOCK.
        unsafe { *RECORDED.0.get() = new };
    }
    LOCK.store(false, Ordering::Release);
    let restart = |a: &KernelAction| a.flags & libc::SA_RESTART as u64;
    if let Some(new) = new
        && restart(&new) != restart(&before)
        && BACKSTOP.load(Ordering::Relaxed) != 0
    {
        // SAFETY: all zeroes is a valid `sigaction`.
        let mut ours: libc::sigaction = unsafe { std::mem::zeroed() };
        ours.sa_sigaction = BACKSTOP.load(Ordering::Relaxed);
        ours.sa_flags = libc::SA_SIGINFO | restart(&new) as c_int;
        real_sigaction(&ours, std::ptr::null_mut());
    }
    // SAFETY: restores the caller's mask.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &saved, std::ptr::null_mut()) };
    before
}

fn lock() {
    let mut spins = 0u32;
    while LOCK
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        spins += 1;
        if spins < 100 {
            std::hint::spin_loop();
        } else {
            crate::real::sched_yield();
        }
    }
}

fn recorded() -> KernelAction {
    lock();
    // SAFETY: under LOCK.
    let a = unsafe { *RECORDED.0.get() };
    LOCK.store(false, Ordering::Release);
    a
}

/// `sigaction(SIGSYS, act, old)` as the test sees it. Returns 0.
///
/// # Safety
/// `act` and `old` are null or valid, as for sigaction(2).
pub unsafe fn sigaction(act: *const libc::sigaction, old: *mut libc::sigaction) -> c_int {
    // SAFETY: the caller's pointers (function contract).
    let new = unsafe { act.as_ref() }.map(from_libc);
    let before = update(new);
    // SAFETY: as above.
    if let Some(old) = unsafe { old.as_mut() } {
        *old = to_libc(&before);
    }
    0
}

/// A raw `rt_sigaction(SIGSYS, act, old, size)`, in libc's convention
/// (-1 and errno).
///
/// # Safety
/// `act` and `old` are null or valid kernel actions.
pub unsafe fn rt_sigaction(act: *const KernelAction, old: *mut KernelAction, size: usize) -> i64 {
    if size != 8 {
        crate::errno::set(libc::EINVAL);
        return -1;
    }
    // SAFETY: the caller's pointers (function contract).
    let new = unsafe { act.as_ref() }.map(|a| kept(*a));
    let before = update(new);
    // SAFETY: as above.
    if let Some(old) = unsafe { old.as_mut() } {
        *old = before;
    }
    0
}

/// A SIGSYS that is not the backstop's own trap: what the kernel would
/// have done with the test's action.
pub fn deliver(sig: c_int, info: *mut siginfo_t, ctx: *mut c_void) {
    let a = recorded();
    // SAFETY: the kernel's siginfo for this signal.
    let forced = unsafe { (*info).si_code } > 0;
    match a.handler {
        // A trap (seccomp, dispatch) cannot be ignored: the kernel resets
        // the action and kills; a sent signal is dropped.
        h if h == libc::SIG_IGN && !forced => {}
        h if h == libc::SIG_IGN || h == libc::SIG_DFL => die(sig),
        h => {
            if a.flags & libc::SA_RESETHAND as u64 != 0 {
                update(Some(KernelAction {
                    handler: libc::SIG_DFL,
                    ..a
                }));
            }
            block_as_kernel(&a, sig, ctx);
            type Handler = extern "C" fn(c_int, *mut siginfo_t, *mut c_void);
            // SAFETY: the test installed h for this signal; the kernel
            // passes all three arguments whatever SA_SIGINFO says.
            let h = unsafe { std::mem::transmute::<usize, Handler>(h) };
            h(sig, info, ctx);
        }
    }
}

/// The mask the kernel would give the test's handler: the interrupted
/// code's, its action's mask, and the signal itself unless SA_NODEFER.
fn block_as_kernel(a: &KernelAction, sig: c_int, ctx: *mut c_void) {
    // SAFETY: ctx is the kernel's ucontext for this signal.
    let mut set = unsafe { (*ctx.cast::<libc::ucontext_t>()).uc_sigmask };
    for s in 1..=64 {
        if a.mask & bit(s) != 0 {
            // SAFETY: a valid set; out-of-range numbers are refused.
            unsafe { libc::sigaddset(&mut set, s) };
        }
    }
    // SAFETY: as above; the kernel restores the interrupted mask on return.
    unsafe {
        if a.flags & libc::SA_NODEFER as u64 == 0 {
            libc::sigaddset(&mut set, sig);
        } else {
            libc::sigdelset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
}

/// The default action: the process ends by this signal, as it would have.
fn die(sig: c_int) -> ! {
    ACTIVE.store(false, Ordering::Release);
    // SAFETY: all zeroes is a valid `sigaction`.
    let mut dfl: libc::sigaction = unsafe { std::mem::zeroed() };
    dfl.sa_sigaction = libc::SIG_DFL;
    real_sigaction(&dfl, std::ptr::null_mut());
    // SAFETY: unblocking and raising; _exit is the fallback if it survives.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
        libc::_exit(128 + sig)
    }
}
