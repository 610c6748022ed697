//! Site and via (DESIGN §3): the site is the first frame out from the call
//! that is not the guard, libc, ld.so or std/core/alloc; via is the std or
//! libc API that the site called (the outermost such frame below the site).

use super::symbols::{Frame, Kind};
use std::sync::Arc;

/// Where a call came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// The call site.
    pub site: Arc<str>,
    /// The std or libc API it went through.
    pub via: Arc<str>,
}

/// Attributes a call given its frames, innermost first. `direct` names the
/// API when the site reached the call with no std or libc frame between
/// (the hooked libc function, or `raw syscall`).
pub fn attribute(frames: &[Frame], direct: &'static str) -> Attribution {
    let mut via: Option<&Arc<str>> = None;
    for frame in frames {
        match frame.kind {
            Kind::Guard => {}
            // What came before belonged to a signal handler.
            Kind::SignalReturn => via = None,
            Kind::System | Kind::Std => via = Some(&frame.name),
            Kind::User => {
                return Attribution {
                    site: frame.name.clone(),
                    via: via.cloned().unwrap_or_else(|| direct.into()),
                };
            }
        }
    }
    Attribution {
        site: "<no crate frame>".into(),
        via: via.cloned().unwrap_or_else(|| direct.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, kind: Kind) -> Frame {
        Frame {
            name: name.into(),
            kind,
        }
    }

    #[test]
    fn via_is_the_outermost_std_frame_below_the_site() {
        let frames = [
            f("blockguard_preload::hooks::nanosleep", Kind::Guard),
            f("std::sys::pal::unix::thread::Thread::sleep", Kind::Std),
            f("std::thread::sleep", Kind::Std),
            f("zoo::naps", Kind::User),
            f("core::ops::function::FnOnce::call_once", Kind::Std),
        ];
        let a = attribute(&frames, "nanosleep");
        assert_eq!(&*a.site, "zoo::naps");
        assert_eq!(&*a.via, "std::thread::sleep");
    }

    #[test]
    fn a_direct_libc_call_is_via_the_libc_function() {
        let frames = [f("hook", Kind::Guard), f("zoo::naps", Kind::User)];
        assert_eq!(&*attribute(&frames, "usleep").via, "usleep");
    }

    #[test]
    fn signal_handler_frames_do_not_count_as_via() {
        let frames = [
            f("handler", Kind::Guard),
            f("some_libc_fn", Kind::System),
            f("__restore_rt", Kind::SignalReturn),
            f("zoo::raw", Kind::User),
        ];
        assert_eq!(&*attribute(&frames, "raw syscall").via, "raw syscall");
    }
}
