//! Rules match calls and failures by every condition they give.

use blockguard_protocol::{Class, TestKey};
use blockguard_rules::{CallQuery, RulesFile, builtin, parse_str};

fn rules(text: &str) -> RulesFile {
    parse_str(text, "test.toml", "rules").unwrap()
}

/// A call of `basic`'s test `tests::naps`.
pub(crate) fn query<'a>(
    call: &'a str,
    class: Class,
    fd: Option<i32>,
    frames: &'a [&'a str],
) -> CallQuery<'a> {
    CallQuery {
        call,
        class,
        fd,
        binary: Some("basic"),
        test: "tests::naps",
        frames,
        lock_wait: false,
    }
}

const NO_FRAMES: &[&str] = &[];

#[test]
fn call_matches_any_listed_name() {
    let file = rules("[[allow]]\ncall = [\"read\", \"write\"]\nreason = \"r\"\n");
    assert!(
        file.first_allow(&query("write", Class::Pipe, None, NO_FRAMES))
            .is_some()
    );
    assert!(
        file.first_allow(&query("read", Class::Fs, Some(7), NO_FRAMES))
            .is_some()
    );
    assert!(
        file.first_allow(&query("recv", Class::Net, None, NO_FRAMES))
            .is_none()
    );
}

#[test]
fn class_matches_only_its_class() {
    let file = rules("[[allow]]\nclass = \"sleep\"\nreason = \"r\"\n");
    assert!(
        file.first_allow(&query("nanosleep", Class::Sleep, None, NO_FRAMES))
            .is_some()
    );
    assert!(
        file.first_allow(&query("futex_wait", Class::Sync, None, NO_FRAMES))
            .is_none()
    );
}

#[test]
fn a_spin_is_allowed_by_its_class_within_its_frames() {
    let file =
        rules("[[allow]]\nclass = \"spin\"\nwithin = \"mycrate::pool::*\"\nreason = \"r\"\n");
    let frames = ["std::thread::yield_now", "mycrate::pool::steal"];
    let spin = query("sched_yield", Class::Spin, None, &frames);
    assert!(file.first_allow(&spin).is_some());
    let sleep = query("nanosleep", Class::Sleep, None, &frames);
    assert!(file.first_allow(&sleep).is_none());
    let elsewhere = query("sched_yield", Class::Spin, None, &["mycrate::tests::naps"]);
    assert!(file.first_allow(&elsewhere).is_none());
}

#[test]
fn every_given_condition_must_hold() {
    let file = rules(
        "[[allow]]\ncall = \"write\"\nclass = \"pipe\"\nfds = [5]\n\
         within = \"mycrate::log::*\"\ntests = \"basic::tests::*\"\nreason = \"r\"\n",
    );
    let frames = ["libc::write", "mycrate::log::flush", "mycrate::tests::naps"];
    let all = query("write", Class::Pipe, Some(5), &frames);
    assert!(file.first_allow(&all).is_some());

    let other_call = CallQuery {
        call: "read",
        ..all
    };
    let other_class = CallQuery {
        class: Class::Fs,
        ..all
    };
    let other_fd = CallQuery { fd: Some(6), ..all };
    let no_fd = CallQuery { fd: None, ..all };
    let outside = CallQuery {
        frames: &["mycrate::tests::naps"],
        ..all
    };
    let other_test = CallQuery {
        binary: Some("other"),
        test: "naps",
        ..all
    };
    for q in [
        other_call,
        other_class,
        other_fd,
        no_fd,
        outside,
        other_test,
    ] {
        assert!(file.first_allow(&q).is_none(), "{q:?}");
    }
}

#[test]
fn within_crosses_path_separators_and_impl_brackets() {
    let file = rules(
        "[[allow]]\nwithin = [\"crossbeam_utils::*\", \"<std::io::stdio::Stdout as *>::*\"]\nreason = \"r\"\n\n\
         [[allow]]\nwithin = \"*parker*park\"\nreason = \"r\"\n",
    );
    let parker = [
        "syscall",
        "crossbeam_utils::sync::parker::Inner::park",
        "mycrate::f",
    ];
    assert_eq!(
        file.first_allow(&query("futex_wait", Class::Sync, None, &parker))
            .map(|r| r.id.as_str()),
        Some("rules:allow[0]")
    );
    let stdout = [
        "<std::io::stdio::Stdout as std::io::Write>::write_fmt",
        "mycrate::f",
    ];
    assert!(
        file.first_allow(&query("write", Class::Pipe, Some(1), &stdout))
            .is_some()
    );

    let only_second = rules("[[allow]]\nwithin = \"*parker*park\"\nreason = \"r\"\n");
    let nested = ["<alloc::sync::Arc<my::parker::X> as my::Trait>::park"];
    assert!(
        only_second
            .first_allow(&query("futex_wait", Class::Sync, None, &nested))
            .is_some()
    );
    assert!(
        only_second
            .first_allow(&query("futex_wait", Class::Sync, None, NO_FRAMES))
            .is_none()
    );
}

