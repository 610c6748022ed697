//! Syscall User Dispatch (`prctl(PR_SET_SYSCALL_USER_DISPATCH)`, Linux ≥ 5.11).
//!
//! On the test's thread and on executors' worker threads, every syscall
//! instruction outside libc's code traps with SIGSYS while the thread's
//! selector byte says BLOCK. libc's own code
//! (including every real call a hook forwards) is the allowed range, so the
//! only traps are raw syscalls: inline assembly, rustix's linux_raw
//! backend, statically linked code, the dynamic loader. The handler
//! classifies the syscall, judges it like a hooked call (escaped), and then
//! performs it through libc and writes the result where the kernel would.
//!
//! Per thread, with a selector byte per thread, and not inherited by new
//! threads, so other threads are untouched; cleared by exec, so child
//! programs are untouched. A trap costs about 2 µs, paid only by raw
//! syscalls on the guarded threads.
//!
//! A SIGSYS that is not its own trap (a `raise`, a seccomp trap) goes to
//! the test's own action, kept in [`chain`]: the backstop stays installed
//! whatever the test sets.
//!
//! # Safety
//! The SIGSYS handler reads and writes the interrupted context the kernel
//! hands it (`ucontext_t`), which is valid for the handler's duration.
//! Syscalls that depend on the caller's exact context (signal return,
//! clone, exec, exit, signal masks) are not performed from the handler:
//! the instruction is re-run with the selector open instead.
#![allow(unsafe_code)]

use super::chain;
use super::error::BackstopError;
use crate::arch::{self, TrappedSyscall};
use crate::classify::{classify_syscall, spin};
use crate::guard::{self, Decision};
use crate::hooks::raw;
use crate::inflight::{self, InFlight};
use crate::real::Real;
use crate::settle::Pending;
use crate::{context, errno, objects, scheduler};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};

const PR_SET_SYSCALL_USER_DISPATCH: libc::c_int = 59;
const PR_SYS_DISPATCH_OFF: libc::c_ulong = 0;
const PR_SYS_DISPATCH_ON: libc::c_ulong = 1;
const FILTER_ALLOW: u8 = 0;
const FILTER_BLOCK: u8 = 1;
/// `si_code` of a SIGSYS raised by Syscall User Dispatch.
const SYS_USER_DISPATCH: libc::c_int = 2;

/// Set once the load-time probe proved the mechanism works here.
static WORKS: AtomicBool = AtomicBool::new(false);
/// Traps taken, for the probe.
static TRAPS: AtomicUsize = AtomicUsize::new(0);
// SAFETY: SyscallFn is glibc's prototype of syscall(2).
static SYSCALL: Real<SyscallFn> = unsafe { Real::new(c"syscall") };
type SyscallFn = unsafe extern "C" fn(libc::c_long, ...) -> libc::c_long;

thread_local! {
    /// The selector byte the kernel reads on each syscall of this thread
    /// once dispatch is on for it: each thread opens and closes its own.
    static SELECTOR: AtomicU8 = const { AtomicU8::new(FILTER_ALLOW) };
    /// Dispatch is on for this thread: a SIGSYS here may be our trap.
    static DISPATCHING: Cell<bool> = const { Cell::new(false) };
    /// Inside the test's own SIGSYS handler, where the selector stays open.
    static DELIVERING: Cell<u32> = const { Cell::new(0) };
}

/// Syscalls that must run in the caller's own context, not the handler's.
fn must_rerun(nr: i64) -> bool {
    matches!(
        nr,
        libc::SYS_rt_sigreturn
            | libc::SYS_rt_sigprocmask
            | libc::SYS_sigaltstack
            | libc::SYS_clone
            | libc::SYS_clone3
            | libc::SYS_fork
            | libc::SYS_vfork
            | libc::SYS_execve
            | libc::SYS_execveat
            | libc::SYS_exit
            | libc::SYS_exit_group
            | libc::SYS_arch_prctl
            | libc::SYS_set_tid_address
            | libc::SYS_rseq
            | libc::SYS_restart_syscall
    )
}

