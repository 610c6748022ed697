//! Syscall User Dispatch (`prctl(PR_SET_SYSCALL_USER_DISPATCH)`, Linux ≥ 5.11).
//!
//! On the test's thread, every syscall instruction outside libc's code
//! traps with SIGSYS while the selector byte says BLOCK. libc's own code
//! (including every real call a hook forwards) is the allowed range, so the
//! only traps are raw syscalls: inline assembly, rustix's linux_raw
//! backend, statically linked code, the dynamic loader. The handler
//! classifies the syscall, judges it like a hooked call (escaped), and then
//! performs it through libc and writes the result where the kernel would.
//!
//! Per thread and not inherited by new threads, so workers are untouched;
//! cleared by exec, so child programs are untouched. A trap costs about
//! 2 µs, paid only by raw syscalls on the test's thread.
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
use crate::classify::classify_syscall;
use crate::guard::{self, Decision};
use crate::hooks::raw;
use crate::inflight::{self, InFlight};
use crate::real::Real;
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
/// Length of the x86-64 `syscall` instruction.
const SYSCALL_INSN_LEN: i64 = 2;

/// The selector byte the kernel reads on each syscall of an enabled thread.
static SELECTOR: AtomicU8 = AtomicU8::new(FILTER_ALLOW);
/// Set once the load-time probe proved the mechanism works here.
static WORKS: AtomicBool = AtomicBool::new(false);
/// Traps taken, for the probe.
static TRAPS: AtomicUsize = AtomicUsize::new(0);
static SYSCALL: Real = Real::new(c"syscall");

