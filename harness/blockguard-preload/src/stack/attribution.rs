//! Site, via and chain (DESIGN §3). The site is the innermost frame of the
//! code under test; via is the API at the boundary it called (the frame
//! just inside it, by its public path), or the libc function it called
//! directly; the chain is the site, then the entry of each library on the
//! way in, then the call. Where no frame of the code under test is on the
//! stack (a dependency's own thread), the site is the first frame out of
//! the guard, libc, ld.so and std, and the event says it is `outside`.

use super::paths::{STD_CRATES, crate_of};
use super::resolved::Location;
use super::symbols::{Frame, Kind};
use crate::under_test::UnderTest;
use blockguard_rules::public_path;

/// Where a call came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// The call site, demangled.
    pub site: String,
    /// Its index in the frames, when there is one.
    pub site_index: Option<usize>,
    /// The API it called.
    pub via: String,
    /// The site, each library's entry going inward, then the call.
    pub chain: Vec<String>,
    /// No frame of the code under test was on the stack.
    pub outside: bool,
    /// The site's file: relative to its package's root when inside it.
    pub file: Option<String>,
    /// The site's line.
    pub line: Option<u32>,
    /// The site's column.
    pub column: Option<u32>,
}

/// What was called, for the chain's end and for a direct call.
#[derive(Debug, Clone, Copy)]
pub struct Called<'a> {
    /// The call (the libc function or syscall judged).
    pub call: &'a str,
    /// The API when the site reached the call with no frame between (the
    /// hooked libc function, or `raw syscall`).
    pub direct: &'a str,
}

/// Attributes a call given its frames, innermost first.
pub fn attribute(frames: &[Frame], called: Called<'_>, under_test: &UnderTest) -> Attribution {
    let start = start_of(frames);
    let own = frames[start..]
        .iter()
        .position(|f| is_under_test(f, under_test));
    if let Some(i) = own {
        return attribute_at(frames, start + i, called, under_test);
    }
    // Nobody's code under test: today's rule, the first frame out of std.
    match frames[start..].iter().position(|f| f.kind == Kind::User) {
        Some(i) => attribute_at(frames, start + i, called, under_test),
        None => Attribution {
            site: "<no crate frame>".to_owned(),
            site_index: None,
            via: libraries(&frames[start..])
                .first()
                .cloned()
                .unwrap_or_else(|| called.direct.to_owned()),
            chain: Vec::new(),
            outside: true,
            file: None,
            line: None,
            column: None,
        },
    }
}

/// The attribution with `frames[site]` as the site (`outside` when no
/// frame of the code under test is on the stack).
pub fn attribute_at(
    frames: &[Frame],
    site: usize,
    called: Called<'_>,
    under_test: &UnderTest,
) -> Attribution {
    let start = start_of(frames).min(site);
    let frame = &frames[site];
    let inside = libraries(&frames[start..site]);
    let via = inside
        .first()
        .cloned()
        .unwrap_or_else(|| called.direct.to_owned());
    let mut chain = Vec::with_capacity(inside.len() + 2);
    chain.push(frame.name.to_string());
    chain.extend(inside.into_iter().filter(|entry| entry != called.call));
    chain.push(called.call.to_owned());
    let krate = crate_of(&frame.name);
    let located = frame.location.as_ref();
    Attribution {
        site: frame.name.to_string(),
        site_index: Some(site),
        via,
        chain,
        outside: !frames[start..].iter().any(|f| is_under_test(f, under_test)),
        file: located.map(|l: &Location| under_test.file_name(krate, &l.file)),
        line: located.and_then(|l| l.line),
        column: located.and_then(|l| l.column),
    }
}

/// Where the call's own frames begin: after a signal return met before
/// any crate frame (what lies inside it belonged to a signal handler).
fn start_of(frames: &[Frame]) -> usize {
    let first_user = frames
        .iter()
        .position(|f| f.kind == Kind::User)
        .unwrap_or(frames.len());
    frames[..first_user]
        .iter()
        .rposition(|f| f.kind == Kind::SignalReturn)
        .map_or(0, |i| i + 1)
}

fn is_under_test(frame: &Frame, under_test: &UnderTest) -> bool {
    matches!(frame.kind, Kind::User | Kind::Std) && under_test.contains(crate_of(&frame.name))
}

