//! x86-64 Linux (System V ABI).
//!
//! A frame, as the fast stack walk reads it (addresses grow upwards):
//!
//! ```text
//!            caller's frame
//!   CFA ───► ┌──────────────────────┐
//!            │ return address       │  CFA - 8: pushed by `call`
//!            ├──────────────────────┤
//!            │ callee's locals ...  │
//!   sp  ───► └──────────────────────┘
//! ```
//!
//! A syscall, as the backstop reads it from a trapped context:
//!
//! ```text
//!   rax          number in, result out (-errno on failure)
//!   rdi rsi rdx  arguments 1-3
//!   r10 r8  r9   arguments 4-6
//!   rcx r11      clobbered by the instruction
//!   rip          just past `syscall` (0f 05, two bytes)
//! ```
//!
//! A variadic argument is passed in the register a fixed integer or
//! pointer argument in its position would use, so a hook that forwards one
//! machine word per optional argument (`fcntl`, `open`, `ioctl`,
//! `syscall`) forwards it unchanged.
//!
//! # Safety
//! The inline assembly reads registers or makes one syscall that touches
//! no memory; the naked `dlsym` shim only compares and jumps. The trapped
//! context is the one the kernel handed to the running signal handler. A
//! call instruction is read only where its caller vouches it is readable.
#![allow(unsafe_code)]

/// Where a frame's return address is stored, below its CFA.
pub const RETURN_ADDRESS_BELOW_CFA: usize = 8;

/// The call instruction that returns to a return address, as far as a
/// tail call's callee can be read from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallBefore {
    /// `call rel32` (e8): to this address.
    Direct(usize),
    /// `call [rip+disp32]` (ff 15), or an unoptimised build's
    /// `mov rax, [rip+disp32]; call rax` (48 8b 05, ff d0): to the address
    /// held in this slot (a GOT entry).
    Through(usize),
}

/// How many bytes before a return address [`call_before`] reads.
pub const LONGEST_CALL: usize = 9;

/// The call that returns to `ret`, from the [`LONGEST_CALL`] bytes before
/// it; `None` for any other instruction.
///
/// # Safety
/// The [`LONGEST_CALL`] bytes before `ret` must be mapped and readable.
pub unsafe fn call_before(ret: usize) -> Option<CallBefore> {
    let at = ret.checked_sub(LONGEST_CALL)?;
    // SAFETY: the caller vouches that these bytes are readable.
    let bytes = unsafe { std::ptr::read_unaligned(at as *const [u8; LONGEST_CALL]) };
    decode_call(ret, bytes)
}

/// [`call_before`] on the bytes it read.
fn decode_call(ret: usize, bytes: [u8; LONGEST_CALL]) -> Option<CallBefore> {
    let from = |end: usize, d: [u8; 4]| end.wrapping_add_signed(i32::from_le_bytes(d) as isize);
    match bytes {
        [0x48, 0x8b, 0x05, a, b, c, d, 0xff, 0xd0] => {
            Some(CallBefore::Through(from(ret - 2, [a, b, c, d])))
        }
        [.., 0xff, 0x15, a, b, c, d] => Some(CallBefore::Through(from(ret, [a, b, c, d]))),
        [.., 0xe8, a, b, c, d] => Some(CallBefore::Direct(from(ret, [a, b, c, d]))),
        _ => None,
    }
}

/// The instruction and stack pointers at this point of the caller.
#[inline(always)]
pub fn here() -> (usize, usize) {
    let (ip, sp): (usize, usize);
    // SAFETY: reads two registers; touches no memory.
    unsafe {
        std::arch::asm!("lea {0}, [rip]", "mov {1}, rsp", out(reg) ip, out(reg) sp, options(nomem, nostack, preserves_flags));
    }
    (ip, sp)
}

/// A raw `syscall` instruction for getppid(2), outside libc: the
/// backstop's load-time probe.
#[inline(never)]
pub fn raw_getppid() -> i64 {
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

/// A syscall trapped by Syscall User Dispatch, in its signal context.
pub struct TrappedSyscall<'a>(&'a mut libc::ucontext_t);

impl<'a> TrappedSyscall<'a> {
    /// The context the kernel passed to the SIGSYS handler.
    pub fn new(uc: &'a mut libc::ucontext_t) -> Self {
        TrappedSyscall(uc)
    }

    fn reg(&self, r: libc::c_int) -> i64 {
        self.0.uc_mcontext.gregs[r as usize]
    }

