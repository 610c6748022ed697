//! Waiting without blocking the thread: [`yield_now`] and [`sleep`].

use crate::ffi;
use std::time::Duration;

/// Lets the other ready microthreads run once each before the caller goes
/// on (round robin). Off a microthread, `std::thread::yield_now`.
pub fn yield_now() {
    match ffi::active() {
        Some(abi) if abi.yield_now() => {}
        _ => std::thread::yield_now(),
    }
}

/// Sleeps for `d`; under the runtime as a timer, while the other
/// microthreads run. Off a microthread, `std::thread::sleep`.
pub fn sleep(d: Duration) {
    let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    match ffi::active() {
        Some(abi) if abi.sleep_ns(nanos) => {}
        _ => std::thread::sleep(d),
    }
}
