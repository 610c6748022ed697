//! List: each binary's tests, from `--list --format terse`, and which of
//! them are `#[ignore]`d, from the same with `--ignored`.

use crate::process::{Ended, Launch, SpawnError, spawn_and_wait};
use crate::run_suite::build::TestBinary;
use blockguard_protocol::env as protocol;
use std::collections::BTreeSet;
use std::time::Duration;

/// A test executable and its tests.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The executable.
    pub binary: TestBinary,
    /// Its tests in listing order, each with its ignored flag.
    pub tests: Vec<(String, bool)>,
    /// Why listing failed, if it did (a binary without libtest's harness).
    pub error: Option<String>,
}

/// Listing is quick; a binary that does not understand `--list` may run
/// its tests instead, so it gets a bound.
const LIST_TIMEOUT: Duration = Duration::from_secs(120);

/// Lists every binary. A binary that cannot be listed is kept with its
/// error, so the report shows it rather than losing it.
pub fn list(binaries: &[TestBinary]) -> Result<Vec<Listed>, SpawnError> {
    binaries
        .iter()
        .map(|binary| {
            if !binary.libtest {
                // No libtest, no `--list`: running it would run the test.
                return Ok(Listed {
                    binary: binary.clone(),
                    tests: vec![(protocol::MAIN_TEST.to_owned(), false)],
                    error: None,
                });
            }
            let all = match run_list(binary, false)? {
                Ok(tests) => tests,
                Err(error) => {
                    return Ok(Listed {
                        binary: binary.clone(),
                        tests: Vec::new(),
                        error: Some(error),
                    });
                }
            };
            let ignored: BTreeSet<String> = run_list(binary, true)?
                .unwrap_or_default()
                .into_iter()
                .collect();
            let tests = all
                .into_iter()
                .map(|t| {
                    let is_ignored = ignored.contains(&t);
                    (t, is_ignored)
                })
                .collect();
            Ok(Listed {
                binary: binary.clone(),
                tests,
                error: None,
            })
        })
        .collect()
}

fn run_list(binary: &TestBinary, ignored: bool) -> Result<Result<Vec<String>, String>, SpawnError> {
    let mut args = vec!["--list".into(), "--format".into(), "terse".into()];
    if ignored {
        args.push("--ignored".into());
    }
    let done = spawn_and_wait(&Launch {
        exe: binary.exe.clone(),
        args,
        cwd: binary.package_dir.clone(),
        env: Vec::new(),
        env_remove: vec!["LD_PRELOAD"],
        timeout: LIST_TIMEOUT,
        label: format!("{} --list", binary.name),
        ..Launch::default()
    })?;
    Ok(match done.ended {
        Ended::Exited(0) => Ok(parse(&done.stdout)),
        Ended::Exited(code) => Err(format!(
            "`--list` exited with status {code}: {}",
            done.stderr.lines().last().unwrap_or_default().trim()
        )),
        Ended::Signaled(sig) => Err(format!("`--list` was killed by signal {sig}")),
        Ended::TimedOut => Err("`--list` did not finish; is this a libtest harness?".to_owned()),
    })
}

/// `name: test` lines; benches (`name: bench`) are not run by `cargo test`
/// on stable and are left out.
fn parse(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_terse_listings() {
        let out = "a::b: test\nc: bench\nd e: test\n\n";
        assert_eq!(super::parse(out), ["a::b", "d e"]);
    }
}
