//! The interposed libc entry points, by class (DESIGN §3's table).
//!
//! # Safety
//! Every exported function here has the exact C signature of the glibc
//! function it replaces and forwards its arguments unchanged to that
//! function, resolved with `dlsym(RTLD_NEXT)`.
#![allow(unsafe_code)]

mod macros;
mod registry;
mod support;

pub mod disposition;
pub mod dl;
pub mod dns;
pub mod fds;
pub mod fs;
pub mod io;
pub mod poll;
pub mod process;
pub mod raw;
pub mod signal;
pub mod sleep;
pub mod sync;
pub mod thread;

pub use registry::{hook_address, resolve_all, stand_in};
