//! A function that ends by jumping to another (a tail call) leaves no
//! frame: std's optimised `thread::yield_now` jumps straight to libc's
//! `sched_yield`, so the code that called it seems to have called libc
//! itself. The call instruction before that code's return address still
//! names the function it called.
//!
//! # Safety
//! The call instruction, and the slot an indirect call reads, are read
//! only where they lie in a readable segment of a loaded object.
#![allow(unsafe_code)]

use super::symbols::{Frame, Kind, SymbolCache};
use crate::{arch, objects};
use std::sync::Arc;

/// The frames of the std function that the code at return address `ip`
/// (whose frames are `caller`; `inner`, those found so far) called and
/// that left no frame of its own; `None` unless the caller is the
/// innermost frame out of the guard's and the code under test or a
/// dependency, and called std directly.
pub fn hidden_std_callee(
    symbols: &mut SymbolCache,
    ip: usize,
    caller: &[Frame],
    inner: &[Frame],
) -> Option<Arc<[Frame]>> {
    let innermost = inner.iter().all(|f| f.kind == Kind::Guard);
    let objects = objects::get();
    let call_bytes = ip.checked_sub(arch::LONGEST_CALL)?;
    if !innermost || caller.first()?.kind != Kind::User || !objects.readable(call_bytes, ip) {
        return None;
    }
    // SAFETY: the bytes before `ip` are readable (checked just above).
    let target = match unsafe { arch::call_before(ip) }? {
        arch::CallBefore::Direct(target) => target,
        arch::CallBefore::Through(slot) if objects.readable(slot, slot + 8) => {
            // SAFETY: the slot is readable (checked in the guard above).
            unsafe { std::ptr::read_unaligned(slot as *const usize) }
        }
        arch::CallBefore::Through(_) => return None,
    };
    // Names are looked up as return addresses are, one byte back: the
    // byte after the entry is the callee's own.
    let callee = symbols.frames(target.checked_add(1)?);
    callee.iter().all(|f| f.kind == Kind::Std).then_some(callee)
}
