//! Catching blocking calls that never pass through an interposed function.
//! Raw `syscall` instructions are trapped with Syscall User Dispatch
//! ([`sud`]), beside the test's own SIGSYS action ([`chain`]); libc
//! functions fetched with `dlsym` are handed out as guarded stand-ins (see
//! `hooks::dl`).

pub mod chain;
mod error;
pub mod restorer;
pub mod sud;
