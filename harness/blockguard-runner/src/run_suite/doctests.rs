//! A package's doctests as tests of the report (`cargo blockguard test`).
//! rustdoc lists them first (`-- --list`, and `--ignored` for the ones that
//! will not run); their names go into the record folder in the order they
//! will run. Then `cargo test --doc` runs with the target runner pointed at
//! `cargo blockguard exec --record DIR`, in `-j` shards side by side
//! ([`doctest_shards`]), each one doctest at a time
//! (`RUST_TEST_THREADS=1`), and each doctest its runner guards takes the
//! shard's next name: it is `doctests::<name>` to the rules, and its record carries
//! the name. Here each record becomes a test of the report with its
//! snapshot; rustdoc's own output checks that every doctest that ran was
//! recorded. The caller's libtest filters choose doctests by their id,
//! `doctests::<name>`, as they choose every other test.

use super::doctest_error::DoctestError;
use super::doctest_fences;
use super::doctest_records::DoctestRun;
use super::doctest_shards;
use super::libtest::Libtest;
use super::snapshot::Snapshots;
use crate::env::Env;
use crate::redact::Secrets;
use crate::sandbox_env::SandboxEnv;
use crate::schema::{Outcome, TestKey, TestRecord};
use blockguard_protocol::test_key::DOCTESTS;
use blockguard_protocol::{Mode, TraceEvent};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use super::doctest_records::{RECORD_NAMES, RECORD_RUNS, RECORD_SKIP};

/// How one package's doctests run.
pub struct DoctestPlan<'a> {
    /// The package's name and folder.
    pub package: (&'a str, &'a Path),
    /// `cargo blockguard`, the runner.
    pub runner: &'a Path,
    /// The shared target folder.
    pub target_dir: PathBuf,
    /// Scratch folder for the records.
    pub records: PathBuf,
    /// The mode and the rules file.
    pub mode: Mode,
    /// The rules file in force, if any.
    pub rules: Option<&'a Path>,
    /// Where the package's snapshots are, when snapshots are taken.
    pub snapshots: Option<Snapshots>,
    /// New snapshots fail the run too.
    pub strict: bool,
    /// The caller's libtest arguments: which doctests to run.
    pub chosen: &'a Libtest,
    /// With the sandbox: the launcher that makes it, and what `cargo test
    /// --doc`, rustdoc's builds and the doctests see and write (all of it
    /// runs in the sandbox, offline).
    pub sandbox: Option<(&'a Path, blockguard_protocol::sandbox::SandboxPaths)>,
    /// With the sandbox: the variables of ours all of that sees.
    pub sandbox_env: Option<&'a SandboxEnv>,
    /// The guard runtime the run uses, which the runner guards the
    /// doctests with too; `None` runs them unguarded.
    pub runtime: Option<&'a Path>,
    /// Shards run at once (`-j`).
    pub jobs: usize,
    /// The suite's cargo features: the doctests build with them too.
    pub features: &'a [String],
}

/// Whether the caller's filters choose the test with id `id`, as the
/// harness chooses tests: a filter and `--skip`s, by substring or with
/// `--exact` whole.
fn chosen(args: &Libtest, id: &str) -> bool {
    args.chooses(id)
}

impl DoctestPlan<'_> {
    /// Whether the caller's filters choose doctest `name` by its id,
    /// `doctests::<name>`.
    fn chooses(&self, name: &str) -> bool {
        chosen(
            self.chosen,
            &TestKey::doctest(self.package.0, name).to_string(),
        )
    }
}

/// What the caller's `--ignored` and `--include-ignored` ask rustdoc for.
fn ignored_flags(args: &libtest_mimic::Arguments) -> Vec<&'static str> {
    if args.include_ignored {
        vec!["--include-ignored"]
    } else if args.ignored {
        vec!["--ignored"]
    } else {
        Vec::new()
    }
}

