//! `hook!` defines interposed libc functions, one declaration each.
//!
//! A declaration's `@thread_bound` marks a call tied to the calling thread
//! (a lock it would own, its signal mask): farm mode never moves it to a
//! worker. Each `hook!` block also lists its functions in a static,
//! `[Entry]`, named at the block's head; `hooks/mod.rs` gathers those lists.
//!
//! For `fn read(fd, buf, n) -> ssize_t` it generates the exported `read`,
//! and a module `read` holding the real function (`read::REAL`), the
//! guarded stand-in handed out by `dlsym` (`read::escaped`), and the body
//! both share. On a thread that is not the test's microthread the body is
//! one thread-local read and a jump to the real function.

macro_rules! hook {
    ($registry:ident; $(
        $(#[$doc:meta])*
        $(@$bound:ident)? fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty
            => $classify:expr;
    )*) => {
        /// This block's hooks.
        pub static $registry: &[$crate::hooks::macros::Entry] = &[$($crate::hooks::macros::entry!($name)),*];
    $(
        $(#[$doc])*
        #[unsafe(no_mangle)]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> $ret {
            // SAFETY: forwards the caller's own arguments to the same function.
            unsafe { $name::body(false, $($arg),*) }
        }

        #[doc = concat!("The real `", stringify!($name), "` and its guarded stand-in.")]
        pub mod $name {
            #[allow(unused_imports)]
            use super::*;

            /// The libc name.
            pub const NAME: &str = stringify!($name);
            /// Tied to the calling thread: never farmed.
            pub const THREAD_BOUND: bool = $crate::hooks::macros::is_marked!($($bound)?);
            /// The real function.
            pub static REAL: $crate::real::Real =
                $crate::real::Real::named(concat!(stringify!($name), "\0"));

            /// The stand-in `dlsym` hands out for the real function: judged as escaped.
            #[allow(clippy::too_many_arguments)]
            pub unsafe extern "C" fn escaped($($arg: $ty),*) -> $ret {
                // SAFETY: forwards the caller's own arguments.
                unsafe { body(true, $($arg),*) }
            }

            /// Judge on the microthread, then forward.
            ///
            /// # Safety
            /// The arguments must be valid for the real function.
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            pub unsafe fn body(escaped: bool, $($arg: $ty),*) -> $ret {
                type Real = unsafe extern "C" fn($($ty),*) -> $ret;
                // SAFETY: REAL holds libc's function of this name, which has this signature.
                let real = unsafe { ::std::mem::transmute::<usize, Real>(REAL.get()) };
                if $crate::context::guarded() {
                    let classify = $classify;
                    match $crate::hooks::support::before(escaped, NAME, THREAD_BOUND, || classify($($arg),*)) {
                        $crate::hooks::support::Next::Farm(seq) => {
                            let args = $crate::scheduler::farm::Args::new(($($arg,)*));
                            return $crate::scheduler::farm::call(seq, move || {
                                let ($($arg,)*) = args.into_inner();
                                // SAFETY: the caller's arguments, on a worker
                                // while the caller is suspended (see farm).
                                unsafe { real($($arg),*) }
                            });
                        }
                        // In flight until the real call returns.
                        $crate::hooks::support::Next::Run(_in_flight) => {
                            // SAFETY: the caller's arguments, unchanged.
                            return unsafe { real($($arg),*) };
                        }
                    }
                }
                // SAFETY: the caller's arguments, unchanged.
                unsafe { real($($arg),*) }
            }
        }
    )*
    };
}

/// One interposed function, as the registry knows it.
pub struct Entry {
    /// The libc name.
    pub name: &'static str,
    /// The real function.
    pub real: &'static crate::real::Real,
    /// The exported hook's address.
    pub hook: fn() -> usize,
    /// The guarded stand-in's address, which `dlsym` hands out.
    pub escaped: fn() -> usize,
}

/// The registry entry of the hook module `$name`.
macro_rules! entry {
    ($name:ident) => {
        $crate::hooks::macros::Entry {
            name: $name::NAME,
            real: &$name::REAL,
            hook: || $name as *const () as usize,
            escaped: || $name::escaped as *const () as usize,
        }
    };
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

/// Defines a variadic libc function whose optional argument is passed
/// through as one machine word (x86-64 passes it in the same register).
macro_rules! variadic_hook {
    ($registry:ident; $(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),*; $extra:ident) -> $ret:ty => $classify:expr;
    )*) => {
        /// This block's hooks.
        pub static $registry: &[$crate::hooks::macros::Entry] = &[$($crate::hooks::macros::entry!($name)),*];
    $(
        $(#[$doc])*
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($($arg: $ty,)* $extra: usize) -> $ret {
            // SAFETY: forwards the caller's own arguments.
            unsafe { $name::body(false, $($arg,)* $extra) }
        }

        #[doc = concat!("The real `", stringify!($name), "` and its guarded stand-in.")]
        pub mod $name {
            use super::*;

            /// The libc name.
            pub const NAME: &str = stringify!($name);
            /// The real function.
            pub static REAL: $crate::real::Real =
                $crate::real::Real::named(concat!(stringify!($name), "\0"));

            /// The stand-in `dlsym` hands out for the real function.
            pub unsafe extern "C" fn escaped($($arg: $ty,)* $extra: usize) -> $ret {
                // SAFETY: forwards the caller's own arguments.
                unsafe { body(true, $($arg,)* $extra) }
            }

            /// Judge on the microthread, then forward.
            ///
            /// # Safety
            /// The arguments must be valid for the real function.
            #[inline(always)]
            pub unsafe fn body(escaped: bool, $($arg: $ty,)* $extra: usize) -> $ret {
                type Real = unsafe extern "C" fn($($ty,)* ...) -> $ret;
                // SAFETY: REAL holds libc's variadic function of this name.
                let real = unsafe { ::std::mem::transmute::<usize, Real>(REAL.get()) };
                if $crate::context::guarded() {
                    let classify = $classify;
                    match $crate::hooks::support::before(escaped, NAME, false, || classify($($arg,)* $extra)) {
                        $crate::hooks::support::Next::Farm(seq) => {
                            let args = $crate::scheduler::farm::Args::new(($($arg,)* $extra,));
                            return $crate::scheduler::farm::call(seq, move || {
                                let ($($arg,)* $extra,) = args.into_inner();
                                // SAFETY: the caller's arguments, on a worker
                                // while the caller is suspended (see farm).
                                unsafe { real($($arg,)* $extra) }
                            });
                        }
                        // In flight until the real call returns.
                        $crate::hooks::support::Next::Run(_in_flight) => {
                            // SAFETY: the caller's arguments, unchanged.
                            return unsafe { real($($arg,)* $extra) };
                        }
                    }
                }
                // SAFETY: the caller's arguments, unchanged.
                unsafe { real($($arg,)* $extra) }
            }
        }
    )*
    };
}

pub(crate) use {entry, hook, is_marked, variadic_hook};
