//! List: each binary's tests, from `--list --format terse`, and which of
//! them are `#[ignore]`d, from the same with `--ignored`; or, for a binary
//! run as a whole, the tests it will run with the caller's arguments.

use crate::process::{Contain, Ended, Launch, SpawnError, spawn_and_wait};
use crate::run_suite::build::TestBinary;
use crate::run_suite::list_error::ListFailed;
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
    pub error: Option<ListFailed>,
}

/// Listing is quick; a binary that does not understand `--list` may run
/// its tests instead, so it gets a bound.
const LIST_TIMEOUT: Duration = Duration::from_secs(120);

/// Lists every binary. A binary that cannot be listed is kept with its
/// error, so the report shows it rather than losing it.
pub fn list(binaries: &[TestBinary]) -> Result<Vec<Listed>, SpawnError> {
    list_in(binaries, None)
}

/// A sandboxed listing: the launcher that joins the sandbox, and the
/// environment the sandbox passes.
pub type Sandboxed<'a> = (&'a Contain, Vec<(std::ffi::OsString, std::ffi::OsString)>);

/// [`list`], each binary run in the sandbox when one is given: listing
/// runs the crate's code too, its static constructors for one.
pub fn list_in(
    binaries: &[TestBinary],
    sandboxed: Option<&Sandboxed>,
) -> Result<Vec<Listed>, SpawnError> {
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
            let all = match run_list(binary, &[], sandboxed)? {
                Ok(tests) => tests,
                Err(error) => {
                    return Ok(Listed {
                        binary: binary.clone(),
                        tests: Vec::new(),
                        error: Some(error),
                    });
                }
            };
            let ignored: BTreeSet<String> = run_list(binary, &[IGNORED.to_owned()], sandboxed)?
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

const IGNORED: &str = "--ignored";
const INCLUDE_IGNORED: &str = "--include-ignored";

/// The tests `binary` will start a thread for when run with the caller's
/// libtest `args`, in the order libtest starts them (its own filtering:
/// the caller's filters, `--skip`, `--exact`, `--ignored`), or why it
/// could not be listed. Without `--ignored` or `--include-ignored`, the
/// ignored tests are listed at the same time, to be left out.
pub fn list_as_run(
    binary: &TestBinary,
    args: &[String],
) -> Result<Result<Vec<String>, ListFailed>, SpawnError> {
    let args = without_format(args);
    let runs_ignored = args.iter().any(|a| a == IGNORED || a == INCLUDE_IGNORED);
    let mut with_ignored = args.clone();
    with_ignored.push(IGNORED.to_owned());
    let (listed, ignored) = std::thread::scope(|scope| {
        let ignored =
            (!runs_ignored).then(|| scope.spawn(|| run_list(binary, &with_ignored, None)));
        let listed = run_list(binary, &args, None);
        let ignored = ignored.map(|h| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (listed, ignored)
    });
    let listed = match listed? {
        Ok(tests) => tests,
        Err(e) => return Ok(Err(e)),
    };
    let Some(ignored) = ignored else {
        return Ok(Ok(listed));
    };
    // Without those, an ignored test is reported, not run.
    let ignored: BTreeSet<String> = ignored?.unwrap_or_default().into_iter().collect();
    Ok(Ok(listed
        .into_iter()
        .filter(|t| !ignored.contains(t))
        .collect()))
}

/// The caller's arguments without `--format`, which the listing sets.
fn without_format(args: &[String]) -> Vec<String> {
    let mut kept = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--format" {
            args.next();
        } else if !arg.starts_with("--format=") {
            kept.push(arg.clone());
        }
    }
    kept
}

fn run_list(
    binary: &TestBinary,
    extra: &[String],
    sandboxed: Option<&Sandboxed>,
) -> Result<Result<Vec<String>, ListFailed>, SpawnError> {
    let mut args: Vec<std::ffi::OsString> =
        vec!["--list".into(), "--format".into(), "terse".into()];
    args.extend(extra.iter().map(Into::into));
    let done = spawn_and_wait(&Launch {
        exe: binary.exe.clone(),
        args,
        cwd: binary.package_dir.clone(),
        env: Vec::new(),
        env_remove: vec!["LD_PRELOAD"],
        timeout: LIST_TIMEOUT,
        label: format!("{} --list", binary.name),
        contain: sandboxed.map(|(contain, _)| (*contain).clone()),
        env_base: sandboxed.map(|(_, env)| env.clone()),
        ..Launch::default()
    })?;
    Ok(match done.ended {
        Ended::Exited(0) => Ok(parse(&done.stdout)),
        Ended::Exited(code) => Err(ListFailed::Exited {
            code,
            last_line: done
                .stderr
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_owned(),
        }),
        Ended::Signaled(sig) => Err(ListFailed::Signaled(sig)),
        Ended::TimedOut => Err(ListFailed::TimedOut),
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
    fn listing_as_run_drops_the_callers_format() {
        let args: Vec<String> = ["--format", "json", "-Z", "x", "--format=pretty", "f"]
            .map(String::from)
            .into();
        assert_eq!(super::without_format(&args), ["-Z", "x", "f"]);
    }

    #[test]
    fn reads_terse_listings() {
        let out = "a::b: test\nc: bench\nd e: test\n\n";
        assert_eq!(super::parse(out), ["a::b", "d e"]);
    }
}
