//! Is a call blocking, and of which class? Decided from the call's
//! arguments and the live state of its file descriptor, never from its name
//! alone.

mod call;
mod fd;
pub mod fd_cache;
mod fd_kind;
pub mod spin;
pub mod syscall;

pub use call::Call;
pub use fd::{io_class, open_class, stream_class};
pub use syscall::classify as classify_syscall;
