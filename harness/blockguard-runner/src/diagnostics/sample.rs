//! Reports made up for the outputs' tests, with the locations the guard
//! runtime will fill in, and the source file they point at.

use super::sources::Sources;
use crate::schema::{BlockingCall, Report, TestEntry};
use blockguard_protocol::{Class, Mode, TestKey, TraceEvent, Verdict};
use std::path::{Path, PathBuf};

/// The test file of the sample package, `src/lib.rs`.
pub const LIB_RS: &str = "#[cfg(test)]\nmod tests {\n    #[test]\n    fn naps() {\n        std::thread::sleep(std::time::Duration::from_millis(1));\n    }\n}\n";

/// A denied sleep at `site`, with no location.
pub fn event(site: &str) -> TraceEvent {
    TraceEvent {
        context: Some("microthread".into()),
        ..TraceEvent::new(
            "clock_nanosleep",
            Class::Sleep,
            Verdict::Denied,
            site,
            "std::thread::functions::sleep",
        )
    }
}

/// The sleep of `tests::naps`, at `src/lib.rs:5:9`, with its chain.
pub fn located() -> TraceEvent {
    TraceEvent {
        file: Some("src/lib.rs".into()),
        line: Some(5),
        column: Some(9),
        chain: vec![
            "sample::tests::naps".into(),
            "std::thread::functions::sleep".into(),
            "clock_nanosleep".into(),
        ],
        ..event("sample::tests::naps")
    }
}

/// A blocked test of package `sample`, binary `sample`, with these calls.
pub fn test(name: &str, events: Vec<TraceEvent>) -> TestEntry {
    TestEntry {
        key: TestKey::new("sample", "sample", name),
        outcome: crate::schema::Outcome::Blocked,
        duration_ms: 3,
        message: None,
        rule: None,
        snapshot: None,
        blocking: events
            .into_iter()
            .map(|event| BlockingCall {
                event,
                calls: 2,
                blocked_ns: 2_000_000,
            })
            .collect(),
        budget: None,
        leaked: Vec::new(),
        attempts: Vec::new(),
    }
}

/// A report of `tests` in `mode`.
pub fn report(mode: Mode, tests: Vec<TestEntry>) -> Report {
    let mut report: Report = serde_json::from_value(serde_json::json!({
        "schema": "blockguard-report/1",
        "suite": {"name": "sample", "crate": "sample", "version": "0.1.0", "source": "path"},
        "mode": "check", "toolchain": "rustc", "capabilities": null,
        "build": {"status": "ok", "message": null},
        "tests": [],
        "summary": {"pass": 0, "fail": 0, "blocked": 0, "timeout": 0, "crash": 0, "suppressed": 0, "ignored": 0},
        "stale_rules": []
    }))
    .expect("a report");
    report.mode = mode;
    report.tests = tests;
    report
}

/// A workspace at `<tmp>/<name>` with the package `sample` in
/// `sample/`, its `src/lib.rs` as [`LIB_RS`]; and its sources.
pub fn workspace(name: &str) -> (PathBuf, Sources) {
    let root = std::env::temp_dir().join(format!("bg-diag-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("sample/src")).unwrap();
    std::fs::write(root.join("sample/src/lib.rs"), LIB_RS).unwrap();
    let mut sources = Sources::new(&root).with_rules_file(Some("blockguard.toml".into()));
    sources.add_package("sample", "0.1.0", &root.join("sample"));
    (root, sources)
}

/// Removes what [`workspace`] made.
pub fn remove(root: &Path) {
    let _ = std::fs::remove_dir_all(root);
}