thread_local! {
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
    // SAFETY: the arguments follow PR_SET_SYSCALL_USER_DISPATCH's contract;
    // SELECTOR is a static that outlives every thread.
    let rc = unsafe {
        if on {
            libc::prctl(
                PR_SET_SYSCALL_USER_DISPATCH,
                PR_SYS_DISPATCH_ON,
                start as libc::c_ulong,
                len as libc::c_ulong,
                SELECTOR.as_ptr(),
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
pub fn install_and_probe() -> Result<(), String> {
    let restorer = chain::install(on_sigsys as *const () as usize)?;
    super::restorer::set(restorer);
    let probed = probe();
    if probed.is_err() {
        chain::uninstall();
    }
    probed
}

fn probe() -> Result<(), String> {
    prctl_dispatch(true).map_err(|e| format!("prctl(PR_SET_SYSCALL_USER_DISPATCH): {e}"))?;
    let before = TRAPS.load(Ordering::Relaxed);
    SELECTOR.store(FILTER_BLOCK, Ordering::SeqCst);
    let got = raw_getppid();
    SELECTOR.store(FILTER_ALLOW, Ordering::SeqCst);
    let _ = prctl_dispatch(false);
    // SAFETY: getppid has no preconditions.
    let want = unsafe { libc::getppid() } as i64;
    let trapped = TRAPS.load(Ordering::Relaxed) - before;
    if trapped != 1 || got != want {
        return Err(format!(
            "a raw getppid trapped {trapped} times and returned {got} (expected 1 trap and {want})"
        ));
    }
    WORKS.store(true, Ordering::Relaxed);
    Ok(())
}

/// A raw `syscall` instruction, outside libc: the probe's test subject.
#[inline(never)]
fn raw_getppid() -> i64 {
    let ret: i64;
    // SAFETY: getppid takes no arguments and touches no memory; the syscall
    // instruction clobbers rcx and r11.
    unsafe {
        std::arch::asm!(
            "syscall",
            inlateout("rax") libc::SYS_getppid => ret,
            out("rcx") _,
            out("r11") _,
            options(nostack)
        );
    }
    ret
}

/// Turns the backstop on for the calling thread (the test's).
pub fn enable_for_current_thread() {
    if WORKS.load(Ordering::Relaxed) && prctl_dispatch(true).is_ok() {
        SELECTOR.store(FILTER_BLOCK, Ordering::SeqCst);
    }
}

/// Closes the selector again after a syscall was re-run with it open.
#[inline(always)]
pub fn rearm() {
    if SELECTOR.load(Ordering::Relaxed) != FILTER_BLOCK
        && context::on_test_microthread()
        && WORKS.load(Ordering::Relaxed)
        && DELIVERING.with(Cell::get) == 0
    {
        SELECTOR.store(FILTER_BLOCK, Ordering::Relaxed);
    }
}

/// A SIGSYS the backstop raised for itself: Syscall User Dispatch, on a
/// thread where this module turned it on, for a syscall outside libc's
/// code, at the instruction the context resumes after.
fn is_own_trap(info: &libc::siginfo_t, uc: &libc::ucontext_t) -> bool {
    if info.si_code != SYS_USER_DISPATCH || !DISPATCHING.with(Cell::get) {
        return false;
    }
    // SAFETY: a SIGSYS siginfo holds `_sigsys { call_addr, syscall, arch }`
    // right after the three ints and their padding.
    let call_addr = unsafe {
        *(info as *const libc::siginfo_t)
            .cast::<u8>()
            .add(16)
            .cast::<usize>()
    };
    let in_libc = objects::get()
        .libc_text
        .is_some_and(|(start, len)| call_addr.wrapping_sub(start) < len);
    call_addr == uc.uc_mcontext.gregs[libc::REG_RIP as usize] as usize && !in_libc
}

extern "C" fn on_sigsys(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo and ucontext for SA_SIGINFO handlers.
    let (own, uc) = unsafe {
        let uc = &mut *(ctx as *mut libc::ucontext_t);
        (is_own_trap(&*info, uc), uc)
    };
    if !own {
        // The test's handler runs with the selector open, as ours does:
        // a trap while SIGSYS is blocked would kill the process.
        if DISPATCHING.with(Cell::get) {
            let was = SELECTOR.swap(FILTER_ALLOW, Ordering::SeqCst);
            DELIVERING.with(|d| d.set(d.get() + 1));
            chain::deliver(sig, info, ctx);
            DELIVERING.with(|d| d.set(d.get() - 1));
            SELECTOR.store(was, Ordering::SeqCst);
        } else {
            chain::deliver(sig, info, ctx);
        }
        return;
    }
    let saved_errno = errno::get();
    SELECTOR.store(FILTER_ALLOW, Ordering::SeqCst);
    TRAPS.fetch_add(1, Ordering::Relaxed);
    let g = &mut uc.uc_mcontext.gregs;
    let nr = g[libc::REG_RAX as usize];
    if must_rerun(nr) {
        // Re-run the instruction with the selector open; the next hook closes it.
        g[libc::REG_RIP as usize] -= SYSCALL_INSN_LEN;
        return;
    }
    let args = [
        g[libc::REG_RDI as usize] as usize,
        g[libc::REG_RSI as usize] as usize,
        g[libc::REG_RDX as usize] as usize,
        g[libc::REG_R10 as usize] as usize,
        g[libc::REG_R8 as usize] as usize,
        g[libc::REG_R9 as usize] as usize,
    ];
    // Descriptors and signal actions the runtime keeps are answered here.
    let ret = match raw::answer(nr, args) {
        Some(ret) => ret,
        None => perform(nr, args),
    };
    g[libc::REG_RAX as usize] = if ret == -1 {
        -(errno::get() as i64)
    } else {
        ret
    };
    errno::set(saved_errno);
    if context::on_test_microthread() {
        SELECTOR.store(FILTER_BLOCK, Ordering::SeqCst);
    }
}

/// Judges a trapped syscall on the microthread and makes it through libc,
/// in flight meanwhile; libc's convention (-1 and errno).
fn perform(nr: i64, args: [usize; 6]) -> i64 {
    let mut in_flight = InFlight::NONE;
    if context::guarded() {
        let judged = std::panic::catch_unwind(|| {
            classify_syscall(nr, args).map(|call| guard::judge(call, true, "raw syscall", false))
        });
        match judged {
            Ok(Some((Decision::Stop, _))) => scheduler::stop(),
            Ok(Some((_, seq))) => in_flight = inflight::enter(seq),
            _ => {}
        }
    }
    type SyscallFn = unsafe extern "C" fn(libc::c_long, ...) -> libc::c_long;
    // SAFETY: SYSCALL is libc's syscall(2); the arguments are the trapped
    // instruction's own.
    let ret = unsafe {
        let f = std::mem::transmute::<usize, SyscallFn>(SYSCALL.get());
        f(nr, args[0], args[1], args[2], args[3], args[4], args[5])
    };
    drop(in_flight);
    ret
}