/// Runs the package's doctests; one record per doctest that ran. A
/// package without a library, or whose doctests do not build, gives none
/// and a note.
pub fn run(plan: &DoctestPlan, env: &Env) -> Result<Vec<TestRecord>, DoctestError> {
    let (package, dir) = plan.package;
    let _ = std::fs::remove_dir_all(&plan.records);
    let host = host_triple(env)?;
    let cargo =
        |records: Option<&Path>, extra: &[&str]| cargo_doc(plan, env, &host, records, extra);
    let listed = cargo(None, &["--", "--list", "--format", "terse"])?;
    if String::from_utf8_lossy(&listed.stderr).contains("no library targets found") {
        return Ok(Vec::new());
    }
    let ignored = cargo(None, &["--", "--list", "--format", "terse", "--ignored"])?;
    let args = plan.chosen;
    let will_run = to_run(
        &String::from_utf8_lossy(&listed.stdout),
        &String::from_utf8_lossy(&ignored.stdout),
        Ignored::of(args),
    )
    .into_iter()
    .filter(|name| !doctest_fences::only_compiled(dir, name))
    .collect::<Vec<_>>();
    // Nothing chosen, not even an ignored or compile-only doctest: no build.
    let listed_text = String::from_utf8_lossy(&listed.stdout);
    let mut listed_names: Vec<String> = listed_text
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_owned)
        .collect();
    if !listed_names.iter().any(|n| plan.chooses(n)) {
        return Ok(Vec::new());
    }
    listed_names.sort();
    let shards = doctest_shards::shards(&listed_names, plan.jobs);
    let results: Vec<Result<Vec<(String, ShardResult)>, DoctestError>> =
        std::thread::scope(|scope| {
            let running: Vec<_> = shards
                .iter()
                .enumerate()
                .map(|(k, shard)| {
                    let job = ShardJob {
                        plan,
                        env,
                        host: &host,
                        shard,
                        records: plan.records.join(format!("shard-{k}")),
                        will_run: &will_run,
                    };
                    scope.spawn(move || job.run())
                })
                .collect();
            running
                .into_iter()
                .map(|r| r.join().unwrap_or(Err(DoctestError::ShardPanicked)))
                .collect()
        });
    let _ = std::fs::remove_dir_all(&plan.records);
    let mut by_name: std::collections::BTreeMap<String, ShardResult> = Default::default();
    for result in results {
        by_name.extend(result?);
    }
    // Every doctest rustdoc reports, in its order: those that ran the
    // runner with their records, those only compiled as rustdoc counts
    // them, the ignored as ignored.
    let mut records = Vec::new();
    for (name, result) in by_name {
        let key = TestKey::doctest(package, name.as_str());
        if !plan.chooses(&name) {
            continue;
        }
        match result {
            ShardResult::Ran(run) => records.push(record(plan, package, name, *run)),
            ShardResult::Compiled { passed } => records.push(compiled(key, passed)),
            ShardResult::Ignored => records.push(TestRecord::ignored(key)),
            ShardResult::DidNotCompile => {
                let mut record = compiled(key, false);
                record.message = Some("rustdoc could not compile it".to_owned());
                records.push(record);
            }
        }
    }
    Ok(records)
}

/// What became of one doctest in its shard.
enum ShardResult {
    /// It ran the runner, which recorded it.
    Ran(Box<DoctestRun>),
    /// rustdoc only compiled it.
    Compiled { passed: bool },
    /// It is ignored.
    Ignored,
    /// rustdoc could not compile it: it failed, as under plain `cargo test`.
    DidNotCompile,
}

