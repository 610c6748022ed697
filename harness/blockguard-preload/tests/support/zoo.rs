//! The zoo's side of the support: its binary, and checks against its
//! table (`fixtures/blocking-zoo/src/expected.rs`).

use crate::expected::{EXPECTED, Ev, Expected};
use crate::support::{self, Key, Run};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// How many zoo tests one property runs at a time.
const PARALLEL: usize = 3;

/// The zoo's libtest binary, built once per test process.
pub fn zoo_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| support::fixture_exe("blocking-zoo", "blocking_zoo"))
}

/// Runs one zoo test in its own process: under the guard runtime in `mode`,
/// or plainly when `mode` is `None`.
pub fn run(test: &str, mode: Option<&str>, rules: Option<&Path>) -> Run {
    support::run(zoo_exe(), "blocking_zoo", test, mode, rules)
}

/// The same, sharing resolved names with other processes through `symbols`.
pub fn run_sharing_names(test: &str, mode: &str, symbols: &Path) -> Run {
    support::run_sharing_names(zoo_exe(), "blocking_zoo", test, mode, symbols)
}

pub fn expected_key(e: &Ev) -> Key {
    let (call, class, site, via) = (e.call, e.class, e.site, e.via);
    (
        call.into(),
        class.into(),
        e.escaped,
        site.into(),
        via.into(),
    )
}

/// Runs `check` on every entry of `entries`, a few at a time, and fails
/// once with every problem found, each under its test's name.
pub fn check_all<'a, I, F>(entries: I, check: F)
where
    I: IntoIterator<Item = &'a Expected>,
    F: Fn(&Expected) -> Vec<String> + Sync,
{
    let entries: Vec<&Expected> = entries.into_iter().collect();
    let next = AtomicUsize::new(0);
    let mut failures: Vec<(usize, String)> = thread::scope(|scope| {
        let workers: Vec<_> = (0..PARALLEL)
            .map(|_| {
                scope.spawn(|| {
                    let mut found = Vec::new();
                    while let Some(entry) = entries.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let problems = check(entry);
                        if !problems.is_empty() {
                            let index = EXPECTED.iter().position(|e| e.test == entry.test);
                            let text = format!("{}:\n  - {}", entry.test, problems.join("\n  - "));
                            found.push((index.unwrap_or(usize::MAX), text));
                        }
                    }
                    found
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    });
    failures.sort();
    let report: Vec<String> = failures.into_iter().map(|(_, text)| text).collect();
    assert!(
        report.is_empty(),
        "{} zoo test(s) wrong:\n{}",
        report.len(),
        report.join("\n")
    );
}

/// Compares the denied events of a run with the declared ones.
pub fn compare_denied(run: &Run, declared: &[Ev]) -> Option<String> {
    let want: BTreeSet<Key> = declared.iter().map(expected_key).collect();
    let got = run.denied();
    (want != got).then(|| {
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        format!("denied events differ\n    missing: {missing:?}\n    unexpected: {extra:?}")
    })
}

/// The entry of the table for `test`.
pub fn entry(test: &str) -> &'static Expected {
    EXPECTED
        .iter()
        .find(|e| e.test == test)
        .unwrap_or_else(|| panic!("{test} is not in EXPECTED"))
}