/// Which library a frame is part of: std (with core, alloc and the rest
/// of the standard library), libc (and the loader and the vDSO), or its
/// crate.
fn library(frame: &Frame) -> &str {
    match frame.kind {
        Kind::System | Kind::SignalReturn => "libc",
        _ => match crate_of(&frame.name) {
            krate if STD_CRATES.contains(&krate) => "std",
            krate => krate,
        },
    }
}

/// The entry of each library in `frames` (innermost first, the guard's
/// own left out), outermost first: each maximal run of one library, by
/// its outermost frame; std's by its public path.
fn libraries(frames: &[Frame]) -> Vec<String> {
    let frames: Vec<&Frame> = frames.iter().filter(|f| f.kind != Kind::Guard).collect();
    let mut entries = Vec::new();
    let mut end = frames.len();
    while end > 0 {
        let lib = library(frames[end - 1]);
        let begin = frames[..end]
            .iter()
            .rposition(|f| library(f) != lib)
            .map_or(0, |i| i + 1);
        let run = &frames[begin..end];
        entries.push(match lib {
            "std" => public_entry(run),
            _ => run[run.len() - 1].name.to_string(),
        });
        end = begin;
    }
    entries
}

/// A run of std's frames (innermost first) by the path users write: its
/// entry's public path, or where that is private (`std::sys::…`), the
/// nearest frame of the run that has one; the entry as it is when none
/// has.
fn public_entry(run: &[&Frame]) -> String {
    run.iter()
        .rev()
        .find_map(|f| public_path(&f.name))
        .unwrap_or_else(|| run[run.len() - 1].name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use blockguard_protocol::under_test::Package;
    use std::path::PathBuf;

    fn f(name: &str, kind: Kind) -> Frame {
        Frame {
            name: name.into(),
            kind,
            location: None,
        }
    }

    fn at(name: &str, file: &str, line: u32, column: u32) -> Frame {
        Frame {
            location: Some(Location {
                file: file.into(),
                line: Some(line),
                column: Some(column),
            }),
            ..f(name, Kind::User)
        }
    }

    fn under_test(crates: &[&str], root: &str) -> UnderTest {
        UnderTest::of(vec![Package {
            crates: crates.iter().map(|c| (*c).to_owned()).collect(),
            root: Some(PathBuf::from(root)),
        }])
    }

    fn called<'a>(call: &'a str, direct: &'a str) -> Called<'a> {
        Called { call, direct }
    }

    #[test]
    fn the_site_is_the_code_under_test_and_via_what_it_called_as_written() {
        let frames = [
            f("blockguard_preload::hooks::clock_nanosleep", Kind::Guard),
            f("std::sys::pal::unix::thread::Thread::sleep", Kind::Std),
            f("std::thread::functions::sleep", Kind::Std),
            at("zoo::naps", "/src/zoo/src/lib.rs", 12, 5),
            f("core::ops::function::FnOnce::call_once", Kind::Std),
        ];
        let a = attribute(
            &frames,
            called("clock_nanosleep", "clock_nanosleep"),
            &under_test(&["zoo"], "/src/zoo"),
        );
        assert_eq!(a.site, "zoo::naps");
        assert_eq!(a.site_index, Some(3));
        assert_eq!(a.via, "std::thread::sleep");
        assert_eq!(
            a.chain,
            ["zoo::naps", "std::thread::sleep", "clock_nanosleep"]
        );
        assert!(!a.outside);
        assert_eq!(a.file.as_deref(), Some("src/lib.rs"));
        assert_eq!((a.line, a.column), (Some(12), Some(5)));
    }

    #[test]
    fn a_dependencys_frames_lead_to_the_code_under_test_r2d2_like() {
        let frames = [
            f("blockguard_preload::hooks::syscall", Kind::Guard),
            f(
                "parking_lot_core::thread_parker::imp::ThreadParker::futex_wait",
                Kind::User,
            ),
            f(
                "parking_lot_core::thread_parker::imp::ThreadParker::park_until",
                Kind::User,
            ),
            f("parking_lot_core::parking_lot::park", Kind::User),
            f(
                "parking_lot::condvar::Condvar::wait_until_internal",
                Kind::User,
            ),
            f("parking_lot::condvar::Condvar::wait_until", Kind::User),
            at(
                "r2d2::Pool<M>::wait_for_initialization",
                "/src/r2d2/src/lib.rs",
                418,
                17,
            ),
            f("r2d2::Pool<M>::new", Kind::User),
            f("r2d2::test::pool_wait", Kind::User),
        ];
        let a = attribute(
            &frames,
            called("futex_wait", "syscall"),
            &under_test(&["r2d2"], "/src/r2d2"),
        );
        assert_eq!(a.site, "r2d2::Pool<M>::wait_for_initialization");
        assert_eq!(a.via, "parking_lot::condvar::Condvar::wait_until");
        assert_eq!(
            a.chain,
            [
                "r2d2::Pool<M>::wait_for_initialization",
                "parking_lot::condvar::Condvar::wait_until",
                "parking_lot_core::parking_lot::park",
                "futex_wait",
            ]
        );
        assert!(!a.outside);
        assert_eq!(a.file.as_deref(), Some("src/lib.rs"));
        assert_eq!(a.line, Some(418));
    }

    #[test]
    fn std_appears_once_in_the_chain_by_its_entrys_public_path() {
        let frames = [
            f("hook", Kind::Guard),
            f(
                "std::sys::sync::condvar::futex::Condvar::wait_optional_timeout",
                Kind::Std,
            ),
            f("core::time::Duration::as_nanos", Kind::Std),
            f(
                "std::sync::poison::condvar::Condvar::wait_timeout",
                Kind::Std,
            ),
            f(
                "std::sync::poison::condvar::Condvar::wait_timeout_while",
                Kind::Std,
            ),
            f("dep::Waiter::wait", Kind::User),
            f("app::tests::waits", Kind::User),
        ];
        let a = attribute(
            &frames,
            called("futex_wait", "syscall"),
            &under_test(&["app"], "/app"),
        );
        assert_eq!(a.site, "app::tests::waits");
        assert_eq!(a.via, "dep::Waiter::wait");
        assert_eq!(
            a.chain,
            [
                "app::tests::waits",
                "dep::Waiter::wait",
                "std::sync::Condvar::wait_timeout_while",
                "futex_wait",
            ]
        );
    }

    #[test]
    fn a_private_std_entry_gives_way_to_the_nearest_public_frame() {
        let frames = [
            f("hook", Kind::Guard),
            f("std::io::stdio::_print", Kind::Std),
            f("std::sys::backtrace::print", Kind::Std),
            f("app::t", Kind::User),
        ];
        let a = attribute(
            &frames,
            called("write", "write"),
            &under_test(&["app"], "/app"),
        );
        assert_eq!(a.via, "std::io::_print");
        let only_private = [
            f("hook", Kind::Guard),
            f("std::sys::x", Kind::Std),
            f("app::t", Kind::User),
        ];
        let a = attribute(
            &only_private,
            called("write", "write"),
            &under_test(&["app"], "/app"),
        );
        assert_eq!(a.via, "std::sys::x");
    }

    #[test]
    fn the_whole_standard_library_is_one_library() {
        let frames = [
            f("hook", Kind::Guard),
            f("std::panicking::panic_handler::{closure#0}", Kind::Std),
            f("__rustc::rust_begin_unwind", Kind::Std),
            f("core::panicking::panic_fmt", Kind::Std),
            f("app::t", Kind::User),
        ];
        let a = attribute(
            &frames,
            called("write", "write"),
            &under_test(&["app"], "/app"),
        );
        assert_eq!(a.chain, ["app::t", "core::panicking::panic_fmt", "write"]);
    }

    #[test]
    fn a_direct_libc_call_is_via_the_libc_function() {
        let frames = [f("hook", Kind::Guard), f("zoo::naps", Kind::User)];
        let a = attribute(
            &frames,
            called("usleep", "usleep"),
            &under_test(&["zoo"], "/zoo"),
        );
        assert_eq!(a.via, "usleep");
        assert_eq!(a.chain, ["zoo::naps", "usleep"]);
    }

    #[test]
    fn a_libc_function_the_site_called_is_via_and_in_the_chain() {
        let frames = [
            f("hook", Kind::Guard),
            f("__GI___connect", Kind::System),
            f("getaddrinfo", Kind::System),
            f("zoo::resolves", Kind::User),
        ];
        let a = attribute(
            &frames,
            called("connect", "connect"),
            &under_test(&["zoo"], "/zoo"),
        );
        assert_eq!(a.via, "getaddrinfo");
        assert_eq!(a.chain, ["zoo::resolves", "getaddrinfo", "connect"]);
        // The call itself is not named twice.
        let frames = [
            f("hook", Kind::Guard),
            f("poll", Kind::System),
            f("zoo::p", Kind::User),
        ];
        let a = attribute(
            &frames,
            called("poll", "poll"),
            &under_test(&["zoo"], "/zoo"),
        );
        assert_eq!(a.chain, ["zoo::p", "poll"]);
    }

    #[test]
    fn signal_handler_frames_do_not_count_as_via() {
        let frames = [
            f("handler", Kind::Guard),
            f("some_libc_fn", Kind::System),
            f("__restore_rt", Kind::SignalReturn),
            f("zoo::raw", Kind::User),
        ];
        let a = attribute(
            &frames,
            called("nanosleep", "raw syscall"),
            &under_test(&["zoo"], "/zoo"),
        );
        assert_eq!(a.via, "raw syscall");
        assert_eq!(a.chain, ["zoo::raw", "nanosleep"]);
    }

    #[test]
    fn without_the_code_under_test_on_the_stack_the_site_is_outside() {
        let frames = [
            f("hook", Kind::Guard),
            f("std::thread::functions::sleep", Kind::Std),
            at("dep::worker::run", "/registry/dep/src/worker.rs", 40, 9),
            f(
                "std::sys::thread::unix::Thread::new::thread_start",
                Kind::Std,
            ),
        ];
        let a = attribute(
            &frames,
            called("clock_nanosleep", "clock_nanosleep"),
            &under_test(&["app"], "/registry"),
        );
        assert!(a.outside);
        assert_eq!(a.site, "dep::worker::run");
        assert_eq!(a.via, "std::thread::sleep");
        assert_eq!(
            a.chain,
            ["dep::worker::run", "std::thread::sleep", "clock_nanosleep"]
        );
        // Not the package's own file: named as it is.
        assert_eq!(a.file.as_deref(), Some("/registry/dep/src/worker.rs"));
        let none = [
            f("hook", Kind::Guard),
            f("std::thread::functions::sleep", Kind::Std),
        ];
        let a = attribute(
            &none,
            called("clock_nanosleep", "clock_nanosleep"),
            &under_test(&["app"], "/app"),
        );
        assert!(a.outside);
        assert_eq!(a.site, "<no crate frame>");
        assert_eq!(a.via, "std::thread::sleep");
        assert!(a.chain.is_empty());
    }

    #[test]
    fn a_site_chosen_by_the_caller_is_outside_only_without_the_code_under_test() {
        // A nested block_on: the caller names the frame out from it.
        let frames = [
            f("hook", Kind::Guard),
            f("futures_executor::local_pool::run_executor", Kind::User),
            f("futures_executor::local_pool::block_on", Kind::User),
            f("helper::blocks", Kind::User),
            f("app::tests::nested::{{closure}}", Kind::User),
        ];
        let ut = under_test(&["app"], "/app");
        let a = attribute_at(&frames, 3, called("futex_wait", "syscall"), &ut);
        assert_eq!(a.site, "helper::blocks");
        assert_eq!(a.via, "futures_executor::local_pool::block_on");
        assert!(!a.outside);
        let a = attribute_at(
            &frames,
            3,
            called("futex_wait", "syscall"),
            &under_test(&["x"], "/x"),
        );
        assert!(a.outside);
    }

    #[test]
    fn a_trait_impl_belongs_to_its_type_and_closures_to_their_crate() {
        let frames = [
            f("hook", Kind::Guard),
            f("<std::fs::File as std::io::Read>::read", Kind::Std),
            f("<app::Reader as std::io::Read>::read", Kind::User),
            f("std::io::default_read_to_end", Kind::Std),
            f("app::tests::reads::{{closure}}", Kind::User),
        ];
        let a = attribute(
            &frames,
            called("read", "read"),
            &under_test(&["app"], "/app"),
        );
        assert_eq!(a.site, "<app::Reader as std::io::Read>::read");
        assert_eq!(a.via, "<std::fs::File as std::io::Read>::read");
    }
}