/// `cargo test --doc` for the package, with the runner recording into
/// `records` (none: listing, which runs nothing).
fn cargo_doc(
    plan: &DoctestPlan,
    env: &Env,
    host: &str,
    records: Option<&Path>,
    extra: &[&str],
) -> Result<Output, DoctestError> {
    let (_, dir) = plan.package;
    let mut runner = vec![
        plan.runner.to_string_lossy().into_owned(),
        "blockguard".to_owned(),
        "exec".to_owned(),
        "--mode".to_owned(),
        plan.mode.as_str().to_owned(),
    ];
    if let Some(records) = records {
        runner.extend([
            "--record".to_owned(),
            records.to_string_lossy().into_owned(),
        ]);
    }
    if let Some(rules) = plan.rules {
        runner.extend(["--rules".to_owned(), rules.to_string_lossy().into_owned()]);
    }
    runner.push("--".to_owned());
    let quoted: Vec<String> = runner.iter().map(|a| format!("{a:?}")).collect();
    let mut cmd = match &plan.sandbox {
        Some((launcher, paths)) => {
            let mut cmd = crate::sandbox::command(launcher, &env.cargo, paths);
            cmd.arg("--offline");
            cmd
        }
        None => Command::new(&env.cargo),
    };
    if let Some(sandbox_env) = plan.sandbox_env {
        sandbox_env.restrict(&mut cmd);
    }
    // Named, not looked for: `cargo blockguard exec` inside the sandbox
    // sees none of the variables that say where this run found the
    // runtime (`BLOCKGUARD_CACHE_DIR`), and could not unpack it there.
    let runtime = plan.runtime.map_or(OsStr::new("none"), Path::as_os_str);
    cmd.args(["test", "--doc", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&plan.target_dir)
        .arg("--config")
        .arg(format!("target.{host}.runner=[{}]", quoted.join(", ")))
        // One doctest at a time in a shard: its runner takes the names in
        // order. Shards run side by side.
        .env("RUST_TEST_THREADS", "1")
        .env(crate::env::PRELOAD, runtime)
        .current_dir(dir)
        .stdin(Stdio::null());
    if !plan.features.is_empty() {
        cmd.arg("--features").arg(plan.features.join(","));
    }
    cmd.args(extra);
    cmd.output()
        .map(|out| Output {
            stdout: Secrets::of_runner().redact(&out.stdout),
            stderr: Secrets::of_runner().redact(&out.stderr),
            ..out
        })
        .map_err(DoctestError::Cargo)
}

/// One shard to run, and what it runs with.
struct ShardJob<'a> {
    plan: &'a DoctestPlan<'a>,
    env: &'a Env,
    host: &'a str,
    shard: &'a doctest_shards::Shard,
    /// Its runner's record folder.
    records: PathBuf,
    /// Every doctest that will reach a runner, in order.
    will_run: &'a [String],
}

/// One run of a shard.
struct ShardRun {
    /// Its doctests' results.
    results: Vec<(String, ShardResult)>,
    /// Doctests it expected to run that rustdoc could not compile.
    did_not_compile: Vec<String>,
}

