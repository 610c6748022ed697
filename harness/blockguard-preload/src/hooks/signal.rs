//! `sigaction` for SIGSYS: the backstop's handler stays installed, and the
//! test's action is recorded behind it (`escape::chain`).
//!
//! `sigaction` for SIGSEGV and SIGBUS: std reports a stack overflow only
//! for its own thread stacks' guard pages, and would call an overflow of
//! the microthread's stack a plain segfault. The guard keeps the handler
//! std (or anyone) installs, runs its own in front of it, and reports an
//! overflow of a microthread stack exactly as std reports one of a thread
//! stack, so a test's outcome is the same with and without the guard.
//!
//! # Safety
//! The recorded actions are written by `sigaction` calls before the
//! signals they describe can be delivered to the handler that reads them;
//! the handler only reads the fault address the kernel reports.
#![allow(unsafe_code)]

use crate::escape::chain;
use crate::real::Real;
use crate::scheduler;
use libc::{c_int, c_void, siginfo_t};

// SAFETY: SigactionFn is glibc's prototype of sigaction.
static SIGACTION: Real<SigactionFn> = unsafe { Real::new(c"sigaction") };
/// The actions the process asked for, per signal (SIGSEGV, SIGBUS).
static mut WANTED: [Option<libc::sigaction>; 2] = [None, None];

type SigactionFn =
    unsafe extern "C" fn(c_int, *const libc::sigaction, *mut libc::sigaction) -> c_int;

fn slot(sig: c_int) -> Option<usize> {
    match sig {
        libc::SIGSEGV => Some(0),
        libc::SIGBUS => Some(1),
        _ => None,
    }
}

/// Whether this module keeps its own view of `sig`'s action, so every way
/// of setting one must come through [`sigaction`].
pub fn manages(sig: c_int) -> bool {
    slot(sig).is_some() || (sig == libc::SIGSYS && chain::active())
}

fn is_handler(a: &libc::sigaction) -> bool {
    a.sa_sigaction != libc::SIG_DFL && a.sa_sigaction != libc::SIG_IGN
}

/// sigaction(2)
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigaction(
    sig: c_int,
    act: *const libc::sigaction,
    old: *mut libc::sigaction,
) -> c_int {
    let real = SIGACTION.get();
    if sig == libc::SIGSYS && chain::active() {
        // SAFETY: the caller's pointers, as for sigaction(2).
        return unsafe { chain::sigaction(act, old) };
    }
    let Some(i) = slot(sig) else {
        // SAFETY: the caller's arguments, unchanged.
        return unsafe { real(sig, act, old) };
    };
    // SAFETY: see the module note; WANTED[i] belongs to this signal.
    let wanted = unsafe { &mut *std::ptr::addr_of_mut!(WANTED[i]) };
    // SAFETY: all zeroes is a valid `sigaction`.
    let mut installed: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: reads the current action into a valid buffer.
    let rc = unsafe { real(sig, std::ptr::null(), &mut installed) };
    if rc != 0 {
        return rc;
    }
    if !old.is_null() {
        let ours = installed.sa_sigaction == on_fault as *const () as usize;
        // SAFETY: old is the caller's buffer.
        unsafe {
            *old = if ours {
                wanted.unwrap_or(installed)
            } else {
                installed
            }
        };
    }
    if act.is_null() {
        return 0;
    }
    // SAFETY: act is the caller's action.
    let act = unsafe { *act };
    if !is_handler(&act) {
        *wanted = None;
        // SAFETY: the caller's action, unchanged.
        return unsafe { real(sig, &act, std::ptr::null_mut()) };
    }
    *wanted = Some(act);
    let mut front = act;
    front.sa_sigaction = on_fault as *const () as usize;
    front.sa_flags |= libc::SA_SIGINFO;
    // SAFETY: the caller's action with our handler in front of theirs.
    unsafe { real(sig, &front, std::ptr::null_mut()) }
}

/// __sigaction: glibc's other name for sigaction(2).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __sigaction(
    sig: c_int,
    act: *const libc::sigaction,
    old: *mut libc::sigaction,
) -> c_int {
    // SAFETY: the caller's arguments, unchanged.
    unsafe { sigaction(sig, act, old) }
}

extern "C" fn on_fault(sig: c_int, info: *mut siginfo_t, ctx: *mut c_void) {
    // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler.
    let addr = unsafe { (*info).si_addr() } as usize;
    if scheduler::in_guard_page(addr) {
        report_overflow();
    }
    let Some(i) = slot(sig) else { return };
    // SAFETY: see the module note.
    let wanted = unsafe { *std::ptr::addr_of!(WANTED[i]) };
    match wanted {
        // SAFETY: the process installed this handler for this signal with these flags.
        Some(a) if a.sa_flags & libc::SA_SIGINFO != 0 => unsafe {
            let f: extern "C" fn(c_int, *mut siginfo_t, *mut c_void) =
                std::mem::transmute(a.sa_sigaction);
            f(sig, info, ctx)
        },
        // SAFETY: the process installed this plain handler for this signal
        // (no SA_SIGINFO: it takes the signal number alone).
        Some(a) => unsafe {
            let f: extern "C" fn(c_int) = std::mem::transmute(a.sa_sigaction);
            f(sig)
        },
        // No handler of the process's: return to the fault with the default action.
        // SAFETY: SIG_DFL for a valid signal number; signal is async-signal-safe.
        None => unsafe {
            libc::signal(sig, libc::SIG_DFL);
        },
    }
}

/// std's words for a stack overflow, then abort, as std does.
fn report_overflow() -> ! {
    let mut name = [0u8; 64];
    // SAFETY: a valid buffer for the thread's name; gettid has no preconditions.
    let (named, tid) = unsafe {
        (
            libc::pthread_getname_np(libc::pthread_self(), name.as_mut_ptr().cast(), name.len())
                == 0,
            libc::gettid(),
        )
    };
    let len = name.iter().position(|&b| b == 0).unwrap_or(0);
    let name = if named && len > 0 {
        std::str::from_utf8(&name[..len]).unwrap_or("<unknown>")
    } else {
        "<unknown>"
    };
    let mut msg = [0u8; 192];
    let mut w = &mut msg[..];
    use std::io::Write;
    let _ = write!(
        w,
        "\nthread '{name}' ({tid}) has overflowed its stack\nfatal runtime error: stack overflow, aborting\n"
    );
    let n = 192 - w.len();
    crate::trace::write_stderr(&msg[..n]);
    // SAFETY: abort never returns.
    unsafe { libc::abort() }
}
