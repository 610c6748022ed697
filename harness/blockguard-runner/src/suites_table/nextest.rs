//! The baseline: the same suite under plain `cargo nextest run`, no guard
//! runtime, built into run-suite's target directory so nothing rebuilds.

use super::error::TableError;
use crate::env::Env;
use crate::process::{Ended, Launch, spawn_and_wait};
use crate::run_suite::{Located, uses_libtest};
use cargo_metadata::TargetKind;
use std::ffi::OsString;
use std::time::{Duration, Instant};

/// What nextest reported.
#[derive(Debug, Clone, PartialEq)]
pub enum Baseline {
    /// The tests ran.
    Ran {
        /// Tests that passed.
        passed: usize,
        /// Tests that ran.
        run: usize,
        /// nextest's own wall time of its run phase, in milliseconds.
        run_ms: u64,
    },
    /// The suite did not build, or nextest could not run it.
    Failed(String),
}

/// Runs the suite's tests with nextest, `jobs` at a time. nextest lists a
/// binary's tests by running it with `--list`, which a `harness = false`
/// binary takes for a run of its whole test; those run under plain
/// `cargo test --test NAME` instead, one test each, and add to the counts.
pub fn baseline(located: &Located, jobs: usize, env: &Env) -> Baseline {
    let targets = match targets(located, env) {
        Ok(targets) => targets,
        Err(why) => return Baseline::Failed(why.to_string()),
    };
    let mut args: Vec<String> = [
        "nextest",
        "run",
        "--no-fail-fast",
        "--no-tests=pass",
        "--test-threads",
    ]
    .map(String::from)
    .to_vec();
    args.push(jobs.to_string());
    if !targets.without_libtest.is_empty() {
        args.extend(targets.libtest_selection.iter().cloned());
    }
    let output = match spawn_and_wait(&cargo(located, env, &args)) {
        Ok(output) => output,
        Err(e) => return Baseline::Failed(format!("cannot run cargo nextest: {e}")),
    };
    let stderr = output.stderr;
    let Some(Baseline::Ran {
        mut passed,
        mut run,
        mut run_ms,
    }) = parse_summary(&stderr)
    else {
        let why = stderr
            .lines()
            .find(|l| l.trim_start().starts_with("error"))
            .unwrap_or("cargo nextest printed no summary")
            .trim();
        return Baseline::Failed(why.to_owned());
    };
    for name in &targets.without_libtest {
        let started = Instant::now();
        let args = ["test".to_owned(), "--test".to_owned(), name.clone()];
        let ok = spawn_and_wait(&cargo(located, env, &args))
            .is_ok_and(|done| done.ended == Ended::Exited(0));
        run_ms += u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        run += 1;
        passed += usize::from(ok);
    }
    Baseline::Ran {
        passed,
        run,
        run_ms,
    }
}

/// How long one plain baseline run may take.
const BASELINE_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// `cargo SUBCOMMAND…` on the suite's crate, features and target
/// directory, as the process module runs it.
fn cargo(located: &Located, env: &Env, subcommand: &[String]) -> Launch {
    let mut args: Vec<OsString> = subcommand.iter().map(OsString::from).collect();
    args.extend([
        "--manifest-path".into(),
        located.dir.join("Cargo.toml").into_os_string(),
        "--target-dir".into(),
        located.target_dir.clone().into_os_string(),
    ]);
    if !located.features.is_empty() {
        args.extend(["--features".into(), located.features.join(",").into()]);
    }
    Launch {
        exe: env.cargo.clone(),
        args,
        cwd: located.dir.clone(),
        timeout: BASELINE_TIMEOUT,
        label: format!("cargo {}", subcommand.join(" ")),
        ..Launch::default()
    }
}

/// The crate's test targets, split by whether they use libtest.
struct Targets {
    /// cargo flags selecting the libtest targets (`--lib`, `--test x`).
    libtest_selection: Vec<String>,
    /// `[[test]]` targets with `harness = false`.
    without_libtest: Vec<String>,
}

fn targets(located: &Located, env: &Env) -> Result<Targets, TableError> {
    let manifest = located.dir.join("Cargo.toml");
    let metadata = cargo_metadata::MetadataCommand::new()
        .cargo_path(&env.cargo)
        .manifest_path(&manifest)
        .no_deps()
        .exec()?;
    let package = metadata.root_package().ok_or(TableError::NoPackage)?;
    let mut found = Targets {
        libtest_selection: Vec::new(),
        without_libtest: Vec::new(),
    };
    for target in package.targets.iter().filter(|t| t.test) {
        let libtest = uses_libtest(&manifest, &target.kind, &target.name);
        if target.kind.contains(&TargetKind::Test) {
            if libtest {
                found
                    .libtest_selection
                    .extend(["--test".to_owned(), target.name.clone()]);
            } else {
                found.without_libtest.push(target.name.clone());
            }
        } else if target.kind.contains(&TargetKind::Bin) && libtest {
            found
                .libtest_selection
                .extend(["--bin".to_owned(), target.name.clone()]);
        } else if target.is_lib() && libtest {
            found.libtest_selection.push("--lib".to_owned());
        }
    }
    Ok(found)
}

/// nextest's last summary line, `     Summary [   0.082s] 9 tests run: 8
/// passed, 1 failed, 0 skipped`, in `stderr`.
pub fn parse_summary(stderr: &str) -> Option<Baseline> {
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("Summary ["))?;
    let (time, rest) = line.split_once('[')?.1.split_once("s]")?;
    let seconds: f64 = time.trim().parse().ok()?;
    let (run, counts) = rest.split_once(" run:")?;
    let run: usize = run.split_whitespace().next()?.parse().ok()?;
    // `8 passed`, `1 passed (1 slow)`, `3 passed (1 flaky)`.
    let passed = counts
        .split(',')
        .find_map(|part| {
            let mut words = part.split_whitespace();
            let n = words.next()?;
            (words.next()? == "passed").then(|| n.parse().ok())?
        })
        .unwrap_or(0);
    Some(Baseline::Ran {
        passed,
        run,
        run_ms: (seconds * 1000.0).round() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_gives_counts_and_time() {
        let stderr = "    Starting 9 tests across 1 binary\n        PASS [   0.004s] a\n------------\n     Summary [   0.082s] 9 tests run: 8 passed, 1 failed, 0 skipped\n        FAIL [   0.01s] b\n";
        assert_eq!(
            parse_summary(stderr),
            Some(Baseline::Ran {
                passed: 8,
                run: 9,
                run_ms: 82
            })
        );
        let flaky = "     Summary [  12.500s] 1 test run: 1 passed (1 slow), 2 skipped\n";
        assert_eq!(
            parse_summary(flaky),
            Some(Baseline::Ran {
                passed: 1,
                run: 1,
                run_ms: 12500
            })
        );
    }

    #[test]
    fn no_summary_is_no_result() {
        assert_eq!(parse_summary("error: could not compile `x`\n"), None);
    }
}