impl ShardJob<'_> {
    /// Runs the shard: its runner is told the names of the doctests it
    /// will run, in order, and to skip those another shard owns or the
    /// caller's filters leave out. The doctests this shard owns, with
    /// their results.
    fn run(&self) -> Result<Vec<(String, ShardResult)>, DoctestError> {
        // A doctest that does not compile never reaches the runner, and
        // every later one would take the wrong name: the shard runs again
        // with those left out of its names, once.
        let first = self.run_once(&[])?;
        if first.did_not_compile.is_empty() {
            return Ok(first.results);
        }
        let _ = std::fs::remove_dir_all(&self.records);
        Ok(self.run_once(&first.did_not_compile)?.results)
    }

    fn run_once(&self, uncompiled: &[String]) -> Result<ShardRun, DoctestError> {
        let ShardJob {
            plan,
            env,
            host,
            shard,
            will_run,
            ..
        } = *self;
        let records = self.records.as_path();
        let (package, _) = plan.package;
        let args = plan.chosen;
        let owns = |name: &str| {
            shard
                .own
                .iter()
                .any(|o| o == name || o.strip_prefix(name).is_some_and(compile_suffix))
        };
        let will_run: Vec<&String> = will_run
            .iter()
            .filter(|n| shard.selects(n) && !uncompiled.contains(n))
            .collect();
        // rustdoc cannot be told names with spaces, so every doctest the
        // shard selects runs the runner, which skips those not its own.
        let passed: Vec<&String> = will_run
            .iter()
            .copied()
            .filter(|name| !owns(name) || !plan.chooses(name))
            .collect();
        let records_error = |source| DoctestError::Records {
            path: records.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(records).map_err(records_error)?;
        let lines = |names: &[&String]| names.iter().map(|n| format!("{n}\n")).collect::<String>();
        std::fs::write(records.join(RECORD_NAMES), lines(&will_run))
            .and_then(|()| std::fs::write(records.join(RECORD_SKIP), lines(&passed)))
            .map_err(records_error)?;
        let mut run_args = vec!["--"];
        run_args.extend(ignored_flags(args));
        run_args.extend(shard.filters.iter().map(String::as_str));
        let out = cargo_doc(plan, env, host, Some(records), &run_args)?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let failed_to_compile = did_not_compile(&stdout);
        let did_not_compile: Vec<String> = failed_to_compile
            .iter()
            .filter(|n| will_run.contains(n))
            .cloned()
            .collect();
        if !did_not_compile.is_empty() {
            return Ok(ShardRun {
                results: Vec::new(),
                did_not_compile,
            });
        }
        let mut names = ran(&stdout);
        names.retain(|name| !passed.contains(&name) && !failed_to_compile.contains(name));
        let runs = read_records(&records.join(RECORD_RUNS));
        // Each record names its doctest; rustdoc's output is the check.
        let recorded: Vec<&str> = runs.iter().map(|r| r.entry.key.name.as_str()).collect();
        if recorded != names {
            return Err(DoctestError::Mismatch {
                package: package.to_owned(),
                ran: names.iter().map(|n| (*n).to_owned()).collect(),
                recorded: recorded.iter().map(|n| (*n).to_owned()).collect(),
                said: stderr
                    .lines()
                    .rev()
                    .take(20)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join("\n"),
            });
        }
        let mut runs = runs.into_iter();
        let mut results = Vec::new();
        for (name, result) in reported(&stdout) {
            let ran = result == Reported::Ran && !passed.contains(&&name);
            // A doctest run but skipped by the runner took no record.
            let outcome = match result {
                Reported::Ran if failed_to_compile.contains(&name) => {
                    Some(ShardResult::DidNotCompile)
                }
                Reported::Ran if ran => runs.next().map(|run| ShardResult::Ran(Box::new(run))),
                Reported::Ran => None,
                Reported::Compiled { passed } => Some(ShardResult::Compiled { passed }),
                Reported::Ignored => Some(ShardResult::Ignored),
            };
            if let Some(outcome) = outcome
                && owns(&name)
            {
                results.push((name, outcome));
            }
        }
        Ok(ShardRun {
            results,
            did_not_compile: Vec::new(),
        })
    }
}

/// The doctests rustdoc failed to compile (not `compile_fail` ones): the
/// `---- NAME stdout ----` sections that say "Couldn't compile the test."
fn did_not_compile(stdout: &str) -> Vec<String> {
    let mut failed = Vec::new();
    let mut section: Option<&str> = None;
    for line in stdout.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|rest| rest.strip_suffix(" stdout ----"))
        {
            section = Some(name);
        } else if line.trim() == "Couldn't compile the test."
            && let Some(name) = section.take()
        {
            failed.push(name.to_owned());
        }
    }
    failed
}

/// rustdoc's suffix of a doctest it only compiles.
fn compile_suffix(rest: &str) -> bool {
    rest == " - compile" || rest == " - compile fail"
}

/// A doctest rustdoc only compiled: passed or failed as it says.
fn compiled(key: TestKey, passed: bool) -> TestRecord {
    let mut record = TestRecord::ignored(key);
    record.outcome = if passed { Outcome::Pass } else { Outcome::Fail };
    if !passed {
        record.message = Some("rustdoc: it did not compile as its fence says".to_owned());
    }
    record
}

/// What rustdoc's run says of one doctest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reported {
    /// It ran (through the runner).
    Ran,
    /// It was only compiled (`no_run`, `compile_fail`).
    Compiled {
        /// rustdoc's `ok`.
        passed: bool,
    },
    /// It is ignored.
    Ignored,
}

