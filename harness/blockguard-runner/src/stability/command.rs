//! N consecutive run-suite runs per suite; counts changed snapshots.

use crate::catalog::suite_names;
use crate::env::Env;
use crate::options::StabilityArgs;
use crate::schema::exit;
use crate::schema::{Report, SnapshotState};
use crate::suite_child::SuiteRun;
use crate::untrusted_text;
use std::collections::BTreeMap;

/// Runs the command; returns its exit code.
pub fn run(args: &StabilityArgs, env: &Env) -> u8 {
    let names = if args.suites.is_empty() {
        match suite_names(&env.root.join("suites")) {
            Ok(names) => names,
            Err(e) => {
                eprintln!("error: suites/: {e}");
                return exit::ERROR;
            }
        }
    } else {
        args.suites.clone()
    };
    let logs = env.root.join("target/blockguard/stability");
    if let Err(e) = std::fs::create_dir_all(&logs) {
        eprintln!("error: {}: {e}", logs.display());
        return exit::ERROR;
    }
    let mut unstable = false;
    for name in &names {
        // Per test: the runs in which its snapshot did not match.
        let mut flaky: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut problems = Vec::new();
        for n in 1..=args.runs {
            let mut run_args = Vec::new();
            if let Some(jobs) = args.jobs {
                run_args.extend(["-j".to_owned(), jobs.to_string()]);
            }
            let result = SuiteRun {
                suite: name,
                args: run_args,
                report: logs.join(format!("{name}.{n}.json")),
                log: logs.join(format!("{name}.{n}.log")),
                env: vec![("INSTA_UPDATE", "no".to_owned())],
            }
            .run();
            match result.report {
                Ok(report) => {
                    for test in unmatched(&report) {
                        flaky.entry(test).or_default().push(n);
                    }
                }
                Err(why) => problems.push(format!("run {n}: {why}")),
            }
        }
        let verdict = if flaky.is_empty() && problems.is_empty() {
            "stable".to_owned()
        } else {
            unstable = true;
            format!("{} snapshot(s) changed", flaky.len())
        };
        println!("{name}: {} runs, {verdict}", args.runs);
        for (test, runs) in &flaky {
            let test = untrusted_text::visible(test);
            println!("  {test}: changed or new in run(s) {runs:?}");
        }
        for problem in &problems {
            println!("  {}", untrusted_text::visible(problem));
        }
    }
    if unstable { exit::FAILED } else { exit::OK }
}

/// Snapshots that did not match: tests', and the suite's contention waits.
fn unmatched(report: &Report) -> Vec<String> {
    let moved =
        |s: Option<SnapshotState>| matches!(s, Some(SnapshotState::Changed | SnapshotState::New));
    let mut names: Vec<String> = report
        .tests
        .iter()
        .filter(|t| moved(t.snapshot))
        .map(|t| t.key.to_string())
        .collect();
    if moved(report.contention_snapshot) {
        names.push("(the suite's contention waits)".to_owned());
    }
    names
}