fn prctl_dispatch(on: bool) -> Result<(), std::io::Error> {
    let (start, len) = objects::get()
        .libc_text
        .ok_or_else(|| std::io::Error::other("libc's code segment was not found"))?;
    let selector = SELECTOR.with(AtomicU8::as_ptr);
    // SAFETY: the arguments follow PR_SET_SYSCALL_USER_DISPATCH's contract;
    // the selector is this thread's own and lives as long as the thread,
    // which is as long as the kernel reads it.
    let rc = unsafe {
        if on {
            libc::prctl(
                PR_SET_SYSCALL_USER_DISPATCH,
                PR_SYS_DISPATCH_ON,
                start as libc::c_ulong,
                len as libc::c_ulong,
                selector,
            )
        } else {
            libc::prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0)
        }
    };
    if rc == 0 {
        DISPATCHING.with(|d| d.set(on));
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Installs the SIGSYS handler and proves the backstop traps a raw
/// syscall on this thread; `Err` says why it does not work here.
pub fn install_and_probe() -> Result<(), BackstopError> {
    let restorer = chain::install(on_sigsys as *const () as usize)?;
    super::restorer::set(restorer);
    let probed = probe();
    if probed.is_err() {
        chain::uninstall();
    }
    probed
}

fn probe() -> Result<(), BackstopError> {
    prctl_dispatch(true).map_err(BackstopError::Dispatch)?;
    let before = TRAPS.load(Ordering::Relaxed);
    set_selector(FILTER_BLOCK);
    let got = arch::raw_getppid();
    set_selector(FILTER_ALLOW);
    let _ = prctl_dispatch(false);
    // SAFETY: getppid has no preconditions.
    let want = unsafe { libc::getppid() } as i64;
    let trapped = TRAPS.load(Ordering::Relaxed) - before;
    if trapped != 1 || got != want {
        return Err(BackstopError::Probe { trapped, got, want });
    }
    WORKS.store(true, Ordering::Relaxed);
    Ok(())
}

fn set_selector(to: u8) -> u8 {
    SELECTOR.with(|s| s.swap(to, Ordering::SeqCst))
}

/// Turns the backstop on for the calling thread: the test's, or an
/// executor's worker.
pub fn enable_for_current_thread() {
    if WORKS.load(Ordering::Relaxed) && !DISPATCHING.with(Cell::get) && prctl_dispatch(true).is_ok()
    {
        set_selector(FILTER_BLOCK);
    }
}

/// Whether raw syscalls made now must trap: on the test's microthread, or
/// anywhere on an executor's worker (a task poll, or its machinery, which
/// the guard tells apart by the stack).
fn guarding_now() -> bool {
    context::on_test_microthread() || context::on_executor_thread()
}

/// Closes the selector again after a syscall was re-run with it open.
#[inline(always)]
pub fn rearm() {
    if DISPATCHING.with(Cell::get)
        && SELECTOR.with(|s| s.load(Ordering::Relaxed)) != FILTER_BLOCK
        && guarding_now()
        && DELIVERING.with(Cell::get) == 0
    {
        set_selector(FILTER_BLOCK);
    }
}

/// A SIGSYS the backstop raised for itself: Syscall User Dispatch, on a
/// thread where this module turned it on, for a syscall outside libc's
/// code, at the instruction the context resumes after.
fn is_own_trap(info: &libc::siginfo_t, trapped: &TrappedSyscall) -> bool {
    if info.si_code != SYS_USER_DISPATCH || !DISPATCHING.with(Cell::get) {
        return false;
    }
    let call_addr = arch::sigsys_call_address(info);
    let in_libc = objects::get()
        .libc_text
        .is_some_and(|(start, len)| call_addr.wrapping_sub(start) < len);
    call_addr == trapped.resume_address() && !in_libc
}

extern "C" fn on_sigsys(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo and ucontext for SA_SIGINFO handlers.
    let (own, mut trapped) = unsafe {
        let trapped = TrappedSyscall::new(&mut *(ctx as *mut libc::ucontext_t));
        (is_own_trap(&*info, &trapped), trapped)
    };
    if !own {
        // The test's handler runs with the selector open, as ours does:
        // a trap while SIGSYS is blocked would kill the process.
        if DISPATCHING.with(Cell::get) {
            let was = set_selector(FILTER_ALLOW);
            DELIVERING.with(|d| d.set(d.get() + 1));
            chain::deliver(sig, info, ctx);
            DELIVERING.with(|d| d.set(d.get() - 1));
            set_selector(was);
        } else {
            chain::deliver(sig, info, ctx);
        }
        return;
    }
    let saved_errno = errno::get();
    set_selector(FILTER_ALLOW);
    TRAPS.fetch_add(1, Ordering::Relaxed);
    let nr = trapped.number();
    if must_rerun(nr) {
        // Re-run the instruction with the selector open; the next hook closes it.
        trapped.rerun();
        return;
    }
    let args = trapped.args();
    // Descriptors and signal actions the runtime keeps are answered here.
    let ret = match raw::answer(nr, args) {
        Some(ret) => ret,
        None => perform(nr, args),
    };
    trapped.complete(if ret == -1 {
        -(errno::get() as i64)
    } else {
        ret
    });
    errno::set(saved_errno);
    if guarding_now() {
        set_selector(FILTER_BLOCK);
    }
}

/// Judges a trapped syscall on the microthread and makes it through libc,
/// in flight meanwhile; libc's convention (-1 and errno).
fn perform(nr: i64, args: [usize; 6]) -> i64 {
    let mut in_flight = InFlight::NONE;
    let mut pending = Pending::NONE;
    if context::guarded() {
        let judged = std::panic::catch_unwind(|| {
            let call = classify_syscall(nr, args);
            spin::classified();
            call.map(|call| guard::judge(call, true, "raw syscall", false))
        });
        match judged {
            Ok(Some((Decision::Stop, seq, _))) => {
                crate::tally::add(seq, 0);
                scheduler::stop()
            }
            Ok(Some((_, seq, settle))) => {
                in_flight = inflight::enter(seq);
                pending = Pending::start(settle);
            }
            _ => {}
        }
    }
    // SAFETY: SYSCALL is libc's syscall(2); the arguments are the trapped
    // instruction's own.
    let ret = unsafe {
        let f = SYSCALL.get();
        f(nr, args[0], args[1], args[2], args[3], args[4], args[5])
    };
    drop(in_flight);
    drop(pending);
    ret
}
