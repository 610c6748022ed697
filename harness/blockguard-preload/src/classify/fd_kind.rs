//! What a file descriptor refers to, as the classifier and its cache see it.

/// What a descriptor refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdKind {
    /// A socket.
    Socket,
    /// A pipe, FIFO, tty or character device.
    Pipe,
    /// An anonymous in-kernel wait object (eventfd, timerfd, epoll,
    /// inotify...): waits like a pipe.
    AnonWait,
    /// A regular file or block device.
    File,
    /// A file of a pseudo-filesystem (procfs, sysfs, cgroupfs): the kernel
    /// makes its contents on the spot, and no read of it waits on a device.
    Pseudo,
    /// A directory: reads fail rather than wait.
    Directory,
}
