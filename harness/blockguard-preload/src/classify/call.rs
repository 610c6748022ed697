//! One blocking call, as classified.

use blockguard_protocol::Class;

/// A call that can block the thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    /// The libc function (or syscall) name.
    pub name: &'static str,
    /// Its class.
    pub class: Class,
    /// The file descriptor it acts on, when it has one.
    pub fd: Option<i32>,
}

impl Call {
    /// A call without a file descriptor.
    pub const fn new(name: &'static str, class: Class) -> Self {
        Call {
            name,
            class,
            fd: None,
        }
    }

    /// A call on `fd`.
    pub const fn on_fd(name: &'static str, class: Class, fd: i32) -> Self {
        Call {
            name,
            class,
            fd: Some(fd),
        }
    }
}