    /// The syscall number.
    pub fn number(&self) -> i64 {
        self.reg(libc::REG_RAX)
    }

    /// Its six argument words.
    pub fn args(&self) -> [usize; 6] {
        [
            libc::REG_RDI,
            libc::REG_RSI,
            libc::REG_RDX,
            libc::REG_R10,
            libc::REG_R8,
            libc::REG_R9,
        ]
        .map(|r| self.reg(r) as usize)
    }

    /// Where execution resumes: just past the instruction.
    pub fn resume_address(&self) -> usize {
        self.reg(libc::REG_RIP) as usize
    }

    /// Completes the syscall with the kernel's result (`-errno` on failure).
    pub fn complete(&mut self, result: i64) {
        self.0.uc_mcontext.gregs[libc::REG_RAX as usize] = result;
    }

    /// Makes the instruction run again when the handler returns.
    pub fn rerun(&mut self) {
        const SYSCALL_INSTRUCTION_LEN: i64 = 2;
        self.0.uc_mcontext.gregs[libc::REG_RIP as usize] -= SYSCALL_INSTRUCTION_LEN;
    }
}

/// The address of the trapped instruction's end, from a SIGSYS siginfo:
/// `_sigsys { call_addr, syscall, arch }` follows the three leading ints
/// and their padding.
pub fn sigsys_call_address(info: &libc::siginfo_t) -> usize {
    // SAFETY: a SIGSYS siginfo holds `_sigsys` at this offset, and
    // siginfo_t is 128 bytes, so the read stays inside it.
    unsafe {
        *(info as *const libc::siginfo_t)
            .cast::<u8>()
            .add(16)
            .cast::<usize>()
    }
}

/// `struct sigaction` as the kernel takes it (not glibc's layout).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelAction {
    /// Handler, `SIG_DFL` (0) or `SIG_IGN` (1).
    pub handler: usize,
    /// `SA_*` flags.
    pub flags: u64,
    /// Where the handler returns to (with `SA_RESTORER`).
    pub restorer: usize,
    /// Signals blocked while the handler runs.
    pub mask: u64,
}

/// glibc always sets it, with its own restorer.
pub const SA_RESTORER: u64 = 0x0400_0000;
/// The flags the kernel keeps (`UAPI_SA_FLAGS`).
pub const KEPT_SA_FLAGS: u64 = (libc::SA_NOCLDSTOP
    | libc::SA_NOCLDWAIT
    | libc::SA_SIGINFO
    | libc::SA_ONSTACK
    | libc::SA_RESTART
    | libc::SA_NODEFER
    | libc::SA_RESETHAND) as u32 as u64
    | SA_RESTORER;

/// Defines the exported `dlsym`, a shim: `dlsym(RTLD_NEXT, ...)` resolves
/// relative to its caller's object, which glibc finds from the return
/// address, so `RTLD_NEXT` (-1 in rdi) jumps straight to glibc's (`$real`,
/// a static holding its address) with the caller's return address in
/// place; anything else, or a `$real` not yet set, goes to `$resolve`.
macro_rules! dlsym_shim {
    ($resolve:path, $real:path) => {
        /// dlsym(3), through the shim.
        #[unsafe(naked)]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn dlsym(
            handle: *mut libc::c_void,
            name: *const libc::c_char,
        ) -> *mut libc::c_void {
            core::arch::naked_asm!(
                "cmp rdi, -1",
                "jne {resolve}",
                "mov rax, qword ptr [rip + {real}]",
                "test rax, rax",
                "jz {resolve}",
                "jmp rax",
                resolve = sym $resolve,
                real = sym $real,
            )
        }
    };
}

pub(crate) use dlsym_shim;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_call_forms_are_read_and_others_are_not() {
        let ret = 0x1000;
        let direct = [0, 0, 0, 0, 0xe8, 0x10, 0, 0, 0];
        assert_eq!(decode_call(ret, direct), Some(CallBefore::Direct(0x1010)));
        let got = [0, 0, 0, 0xff, 0x15, 0xf0, 0xff, 0xff, 0xff];
        assert_eq!(decode_call(ret, got), Some(CallBefore::Through(0xff0)));
        let via_rax = [0x48, 0x8b, 0x05, 0x20, 0, 0, 0, 0xff, 0xd0];
        assert_eq!(decode_call(ret, via_rax), Some(CallBefore::Through(0x101e)));
        assert_eq!(decode_call(ret, [0x90; LONGEST_CALL]), None);
    }
}
