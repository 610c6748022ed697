//! Scoped rules in code: [`allow_blocking`] and [`expect_blocking`].

use crate::ffi;
pub use blockguard_protocol::Class;

/// Closes the runtime's innermost scope when dropped, on a panic too.
struct ScopeEnd<'a>(&'a ffi::Abi, Option<i64>);

impl Drop for ScopeEnd<'_> {
    fn drop(&mut self) {
        if self.1.is_none() {
            self.0.scope_end();
        }
    }
}

/// Runs `f` with its blocking calls allowed, as an `[[allow]]` rule with
/// `reason` would: each is recorded with verdict `allowed` and the reason
/// as its rule, and runs in place (not farmed). The allowance ends with
/// `f` and covers only the calling microthread. Without the runtime, runs
/// `f`.
pub fn allow_blocking<R>(reason: &str, f: impl FnOnce() -> R) -> R {
    match ffi::active() {
        Some(abi) if abi.allow_begin(reason) => {
            let _end = ScopeEnd(abi, None);
            f()
        }
        _ => f(),
    }
}

/// Runs `f` and asserts that it attempts at least one blocking call of
/// `class`; those calls are allowed (rule `expect_blocking(<class>)`).
/// Panics when it attempts none.
///
/// Without the runtime nothing can observe the calls, so this panics
/// rather than pass vacuously.
#[track_caller]
pub fn expect_blocking<R>(class: Class, f: impl FnOnce() -> R) -> R {
    let Some(abi) = ffi::active() else {
        panic!(
            "expect_blocking({class}) needs the guard runtime (run the test with `cargo xtask run-suite`): \
             without it no blocking call can be observed"
        );
    };
    assert!(
        abi.expect_begin(class.as_str()),
        "the runtime refused class {class}"
    );
    let mut end = ScopeEnd(abi, None);
    let result = f();
    let seen = abi.scope_end();
    end.1 = Some(seen);
    assert!(
        seen > 0,
        "expect_blocking({class}): the code attempted no blocking call of class {class}"
    );
    result
}
