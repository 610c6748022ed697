//! The runtime's C ABI, found at run time with `dlsym(RTLD_DEFAULT, …)` so
//! that a test binary links and runs without the runtime. This module is
//! the crate's only unsafe code: the lookups and the calls through the
//! pointers they return. Everything it exports is safe.
//!
//! # Safety
//! Each pointer is the runtime's own `blockguard_*` function, looked up by
//! its exact name from a runtime whose `blockguard_abi_version` is at least
//! [`ABI_VERSION`], so it has the signature declared here. The runtime
//! never unwinds across these functions.
#![allow(unsafe_code)]

use libc::{c_char, c_int, c_void};
use std::ffi::{CStr, CString};
use std::sync::OnceLock;

/// The ABI version this crate needs.
const ABI_VERSION: u32 = 1;

type Entry = extern "C" fn(*mut c_void);

/// The runtime's functions.
pub struct Abi {
    on_microthread: extern "C" fn() -> c_int,
    yield_now: extern "C" fn() -> c_int,
    spawn: extern "C" fn(Entry, *mut c_void, *const c_char) -> u64,
    current: extern "C" fn() -> i64,
    join: extern "C" fn(u64) -> c_int,
    park: extern "C" fn(*const c_char) -> c_int,
    unpark: extern "C" fn(u64) -> c_int,
    sleep_ns: extern "C" fn(u64) -> c_int,
    deadlock_report: extern "C" fn(*mut c_char, usize) -> usize,
    allow_begin: extern "C" fn(*const c_char) -> c_int,
    expect_begin: extern "C" fn(*const c_char) -> c_int,
    scope_end: extern "C" fn() -> i64,
    fail: extern "C" fn(*const c_char) -> !,
}

fn lookup(name: &CStr) -> Option<*mut c_void> {
    // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name only reads.
    let p = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    (!p.is_null()).then_some(p)
}

macro_rules! function {
    ($name:literal as $ty:ty) => {{
        let p = lookup($name)?;
        // SAFETY: see the module's safety note: the runtime's function of
        // this name has this signature.
        unsafe { std::mem::transmute::<*mut c_void, $ty>(p) }
    }};
}

fn load() -> Option<Abi> {
    let version = function!(c"blockguard_abi_version" as extern "C" fn() -> u32);
    if version() < ABI_VERSION {
        return None;
    }
    Some(Abi {
        on_microthread: function!(c"blockguard_on_microthread" as extern "C" fn() -> c_int),
        yield_now: function!(c"blockguard_yield_now" as extern "C" fn() -> c_int),
        spawn: function!(
            c"blockguard_spawn" as extern "C" fn(Entry, *mut c_void, *const c_char) -> u64
        ),
        current: function!(c"blockguard_current" as extern "C" fn() -> i64),
        join: function!(c"blockguard_join" as extern "C" fn(u64) -> c_int),
        park: function!(c"blockguard_park" as extern "C" fn(*const c_char) -> c_int),
        unpark: function!(c"blockguard_unpark" as extern "C" fn(u64) -> c_int),
        sleep_ns: function!(c"blockguard_sleep_ns" as extern "C" fn(u64) -> c_int),
        deadlock_report: function!(
            c"blockguard_deadlock_report" as extern "C" fn(*mut c_char, usize) -> usize
        ),
        allow_begin: function!(c"blockguard_allow_begin" as extern "C" fn(*const c_char) -> c_int),
        expect_begin: function!(
            c"blockguard_expect_begin" as extern "C" fn(*const c_char) -> c_int
        ),
        scope_end: function!(c"blockguard_scope_end" as extern "C" fn() -> i64),
        fail: function!(c"blockguard_fail" as extern "C" fn(*const c_char) -> !),
    })
}

/// The runtime, when it is loaded.
fn runtime() -> Option<&'static Abi> {
    static ABI: OnceLock<Option<Abi>> = OnceLock::new();
    ABI.get_or_init(load).as_ref()
}

/// The runtime, when this code runs on one of its microthreads.
pub fn active() -> Option<&'static Abi> {
    runtime().filter(|abi| (abi.on_microthread)() == 1)
}

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// Normally.
    Go,
    /// Never: every microthread waits.
    Deadlock,
    /// Not on a microthread: nothing waited.
    NotOnMicrothread,
}

fn woken(code: c_int) -> Woken {
    match code {
        0 => Woken::Go,
        1 => Woken::Deadlock,
        _ => Woken::NotOnMicrothread,
    }
}

fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', " ")).expect("NULs were replaced")
}

impl Abi {
    /// Yields; false off a microthread.
    pub fn yield_now(&self) -> bool {
        (self.yield_now)() == 0
    }

    /// Starts a microthread running `body`; its id.
    pub fn spawn(&self, name: &str, body: Box<dyn FnOnce()>) -> Option<u64> {
        extern "C" fn entry(arg: *mut c_void) {
            // SAFETY: `arg` is the box leaked below, handed to this entry
            // exactly once by the runtime.
            let body = unsafe { Box::from_raw(arg.cast::<Box<dyn FnOnce()>>()) };
            body();
        }
        let name = c_string(name);
        let arg = Box::into_raw(Box::new(body));
        let id = (self.spawn)(entry, arg.cast(), name.as_ptr());
        if id == 0 {
            // SAFETY: the runtime did not take it, so the box is still ours.
            drop(unsafe { Box::from_raw(arg) });
            return None;
        }
        Some(id)
    }

    /// The running microthread's id.
    pub fn current(&self) -> Option<u64> {
        u64::try_from((self.current)()).ok()
    }

    /// Waits for microthread `id` to end.
    pub fn join(&self, id: u64) -> Woken {
        woken((self.join)(id))
    }

    /// Parks until unparked; `what` says where.
    pub fn park(&self, what: &str) -> Woken {
        let what = c_string(what);
        woken((self.park)(what.as_ptr()))
    }

    /// Wakes microthread `id`.
    pub fn unpark(&self, id: u64) {
        (self.unpark)(id);
    }

    /// Sleeps for `nanos`; false off a microthread.
    pub fn sleep_ns(&self, nanos: u64) -> bool {
        (self.sleep_ns)(nanos) == 0
    }

    /// The last deadlock's report.
    pub fn deadlock_report(&self) -> String {
        let len = (self.deadlock_report)(std::ptr::null_mut(), 0);
        let mut buf = vec![0u8; len + 1];
        (self.deadlock_report)(buf.as_mut_ptr().cast(), buf.len());
        buf.truncate(len);
        String::from_utf8_lossy(&buf).into_owned()
    }

    /// Opens an allowance.
    pub fn allow_begin(&self, reason: &str) -> bool {
        let reason = c_string(reason);
        (self.allow_begin)(reason.as_ptr()) == 0
    }

    /// Opens an expectation of `class`.
    pub fn expect_begin(&self, class: &str) -> bool {
        let class = c_string(class);
        (self.expect_begin)(class.as_ptr()) == 0
    }

    /// Closes the innermost scope: an expectation's count.
    pub fn scope_end(&self) -> i64 {
        (self.scope_end)()
    }

    /// Fails the test now with `message`.
    pub fn fail(&self, message: &str) -> ! {
        let message = c_string(message);
        (self.fail)(message.as_ptr())
    }
}
