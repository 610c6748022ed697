//! A rules file compiled ahead of time reads back as the rules it was.

use crate::matching::query;
use blockguard_protocol::Class;
use blockguard_rules::{
    CallQuery, CompiledError, ExecutorDecl, MachineryRule, Placed, RulesFile, builtin,
    builtin_executors, from_compiled, parse_str, place, to_compiled,
};

fn round_trip(file: &RulesFile) -> RulesFile {
    from_compiled(&to_compiled(file).expect("it compiles")).expect("it reads back")
}

/// Which rule allows each call, in `file`.
fn allowed_by(file: &RulesFile, calls: &[CallQuery<'_>]) -> Vec<Option<String>> {
    calls
        .iter()
        .map(|q| file.first_allow(q).map(|r| r.id.clone()))
        .collect()
}

/// Where each stack stands towards `file`'s executors.
fn placed(file: &RulesFile, stacks: &[&[&str]]) -> Vec<String> {
    let executors: Vec<&ExecutorDecl> = file.executors.iter().collect();
    let machinery: Vec<&MachineryRule> = file.machinery.iter().collect();
    stacks
        .iter()
        .map(|frames| match place(&executors, &machinery, frames) {
            Placed::Outside => "outside".to_owned(),
            Placed::InTask(e) => format!("{} task, {}", e.name, e.context_on(false, frames)),
            Placed::Machinery(e, m) => format!("{} machinery {}", e.name, m.id),
            Placed::Nested { outer, entry } => format!("nested in {} at {entry}", outer.name),
        })
        .collect()
}

#[test]
fn the_built_in_files_read_back_table_for_table() {
    for file in [builtin(), builtin_executors()] {
        let back = round_trip(&file);
        assert_eq!(back.source, file.source);
        let ids = |f: &RulesFile| {
            let allow = f.allow.iter().map(|r| r.id.clone());
            let executors = f.executors.iter().map(|e| e.name.clone());
            allow
                .chain(executors)
                .chain(f.machinery.iter().map(|m| m.id.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&back), ids(&file));
        // Every field, every glob by its text.
        assert_eq!(to_compiled(&back).unwrap(), to_compiled(&file).unwrap());
    }
}

#[test]
fn the_built_in_rules_read_back_judge_as_parsed() {
    let panic: &[&str] = &["std::panicking::default_hook", "zoo::t"];
    let plain: &[&str] = &["zoo::tests::naps"];
    let calls = [
        query("write", Class::Pipe, Some(1), plain),
        query("write", Class::Pipe, Some(7), plain),
        query("futex_wait", Class::Sync, None, panic),
        query("read", Class::Fs, Some(3), plain),
    ];
    let file = builtin();
    let judged = allowed_by(&file, &calls);
    assert_eq!(judged[0].as_deref(), Some("builtin:allow[0]"));
    assert_eq!(judged[1], None);
    assert!(judged[2].is_some(), "std's panic machinery is allowed");
    assert_eq!(allowed_by(&round_trip(&file), &calls), judged);
}

#[test]
fn the_built_in_executors_read_back_place_as_parsed() {
    let stacks: &[&[&str]] = &[
        &[
            "tokio::runtime::task::harness::poll_future",
            "tokio::runtime::scheduler::multi_thread::MultiThread::block_on",
            "zoo::test",
        ],
        &[
            "tokio::runtime::park::Inner::park",
            "tokio::runtime::runtime::Runtime::block_on",
            "zoo::test",
        ],
        &["async_io::driver::block_on::{{closure}}", "zoo::test"],
        &["zoo::test"],
    ];
    let file = builtin_executors();
    let where_ = placed(&file, stacks);
    assert_eq!(where_[0], "tokio task, tokio-multi-thread");
    assert!(where_[1].starts_with("tokio machinery"), "{}", where_[1]);
    assert_eq!(where_[3], "outside");
    let back = round_trip(&file);
    assert_eq!(placed(&back, stacks), where_);
    let tokio = |f: &RulesFile| {
        f.executors
            .iter()
            .find(|e| e.name == "tokio")
            .cloned()
            .unwrap()
    };
    assert!(tokio(&back).runs_thread("tokio-rt-worker"));
    assert!(!tokio(&back).runs_thread("main"));
}

#[test]
fn every_kind_of_glob_and_condition_survives() {
    let file = parse_str(
        "[[allow]]\ncall = [\"read\", \"write\"]\nclass = \"fs\"\nfds = [3]\n\
         within = [\"zoo::{a,b}::*\", \"zoo::c[0-9]\", \"zoo::wild::*\"]\n\
         tests = \"tests::{naps,sleeps}\"\nunder = \"20ms\"\nreason = \"r\"\n\n\
         [[allow]]\ncall = \"futex_wait\"\ncontended = \"allow\"\ntests = \"tests::*\"\nreason = \"r\"\n",
        "mine.toml",
        "rules",
    )
    .unwrap();
    let frames: [&[&str]; 4] = [
        &["zoo::a::f"],
        &["zoo::c7"],
        &["zoo::wild::x::y"],
        &["zoo::d::f"],
    ];
    let mut calls: Vec<CallQuery<'_>> = frames
        .iter()
        .map(|f| query("read", Class::Fs, Some(3), f))
        .collect();
    calls.push(query("read", Class::Fs, Some(4), frames[0]));
    calls.push(CallQuery {
        test: "tests::other",
        ..query("read", Class::Fs, Some(3), frames[0])
    });
    calls.push(CallQuery {
        lock_wait: true,
        ..query("futex_wait", Class::Sync, None, frames[3])
    });
    let judged = allowed_by(&file, &calls);
    let back = round_trip(&file);
    assert_eq!(allowed_by(&back, &calls), judged);
    assert_eq!(
        judged.iter().filter(|j| j.is_some()).count(),
        4,
        "{judged:?}"
    );
    assert_eq!(back.allow[0].under, file.allow[0].under);
    assert_eq!(back.allow[1].contended, file.allow[1].contended);
}

#[test]
fn only_the_tables_a_compiled_file_carries_compile() {
    for text in [
        "[suite]\ncrate = \"x\"\n",
        "[[suppress]]\nmessage = \"reset\"\nreason = \"r\"\n",
        "[[test]]\ntests = \"t\"\nbudget = \"1s\"\n",
    ] {
        let file = parse_str(text, "mine.toml", "rules").unwrap();
        let err = to_compiled(&file).expect_err(text);
        assert!(
            matches!(err, CompiledError::NotCarried(ref f) if f == "mine.toml"),
            "{err}"
        );
    }
}

#[test]
fn bytes_that_are_no_compiled_file_are_an_error() {
    let good = to_compiled(&builtin()).unwrap();
    for bad in [&b""[..], &b"\xff\xff\xff"[..], &good[..good.len() / 2]] {
        assert!(matches!(from_compiled(bad), Err(CompiledError::Format(_))));
    }
}