/// rustdoc's `test NAME ... RESULT` lines, in order: each doctest's name
/// (without ` - compile` or ` - compile fail`) and what became of it.
fn reported(stdout: &str) -> Vec<(String, Reported)> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("test ")?.rsplit_once(" ... "))
        // A failed doctest's output quotes the runner's own line for it,
        // `test doctests::NAME ... FAILED`: not another doctest.
        .filter(|(name, _)| name.contains(" (line ") && !name.starts_with(DOCTESTS))
        .map(|(name, result)| {
            let base = name
                .strip_suffix(" - compile fail")
                .or_else(|| name.strip_suffix(" - compile"));
            let reported = match (base, result) {
                (_, r) if r.starts_with("ignored") => Reported::Ignored,
                (Some(_), r) => Reported::Compiled {
                    passed: r.starts_with("ok"),
                },
                (None, _) => Reported::Ran,
            };
            (base.unwrap_or(name).to_owned(), reported)
        })
        .collect()
}

/// Which doctests run, by their `#[ignore]` (`ignore` in a doctest's fence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ignored {
    /// Those not ignored (the default).
    Left,
    /// Only the ignored ones (`--ignored`).
    Only,
    /// All (`--include-ignored`).
    Too,
}

impl Ignored {
    fn of(args: &libtest_mimic::Arguments) -> Ignored {
        if args.include_ignored {
            Ignored::Too
        } else if args.ignored {
            Ignored::Only
        } else {
            Ignored::Left
        }
    }
}

/// The doctests that will run the runner, in the order they will: rustdoc's
/// `NAME: test` list, less (or only) those `--ignored` lists, less those
/// only compiled.
fn to_run(listed: &str, ignored: &str, which: Ignored) -> Vec<String> {
    let names = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_suffix(": test"))
            .map(str::to_owned)
            .collect()
    };
    let ignored = names(ignored);
    let mut run: Vec<String> = names(listed)
        .into_iter()
        .filter(|n| match which {
            Ignored::Left => !ignored.contains(n),
            Ignored::Only => ignored.contains(n),
            Ignored::Too => true,
        })
        .filter(|n| !compile_only(n) && n.contains(" (line "))
        .collect();
    run.sort();
    run
}

fn compile_only(name: &str) -> bool {
    name.ends_with(" - compile") || name.ends_with(" - compile fail")
}

/// The doctests that ran the runner, in order: rustdoc's `test NAME ... `
/// lines, less the ignored ones and those only compiled (`- compile`,
/// `- compile fail`).
fn ran(stdout: &str) -> Vec<String> {
    reported(stdout)
        .into_iter()
        .filter(|(_, r)| *r == Reported::Ran)
        .map(|(name, _)| name)
        .collect()
}

fn read_records(dir: &Path) -> Vec<DoctestRun> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
        .filter_map(|f| serde_json::from_str(&crate::untrusted_file::read_to_string(f).ok()?).ok())
        .collect()
}

fn record(plan: &DoctestPlan, package: &str, name: String, run: DoctestRun) -> TestRecord {
    let e = run.entry;
    let mut record = TestRecord::ignored(TestKey::doctest(package, name));
    record.outcome = e.outcome;
    record.duration = Duration::from_millis(e.duration_ms);
    record.message = e.message;
    record.rule = e.rule;
    record.blocking = e.blocking;
    record.leaked = e.leaked;
    record.matched_rules = run.matched_rules;
    let whole =
        e.outcome == Outcome::Pass || (e.outcome == Outcome::Blocked && plan.mode != Mode::Deny);
    if let (Some(snapshots), true) = (&plan.snapshots, whole) {
        let events: Vec<TraceEvent> = record.blocking.iter().map(|c| c.event.clone()).collect();
        if let Ok(checked) = snapshots.check(&record.key, &events) {
            record.snapshot = Some(checked.state);
            record.snapshot_failed = checked.fails_run(plan.strict);
        }
    }
    record
}

/// The host's target triple, as `rustc -vV` says.
fn host_triple(env: &Env) -> Result<String, DoctestError> {
    let out = Command::new(&env.rustc)
        .arg("-vV")
        .output()
        .map_err(DoctestError::Rustc)?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or(DoctestError::NoHost)
}

#[cfg(test)]
mod tests {
    use super::{Reported, did_not_compile, ran, reported};

