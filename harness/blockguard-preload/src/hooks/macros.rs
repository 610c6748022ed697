//! `hook!` defines one interposed libc function.
//!
//! For `fn read(fd, buf, n) -> ssize_t` it generates the exported `read`,
//! and a module `read` holding the real function (`read::REAL`), the
//! guarded stand-in handed out by `dlsym` (`read::escaped`), and the body
//! both share. On a thread that is not the test's microthread the body is
//! one thread-local read and a jump to the real function.

macro_rules! hook {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty
            => $classify:expr;
    )*) => {$(
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
                    match $crate::hooks::support::before(escaped, NAME, || classify($($arg),*)) {
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
    )*};
}

/// Lists hooks so that they can be resolved at load and found by `dlsym`.
macro_rules! registry {
    ($($module:ident :: $name:ident),* $(,)?) => {
        /// Resolves every real function now, so no hook resolves lazily later.
        pub fn resolve_all() {
            $( $module::$name::REAL.try_get(); )*
        }

        /// The guarded stand-in for `name` when `addr` is its real libc function.
        pub fn stand_in(name: &[u8], addr: usize) -> Option<usize> {
            $(
                if name == $module::$name::NAME.as_bytes() && Some(addr) == $module::$name::REAL.try_get() {
                    return Some($module::$name::escaped as *const () as usize);
                }
            )*
            None
        }

        /// The exported hook's address for `name`, for the load-time self-test.
        pub fn hook_address(name: &[u8]) -> Option<usize> {
            $(
                if name == $module::$name::NAME.as_bytes() {
                    return Some($module::$name as *const () as usize);
                }
            )*
            None
        }
    };
}

/// Defines a variadic libc function whose optional argument is passed
/// through as one machine word (x86-64 passes it in the same register).
macro_rules! variadic_hook {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),*; $extra:ident) -> $ret:ty => $classify:expr;
    )*) => {$(
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
                    match $crate::hooks::support::before(escaped, NAME, || classify($($arg,)* $extra)) {
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
    )*};
}

pub(crate) use {hook, registry, variadic_hook};