#[test]
fn a_glob_of_a_type_or_a_trait_matches_its_trait_impls_methods() {
    // blocking 1.7.0's pool: the frame names the type inside `<… as …>`.
    let by_type = rules("[[allow]]\nwithin = \"blocking::*\"\nreason = \"r\"\n");
    let pool = [
        "futex_wait",
        "<blocking::Unblock<T> as futures_core::stream::Stream>::poll_next::{{closure}}",
        "chan::main",
    ];
    assert!(
        by_type
            .first_allow(&query("futex_wait", Class::Sync, None, &pool))
            .is_some()
    );
    let by_trait =
        rules("[[allow]]\nwithin = \"futures_core::stream::Stream::*\"\nreason = \"r\"\n");
    assert!(
        by_trait
            .first_allow(&query("futex_wait", Class::Sync, None, &pool))
            .is_some()
    );
    let other = rules("[[allow]]\nwithin = \"blockingx::*\"\nreason = \"r\"\n");
    assert!(
        other
            .first_allow(&query("futex_wait", Class::Sync, None, &pool))
            .is_none()
    );
}

#[test]
fn tests_glob_matches_binary_and_test_or_test_alone() {
    let qualified =
        rules("[[allow]]\nclass = \"sleep\"\ntests = \"basic::tests::*\"\nreason = \"r\"\n");
    let bare = rules("[[allow]]\nclass = \"sleep\"\ntests = \"tests::naps\"\nreason = \"r\"\n");
    let q = query("nanosleep", Class::Sleep, None, NO_FRAMES);
    assert!(qualified.first_allow(&q).is_some());
    assert!(bare.first_allow(&q).is_some());

    let unknown_binary = CallQuery { binary: None, ..q };
    assert!(qualified.first_allow(&unknown_binary).is_none());
    assert!(bare.first_allow(&unknown_binary).is_some());
}

#[test]
fn first_allow_is_in_file_order() {
    let file = rules(
        "[[allow]]\nclass = \"fs\"\nreason = \"first\"\n\n[[allow]]\ncall = \"read\"\nreason = \"second\"\n",
    );
    let rule = file
        .first_allow(&query("read", Class::Fs, Some(3), NO_FRAMES))
        .unwrap();
    assert_eq!(
        (rule.id.as_str(), rule.reason.as_str()),
        ("rules:allow[0]", "first")
    );
}

#[test]
fn suppress_matches_tests_glob_and_message_regex() {
    let file = rules(
        "[[suppress]]\ntests = \"select::*\"\nmessage = \"(?i)connection reset by peer\"\nreason = \"r\"\n",
    );
    let rule = &file.suppress[0];
    let text = "thread 'select::race' panicked:\nConnection Reset By Peer (os error 104)";
    let key = |binary: &str, name: &str| TestKey::new("p", binary, name);
    assert!(rule.matches(&key("basic", "select::race"), text));
    assert!(
        rule.matches(&key("select", "race"), text),
        "as binary::test"
    );
    assert!(!rule.matches(&key("basic", "other::race"), text));
    assert!(!rule.matches(&key("basic", "select::race"), "broken pipe"));
    assert_eq!(
        file.first_suppress(&key("basic", "select::race"), text)
            .map(|r| r.id.as_str()),
        Some("rules:suppress[0]")
    );
}

#[test]
fn builtin_allows_stdout_writes_only() {
    let rules = builtin();
    let frames = ["mycrate::tests::naps"];
    let on_stdout = query("write", Class::Pipe, Some(1), &frames);
    assert_eq!(
        rules.first_allow(&on_stdout).map(|r| r.id.as_str()),
        Some("builtin:allow[0]")
    );
    assert!(
        rules
            .first_allow(&CallQuery {
                fd: Some(2),
                ..on_stdout
            })
            .is_some()
    );
    assert!(
        rules
            .first_allow(&CallQuery {
                fd: Some(5),
                ..on_stdout
            })
            .is_none()
    );
    assert!(
        rules
            .first_allow(&CallQuery {
                fd: None,
                ..on_stdout
            })
            .is_none()
    );
}

