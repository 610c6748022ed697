//! What the guard runtime assumes about the machine, in one place: how a
//! frame keeps its return address, how a syscall passes its number and
//! arguments, where a trapped syscall's registers sit in the signal
//! context, how the kernel lays out `struct sigaction`, and how a variadic
//! argument travels. Everything else is written against this module.
//!
//! One target today. A port adds a sibling of `x86_64.rs` with the same
//! items and a `cfg` line here.

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
compile_error!("the guard runtime runs on x86-64 Linux: see src/arch/mod.rs to port it");

mod x86_64;

pub use x86_64::*;
