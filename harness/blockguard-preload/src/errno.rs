//! `errno` access: every hook leaves `errno` as the real call left it.
#![allow(unsafe_code)]

/// The calling thread's `errno`.
#[inline]
pub fn get() -> i32 {
    // SAFETY: __errno_location always returns a valid pointer to this
    // thread's errno.
    unsafe { *libc::__errno_location() }
}

/// Sets the calling thread's `errno`.
#[inline]
pub fn set(value: i32) {
    // SAFETY: as in `get`; the location is this thread's own.
    unsafe { *libc::__errno_location() = value }
}

/// Restores `errno` to its value at creation when dropped.
pub struct Saved(i32);

impl Saved {
    /// Remembers the current `errno`.
    #[inline]
    pub fn now() -> Self {
        Saved(get())
    }
}

impl Drop for Saved {
    #[inline]
    fn drop(&mut self) {
        set(self.0);
    }
}