#[test]
fn builtin_within_rules_match_their_machinery_only() {
    let rules = builtin();
    let id = |frames: &[&str]| {
        rules
            .first_allow(&query("futex_wait", Class::Sync, None, frames))
            .map(|r| r.id.clone())
    };
    // The frames under every libtest test: no built-in rule may match them.
    let test_stack = [
        "mycrate::tests::naps",
        "mycrate::tests::naps::{{closure}}",
        "core::ops::function::FnOnce::call_once",
        "test::__rust_begin_short_backtrace",
        "test::run_test_in_process",
        "std::panicking::catch_unwind::do_call",
        "std::panicking::catch_unwind",
        "std::panic::catch_unwind",
        "std::sys::backtrace::__rust_begin_short_backtrace",
        "std::thread::lifecycle::spawn_unchecked::{{closure}}",
        "start_thread",
        "clone3",
    ];
    assert_eq!(id(&test_stack), None);

    let with = |inner: &str| {
        let mut frames = vec![inner];
        frames.extend(test_stack);
        id(&frames)
    };
    assert_eq!(
        with("std::panicking::default_hook::{{closure}}").as_deref(),
        Some("builtin:allow[1]")
    );
    assert_eq!(
        with("core::panicking::panic_fmt").as_deref(),
        Some("builtin:allow[1]")
    );
    assert_eq!(
        with("<std::backtrace::Backtrace as core::fmt::Display>::fmt").as_deref(),
        Some("builtin:allow[2]")
    );
    assert_eq!(
        with("std::backtrace_rs::symbolize::gimli::resolve").as_deref(),
        Some("builtin:allow[2]")
    );
    assert_eq!(with("_dl_fixup").as_deref(), Some("builtin:allow[3]"));
    assert_eq!(with("dl_iterate_phdr").as_deref(), Some("builtin:allow[3]"));
    assert_eq!(
        with("blockguard_preload::scheduler::idle_wait").as_deref(),
        Some("builtin:allow[4]")
    );
}

#[test]
fn within_escapes_glob_metacharacters() {
    let file = rules("[[allow]]\nwithin = 'mycrate::run::\\{\\{closure\\}\\}'\nreason = \"r\"\n");
    let frames = ["mycrate::run::{{closure}}"];
    assert!(
        file.first_allow(&query("read", Class::Fs, Some(3), &frames))
            .is_some()
    );
}

#[test]
fn under_is_kept_on_the_rule_that_allows_the_call() {
    let file = rules("[[allow]]\ncall = \"read\"\nunder = \"1ms\"\nreason = \"r\"\n");
    let rule = file
        .first_allow(&query("read", Class::Fs, None, NO_FRAMES))
        .unwrap();
    assert_eq!(rule.under, Some(std::time::Duration::from_millis(1)));
}

#[test]
fn a_contended_rule_allows_lock_waits_alone() {
    let file = rules("[[allow]]\nclass = \"sync\"\ncontended = \"allow\"\nreason = \"r\"\n");
    let wait = query("futex_wait", Class::Sync, None, NO_FRAMES);
    assert!(file.first_allow(&wait).is_none());
    let lock_wait = CallQuery {
        lock_wait: true,
        ..wait
    };
    assert!(file.first_allow(&lock_wait).is_some());
}

#[test]
fn a_tests_budget_is_its_first_test_tables_else_the_suites() {
    let file = rules(
        "[suite]\npath = \"x\"\nbudget = \"5ms\"\n\
         [[test]]\ntests = \"slow::*\"\nbudget = \"50ms\"\n",
    );
    let key = |name: &str| TestKey::new("p", "b", name);
    let ms = std::time::Duration::from_millis;
    assert_eq!(file.budget(&key("slow::one")), Some(ms(50)));
    assert_eq!(file.budget(&key("fast::one")), Some(ms(5)));
    assert_eq!(rules("").budget(&key("fast::one")), None);
}

#[test]
fn the_suites_contended_allows_lock_waits_after_the_files_rules() {
    let file = rules("[suite]\npath = \"x\"\ncontended = \"allow\"\n");
    let wait = query("futex_wait", Class::Sync, None, NO_FRAMES);
    assert!(file.first_allow(&wait).is_none());
    let rule = file
        .first_allow(&CallQuery {
            lock_wait: true,
            ..wait
        })
        .unwrap();
    assert_eq!(rule.id, "rules:suite.contended");
}