    #[test]
    fn doctests_that_did_not_compile_are_read_from_rustdocs_failures() {
        let out = "test src/lib.rs - a (line 3) ... FAILED\ntest src/lib.rs - b (line 9) ... FAILED\n\n\
            failures:\n\n---- src/lib.rs - a (line 3) stdout ----\nerror[E0432]: unresolved import\n\
            Couldn't compile the test.\n---- src/lib.rs - b (line 9) stdout ----\nTest executable failed (exit status: 101).\n";
        assert_eq!(did_not_compile(out), ["src/lib.rs - a (line 3)"]);
    }

    #[test]
    fn every_doctest_rustdoc_reports_is_taken_with_what_became_of_it() {
        let stdout = "running 4 tests\n\
            test src/lib.rs - (line 5) - compile ... ok\n\
            test src/lib.rs - (line 9) - compile fail ... FAILED\n\
            test src/lib.rs - g (line 20) ... ignored\n\
            test src/lib.rs - f (line 11) ... ok\n\
            test doctests::src/lib.rs - f (line 11) ... FAILED\n";
        assert_eq!(
            reported(stdout),
            [
                (
                    "src/lib.rs - (line 5)".to_owned(),
                    Reported::Compiled { passed: true }
                ),
                (
                    "src/lib.rs - (line 9)".to_owned(),
                    Reported::Compiled { passed: false }
                ),
                ("src/lib.rs - g (line 20)".to_owned(), Reported::Ignored),
                ("src/lib.rs - f (line 11)".to_owned(), Reported::Ran),
            ]
        );
        assert_eq!(ran(stdout), ["src/lib.rs - f (line 11)"]);
    }

    #[test]
    fn the_doctests_to_run_are_the_listed_less_ignored_and_compile_only_in_name_order() {
        let listed = "src/lib.rs - b (line 9): test\nsrc/lib.rs - a (line 3): test\nsrc/lib.rs - c (line 12): test\nsrc/lib.rs - d (line 20) - compile: test\n";
        let ignored = "src/lib.rs - c (line 12): test\n";
        assert_eq!(
            super::to_run(listed, ignored, super::Ignored::Left),
            ["src/lib.rs - a (line 3)", "src/lib.rs - b (line 9)"]
        );
        assert_eq!(
            super::to_run(listed, ignored, super::Ignored::Only),
            ["src/lib.rs - c (line 12)"]
        );
        assert_eq!(super::to_run(listed, ignored, super::Ignored::Too).len(), 3);
    }

    #[test]
    fn filters_choose_doctests_by_their_id_as_they_choose_tests() {
        let id = "doctests::src/lib.rs - nap (line 15)";
        let args = |filter: Option<&str>, skip: &[&str], exact: bool| super::Libtest {
            args: libtest_mimic::Arguments {
                filter: filter.map(str::to_owned),
                skip: skip.iter().map(|s| s.to_string()).collect(),
                exact,
                ..Default::default()
            },
            filters: filter.into_iter().map(str::to_owned).collect(),
        };
        assert!(super::chosen(&args(None, &[], false), id));
        assert!(super::chosen(&args(Some("nap"), &[], false), id));
        assert!(super::chosen(&args(Some("doctests::"), &[], false), id));
        assert!(!super::chosen(&args(Some("add"), &[], false), id));
        assert!(!super::chosen(&args(Some("nap"), &["line 15"], false), id));
        assert!(!super::chosen(&args(Some("nap"), &[], true), id));
        assert!(super::chosen(&args(Some(id), &[], true), id));
    }

    #[test]
    fn only_doctests_that_ran_count_in_the_order_they_ran() {
        let out = "\nrunning 4 tests\ntest src/lib.rs - a (line 3) ... ok\ntest src/lib.rs - b (line 9) - compile ... ok\ntest src/lib.rs - c (line 12) ... ignored\ntest src/lib.rs - d (line 20) ... FAILED\n---- src/lib.rs - d (line 20) stdout ----\ntest doctests::src/lib.rs - d (line 20) ... FAILED\n";
        assert_eq!(
            ran(out),
            ["src/lib.rs - a (line 3)", "src/lib.rs - d (line 20)"]
        );
    }
}
