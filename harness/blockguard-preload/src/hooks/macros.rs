//! `hook!` defines interposed libc functions, one declaration each; the
//! declaration is the hook's whole description, and its registry entry.
//!
//! ```text
//! /// doc
//! @thread_bound fn name(arg: Ty, ...; extra, ...) -> Ret
//!     , answer |args| Option<Ret>     every thread, before anything
//!     , attempt |args| Option<Ret>    guarded only, before judging
//!     => |args| Option<Call>          guarded only: the classifier
//!     , after |ret, args| ()          every thread, after the real call
//! ```
//!
//! - `@thread_bound`: tied to the calling thread (a lock it would own, its
//!   signal mask): farm mode never moves it to a worker.
//! - `; extra, ...`: the function is variadic; each extra argument is
//!   passed through as one machine word (see [`crate::arch`]).
//! - `answer`: the runtime answers the call itself (a raw `close` of its
//!   trace descriptor); `attempt`: a call that may not wait at all is made
//!   first (an uncontended lock), and when it succeeds it is the whole call;
//!   `after`: bookkeeping that must see every call's result, on any thread.
//!
//! For `fn read(fd, buf, n) -> ssize_t` it generates the exported `read`,
//! and a module `read` holding the real function (`read::REAL`), the
//! guarded stand-in handed out by `dlsym` (`read::escaped`), and the body
//! both share, and adds `read` to [`HOOKS`]. On a thread that is not
//! guarded the body is one thread-local read and a jump to the real
//! function.

use linkme::distributed_slice;

/// One interposed function, as the registry knows it.
pub struct Entry {
    /// The libc name.
    pub name: &'static str,
    /// The real function's name and address.
    pub real: &'static crate::real::Symbol,
    /// The exported hook's address.
    pub hook: fn() -> usize,
    /// The guarded stand-in's address, which `dlsym` hands out.
    pub escaped: fn() -> usize,
}

/// Every interposed function: each `hook!` declaration adds its own entry.
#[distributed_slice]
pub static HOOKS: [Entry];

macro_rules! hook {
    ($(
        $(#[$doc:meta])*
        $(@$bound:ident)? fn $name:ident($($arg:ident: $ty:ty),* $(; $($extra:ident),+)?) -> $ret:ty
            $(, answer $answer:expr)?
            $(, attempt $attempt:expr)?
            => $classify:expr
            $(, after $after:expr)?;
    )*) => {
    $(
        $(#[$doc])*
        #[unsafe(no_mangle)]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $name($($arg: $ty,)* $($($extra: usize),+)?) -> $ret {
            // SAFETY: forwards the caller's own arguments to the same function.
            unsafe { $name::body(false, $($arg,)* $($($extra),+)?) }
        }

        #[doc = concat!("The real `", stringify!($name), "` and its guarded stand-in.")]
        pub mod $name {
            #[allow(unused_imports)]
            use super::*;

            /// The libc name.
            pub const NAME: &str = stringify!($name);
            /// Tied to the calling thread: never farmed.
            pub const THREAD_BOUND: bool = $crate::hooks::macros::is_marked!($($bound)?);
            /// The real function's C signature.
            pub type Signature = $crate::hooks::macros::real_fn!(($($ty),*) ($($($extra)+)?) $ret);
            /// The real function.
            pub static REAL: $crate::real::Real<Signature> =
                // SAFETY: the declaration is glibc's prototype of this name,
                // so `Signature` is the real function's type.
                unsafe { $crate::real::Real::named(concat!(stringify!($name), "\0")) };

            #[linkme::distributed_slice($crate::hooks::macros::HOOKS)]
            static ENTRY: $crate::hooks::macros::Entry = $crate::hooks::macros::Entry {
                name: NAME,
                real: REAL.symbol(),
                hook: || super::$name as *const () as usize,
                escaped: || escaped as *const () as usize,
            };

            /// The stand-in `dlsym` hands out for the real function: judged as escaped.
            #[allow(clippy::too_many_arguments)]
            pub unsafe extern "C" fn escaped($($arg: $ty,)* $($($extra: usize),+)?) -> $ret {
                // SAFETY: forwards the caller's own arguments.
                unsafe { body(true, $($arg,)* $($($extra),+)?) }
            }

            /// Judge where guarded, then forward.
            ///
            /// # Safety
            /// The arguments must be valid for the real function.
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            pub unsafe fn body(escaped: bool, $($arg: $ty,)* $($($extra: usize),+)?) -> $ret {
                let real = REAL.get();
                $crate::hooks::macros::optional!(
                    [$($answer)?] ($($arg),* $(, $($extra),+)?) |ret| return ret
                );
                let ret = 'call: {
                    if $crate::context::guarded() {
                        $crate::hooks::macros::optional!(
                            [$($attempt)?] ($($arg),* $(, $($extra),+)?) |ret| break 'call ret
                        );
                        let classify = $classify;
                        let next = $crate::hooks::support::before(escaped, NAME, THREAD_BOUND, || {
                            classify($($arg,)* $($($extra),+)?)
                        });
                        match next {
                            $crate::hooks::support::Next::Farm(seq) => {
                                let args = $crate::scheduler::farm::Args::new(($($arg,)* $($($extra,)+)?));
                                // Timed from the microthread's side: its wait for the worker.
                                let _timed = $crate::tally::start(seq);
                                break 'call $crate::scheduler::farm::call(seq, move || {
                                    let ($($arg,)* $($($extra,)+)?) = args.into_inner();
                                    // SAFETY: the caller's arguments, on a worker
                                    // while the caller is suspended (see farm).
                                    unsafe { real($($arg,)* $($($extra),+)?) }
                                });
                            }
                            // In flight until the real call returns.
                            $crate::hooks::support::Next::Run(_in_flight) => {
                                // SAFETY: the caller's arguments, unchanged.
                                break 'call unsafe { real($($arg,)* $($($extra),+)?) };
                            }
                        }
                    }
                    // SAFETY: the caller's arguments, unchanged.
                    unsafe { real($($arg,)* $($($extra),+)?) }
                };
                $crate::hooks::macros::optional!(
                    [$($after)?] (ret, $($arg),* $(, $($extra),+)?)
                );
                ret
            }
        }
    )*
    };
}

/// An optional step of a declaration, called with the hook's arguments:
/// nothing when absent; with `|ret| then`, `then` runs on what it returns.
macro_rules! optional {
    ([] $args:tt $(|$ret:ident| $then:expr)?) => {};
    ([$step:expr] ($($arg:ident),*)) => {
        let step = $step;
        step($($arg),*);
    };
    ([$step:expr] ($($arg:ident),*) |$ret:ident| $then:expr) => {
        let step = $step;
        if let Some($ret) = step($($arg),*) {
            $then;
        }
    };
}

/// The real function's type: variadic when the declaration has extras.
macro_rules! real_fn {
    (($($ty:ty),*) () $ret:ty) => { unsafe extern "C" fn($($ty),*) -> $ret };
    (($($ty:ty),*) ($($extra:ident)+) $ret:ty) => { unsafe extern "C" fn($($ty,)* ...) -> $ret };
}

/// `true` when a declaration carries its marker.
macro_rules! is_marked {
    () => {
        false
    };
    ($marker:ident) => {
        true
    };
}

pub(crate) use {hook, is_marked, optional, real_fn};
