//! One test binary as cargo or nextest runs it through a target runner
//! (`cargo blockguard exec -- BINARY ARGS…`), under the guards.
//!
//! nextest asks for one test (`--exact NAME`): it runs in a guarded
//! process of its own, and its failure lists the denied calls. Plain
//! `cargo test` runs the binary whole: it runs whole, in one guarded
//! process, every test thread guarded and every event attributed to its
//! test ([`runner::run_whole_binary`]). A test target without libtest
//! (`harness = false`) is one guarded test, its `main`. The exit code is
//! 101, as libtest's, when a test failed or was blocked. No snapshots are
//! taken and no report is written: the caller's own output is the result.
//!
//! Doctests come through the runner too. Each one built on its own (before
//! edition 2024) is one guarded test. Merged doctests (edition 2024) are one
//! program whose harness runs each doctest as a process of its own when
//! told where a program to run is (`RUSTDOC_DOCTEST_BIN_PATH`): that
//! program is this one again ([`DOCTEST_SHIM`]), which runs the doctest
//! (`RUSTDOC_DOCTEST_RUN_NB_TEST`) under the guards. The harness prints
//! each doctest's name and, for a failure, the shim's output.
//!
//! Any other program (`cargo run` through the same runner) runs as it is.

use crate::env::Env;
use crate::events::{Collected, RunEvents, RunListener};
use crate::run_suite::build::TestBinary;
use crate::run_suite::console::Console;
use crate::run_suite::doctest_records::{DoctestRun, RECORD_NAMES, RECORD_RUNS, RECORD_SKIP};
use crate::run_suite::error::RunSuiteError;
use crate::run_suite::libtest::libtest_args;
use crate::run_suite::list::{Listed, list};
use crate::run_suite::preload::guard_runtime;
use crate::run_suite::rules::Rules;
use crate::run_suite::runner::{self, Plan};
use crate::run_suite::timeout::DEFAULT_TIMEOUT;
use crate::schema::TestEntry;
use crate::schema::exit;
use crate::target_package;
use crate::untrusted_text;
use blockguard_protocol::test_key::DOCTESTS;
use blockguard_protocol::{GuardScope, Mode};
use blockguard_rules::RulesFile;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// libtest's exit code when a test failed.
pub const TESTS_FAILED: u8 = 101;

/// rustdoc's variable: the program a merged doctest harness runs per doctest.
const DOCTEST_BIN_PATH: &str = "RUSTDOC_DOCTEST_BIN_PATH";
/// rustdoc's variable: which doctest a merged doctest program runs.
pub const DOCTEST_NUMBER: &str = "RUSTDOC_DOCTEST_RUN_NB_TEST";
/// Set for the shim: the merged doctest program it runs one doctest of.
pub const DOCTEST_SHIM: &str = "BLOCKGUARD_DOCTEST_PROGRAM";
/// Set for the shim: the mode `exec --mode` was given.
pub const DOCTEST_SHIM_MODE: &str = "BLOCKGUARD_DOCTEST_MODE";
/// Set for the shim: where `exec --record` puts the records.
pub const DOCTEST_SHIM_RECORD: &str = "BLOCKGUARD_DOCTEST_RECORD";
/// Set for the shim: the rules file `exec` used.
pub const DOCTEST_SHIM_RULES: &str = "BLOCKGUARD_DOCTEST_RULES";
/// The file name rustdoc gives a doctest program.
const DOCTEST_PROGRAM: &str = "rust_out";
/// What the runner was handed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A libtest test binary (`target/<profile>/deps/<name>-<hash>`).
    Libtest,
    /// A test target built with `harness = false`: its `main` is the test.
    Main,
    /// One doctest, built on its own.
    Doctest,
    /// Merged doctests.
    MergedDoctests,
    /// Anything else (`cargo run`).
    Program,
}

fn kind<'m>(exe: &Path, manifest: impl FnOnce() -> Option<&'m toml::Table>) -> Kind {
    if exe.file_name().is_some_and(|n| n == DOCTEST_PROGRAM) {
        let merged = std::fs::read(exe).is_ok_and(|bytes| {
            bytes
                .windows(DOCTEST_NUMBER.len())
                .any(|w| w == DOCTEST_NUMBER.as_bytes())
        });
        return if merged {
            Kind::MergedDoctests
        } else {
            Kind::Doctest
        };
    }
    if exe
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "deps")
    {
        if manifest().is_some_and(|m| without_harness(m, &target_name(exe))) {
            Kind::Main
        } else {
            Kind::Libtest
        }
    } else {
        Kind::Program
    }
}

/// Whether the manifest declares test target `crate_name` (as its
/// executable is named: `-` becomes `_`) with `harness = false`.
fn without_harness(manifest: &toml::Table, crate_name: &str) -> bool {
    let targets = manifest.get("test").and_then(toml::Value::as_array);
    targets.into_iter().flatten().any(|t| {
        t.get("name")
            .and_then(toml::Value::as_str)
            .is_some_and(|n| n.replace('-', "_") == crate_name.replace('-', "_"))
            && t.get("harness").and_then(toml::Value::as_bool) == Some(false)
    })
}

/// The binary to run and what it runs with.
#[derive(Debug, Clone)]
pub struct ExecRequest {
    /// The test executable.
    pub exe: PathBuf,
    /// Its arguments, as cargo or nextest gave them.
    pub args: Vec<String>,
    /// Its package's folder (`CARGO_MANIFEST_DIR`), where it runs.
    pub package_dir: PathBuf,
    /// Its package's name and version.
    pub package: (String, String),
    /// The workspace's configuration file and its rules, if any.
    pub config: Option<(PathBuf, RulesFile)>,
    /// The mode, over the configuration's.
    pub mode: Option<Mode>,
    /// This program, which a merged doctest harness runs per doctest.
    pub shim: PathBuf,
    /// Where each guarded doctest's record goes, numbered in the order
    /// they ran (`cargo blockguard test` reads them back).
    pub record: Option<PathBuf>,
}

impl ExecRequest {
    /// The test binary this request runs, under `name`; `manifest` is its
    /// package's.
    fn binary(
        &self,
        name: String,
        libtest: bool,
        env: Vec<(String, String)>,
        manifest: Option<&toml::Table>,
    ) -> TestBinary {
        let own = target_name(&self.exe);
        TestBinary {
            name,
            exe: self.exe.clone(),
            package_dir: self.package_dir.clone(),
            package: self.package.clone(),
            libtest,
            env,
            cargo: None,
            under_test: vec![target_package::under_test(
                &self.package_dir,
                &self.package.0,
                manifest,
                &own,
            )],
        }
    }
}

/// Runs it; the exit code for the caller.
pub fn exec(request: &ExecRequest, env: &Env) -> u8 {
    // Read once, and only for a binary that needs it (not `cargo run`'s).
    let manifest = std::cell::OnceCell::new();
    let manifest = || {
        manifest
            .get_or_init(|| target_package::manifest(&request.package_dir))
            .as_ref()
    };
    let kind = kind(&request.exe, manifest);
    // Listing (nextest asks every binary for its tests) is the binary's own.
    if kind == Kind::Program || request.args.iter().any(|a| a == "--list") {
        return pass_through(request, &[]);
    }
    if kind == Kind::MergedDoctests {
        let shim = request.shim.to_string_lossy().into_owned();
        let program = request.exe.to_string_lossy().into_owned();
        let mut vars = vec![(DOCTEST_BIN_PATH, shim), (DOCTEST_SHIM, program)];
        if let Some(mode) = request.mode {
            vars.push((DOCTEST_SHIM_MODE, mode.as_str().to_owned()));
        }
        if let Some(dir) = &request.record {
            vars.push((DOCTEST_SHIM_RECORD, dir.to_string_lossy().into_owned()));
        }
        if let Some((path, _)) = &request.config {
            vars.push((DOCTEST_SHIM_RULES, path.to_string_lossy().into_owned()));
        }
        return pass_through(request, &vars);
    }
    // nextest asks for one test with `--exact`; without it there is no
    // need to parse libtest's arguments (clap's parser costs 0.1 ms).
    let nextest_one = request.args.iter().any(|a| a == "--exact")
        && libtest_args(&request.args)
            .ok()
            .and_then(|a| one_test(&a))
            .is_some();
    if kind == Kind::Libtest && !nextest_one {
        return whole(request, env, manifest());
    }
    let named = (kind == Kind::Doctest)
        .then(|| next_doctest(request))
        .flatten();
    if named.as_deref().is_some_and(|n| skipped(request, n)) {
        return exit::OK;
    }
    let name = match (kind, &named) {
        (Kind::Doctest, Some(_)) => DOCTESTS.to_owned(),
        (Kind::Doctest, None) => "doctest".to_owned(),
        _ => target_name(&request.exe),
    };
    let binary = request.binary(name, kind == Kind::Libtest, Vec::new(), manifest());
    run_guarded(request, binary, named, env)
}

/// Plain `cargo test`: the binary runs whole, guarded.
fn whole(request: &ExecRequest, env: &Env, manifest: Option<&toml::Table>) -> u8 {
    let console = Console::new();
    let runtime = match guard_runtime(env, &console) {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::ERROR;
        }
    };
    let Some(preload) = runtime.library else {
        return pass_through(request, &[]);
    };
    let binary = request.binary(target_name(&request.exe), true, Vec::new(), manifest);
    let scratch = scratch_folder();
    let result = runner::run_whole_binary(&runner::WholeBinary {
        binary: &binary,
        args: &request.args,
        mode: mode_of(request),
        guard: guard_of(request),
        preload: &preload,
        rules: request.config.as_ref().map(|(path, _)| path.as_path()),
        scratch: &scratch,
        symbols: &shared_symbols(&preload),
        lists: &kept_lists(&preload),
    });
    let _ = std::fs::remove_dir_all(&scratch);
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        exit::ERROR
    })
}

/// This process's folder for its traces: in `/dev/shm`, which is memory,
/// unless `TMPDIR` names a place. Making and removing a run's files in a
/// disk folder is a cost every binary pays: on this ext4, right after the
/// last run removed its own, about 0.3 ms a run for the trace and its
/// folder.
fn scratch_folder() -> PathBuf {
    let name = format!("blockguard-exec-{}", std::process::id());
    let tmpdir_set = std::env::var_os("TMPDIR").is_some();
    scratch_folder_in(tmpdir_set, Path::new("/dev/shm"), &name)
        .unwrap_or_else(|| std::env::temp_dir().join(name))
}

/// `memory/name`, made, when `TMPDIR` is not set and it can be made.
fn scratch_folder_in(tmpdir_set: bool, memory: &Path, name: &str) -> Option<PathBuf> {
    let in_memory = memory.join(name);
    (!tmpdir_set && std::fs::create_dir(&in_memory).is_ok()).then_some(in_memory)
}

/// Where the runtime shares resolved names: beside it (in the runtime
/// cache, for `cargo blockguard`), kept between runs.
fn shared_symbols(runtime: &Path) -> PathBuf {
    runtime
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("symbols")
}

/// Where the tests each binary runs are kept between runs: beside the
/// runtime too.
fn kept_lists(runtime: &Path) -> PathBuf {
    runtime
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("lists")
}

/// The mode: `--mode`, else the configuration's, else check.
fn mode_of(request: &ExecRequest) -> Mode {
    let suite = request.config.as_ref().and_then(|(_, f)| f.suite.as_ref());
    request
        .mode
        .or(suite.and_then(|s| s.mode))
        .unwrap_or(Mode::Check)
}

/// Which contexts are guarded: the configuration's, else the test's body.
fn guard_of(request: &ExecRequest) -> GuardScope {
    let suite = request.config.as_ref().and_then(|(_, f)| f.suite.as_ref());
    suite.and_then(|s| s.guard).unwrap_or_default()
}

/// The name of the doctest about to run, when `cargo blockguard test`
/// recorded the names: the next one after those already run.
fn next_doctest(request: &ExecRequest) -> Option<String> {
    let dir = request.record.as_ref()?;
    let ran = std::fs::read_dir(dir.join(RECORD_RUNS)).map_or(0, |d| d.count());
    let names = std::fs::read_to_string(dir.join(RECORD_NAMES)).ok()?;
    names.lines().nth(ran).map(str::to_owned)
}

/// Whether the caller's filters left doctest `name` out: if so its number
/// is taken, so the next doctest takes the next name.
fn skipped(request: &ExecRequest, name: &str) -> bool {
    let Some(dir) = request.record.as_ref() else {
        return false;
    };
    let skip = std::fs::read_to_string(dir.join(RECORD_SKIP)).unwrap_or_default();
    if !skip.lines().any(|l| l == name) {
        return false;
    }
    take_next_number(&dir.join(RECORD_RUNS), "skipped", b"");
    true
}

/// The shim's job: doctest `number` of the merged doctest program
/// `program`, under the guards.
pub fn doctest(request: &ExecRequest, number: &str, env: &Env) -> u8 {
    let named = next_doctest(request);
    if named.as_deref().is_some_and(|n| skipped(request, n)) {
        return exit::OK;
    }
    let name = match &named {
        Some(_) => DOCTESTS.to_owned(),
        None => format!("doctest-{number}"),
    };
    let binary = request.binary(
        name,
        false,
        vec![(DOCTEST_NUMBER.to_owned(), number.to_owned())],
        target_package::manifest(&request.package_dir).as_ref(),
    );
    run_guarded(request, binary, named, env)
}

/// Runs `binary`'s tests guarded: `only` names the one test when it is
/// known beforehand (a named doctest), else the binary is listed.
fn run_guarded(request: &ExecRequest, binary: TestBinary, only: Option<String>, env: &Env) -> u8 {
    let console = Arc::new(Console::new());
    match guarded(request, binary, only, env, &console) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            exit::ERROR
        }
    }
}

fn pass_through(request: &ExecRequest, vars: &[(&str, String)]) -> u8 {
    match std::process::Command::new(&request.exe)
        .args(&request.args)
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .status()
    {
        Ok(status) => status.code().map_or(TESTS_FAILED, |c| c as u8),
        Err(e) => {
            eprintln!("error: cannot run {}: {e}", request.exe.display());
            exit::ERROR
        }
    }
}

fn guarded(
    request: &ExecRequest,
    binary: TestBinary,
    only: Option<String>,
    env: &Env,
    console: &Arc<Console>,
) -> Result<u8, RunSuiteError> {
    let libtest_output = binary.libtest;
    let args: &[String] = if binary.libtest { &request.args } else { &[] };
    let mut libtest = libtest_args(args)?;
    // nextest names the one test it wants, and a recorded doctest is
    // named beforehand: no need to ask the binary.
    let only = only.or_else(|| one_test(&libtest).filter(|_| binary.libtest));
    // The harness names each test `<binary>::<name>`; the caller named
    // them within the binary.
    if libtest.exact {
        let within = |name: &String| format!("{}::{name}", binary.name);
        libtest.filter = libtest.filter.as_ref().map(within);
        libtest.skip = libtest.skip.iter().map(within).collect();
        libtest.filters = libtest.filters.iter().map(within).collect();
    }
    let suite = request.config.as_ref().and_then(|(_, f)| f.suite.clone());
    let mode = mode_of(request);
    let timeout = suite
        .as_ref()
        .and_then(|s| s.timeout)
        .unwrap_or(DEFAULT_TIMEOUT);
    let runtime = guard_runtime(env, console)?;
    let listed = match only {
        Some(test) => vec![Listed {
            binary,
            tests: vec![(test, libtest.ignored)],
            error: None,
        }],
        None => list(&[binary])?,
    };
    let traces = scratch_folder();
    let jobs = libtest
        .test_threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let symbols = runtime.library.as_deref().map(shared_symbols);
    let collected = Arc::new(Collected::default());
    runner::run(
        Plan {
            binaries: listed,
            mode,
            guard: guard_of(request),
            timeout,
            jobs,
            preload: runtime.library,
            launcher: runtime.launcher,
            rules: Rules::new(request.config.clone()),
            traces: traces.clone(),
            symbols,
            snapshots: None,
            strict: false,
            env_base: None,
            env_remove: env.child_env_remove(),
            farm_workers: None,
            retries: 0,
            events: RunEvents::new(vec![
                Arc::clone(console) as Arc<dyn RunListener>,
                Arc::clone(&collected) as Arc<dyn RunListener>,
            ]),
            sandbox: None,
            limits: None,
        },
        libtest,
        console,
    );
    let _ = std::fs::remove_dir_all(&traces);
    let records = collected.records();
    let failed = records.iter().any(|r| r.outcome.is_failure());
    if let Some(dir) = request.record.as_ref().filter(|_| !libtest_output) {
        for r in &records {
            record(dir, r);
        }
    }
    // A doctest's harness shows only what its program wrote to stderr.
    if !libtest_output {
        for r in records.iter().filter(|r| r.outcome.is_failure()) {
            eprintln!(
                "{}: {}",
                r.outcome,
                untrusted_text::visible(r.message.as_deref().unwrap_or_default())
            );
        }
    }
    Ok(if failed { TESTS_FAILED } else { exit::OK })
}

/// The one test `--exact NAME` asks for: its name within the binary, as
/// the caller gave it.
fn one_test(libtest: &libtest_mimic::Arguments) -> Option<String> {
    let name = libtest.filter.as_deref()?;
    (libtest.exact && libtest.skip.is_empty()).then(|| name.to_owned())
}

/// Writes a doctest's record as the next number in `dir`.
fn record(dir: &Path, r: &crate::schema::TestRecord) {
    let run = DoctestRun {
        entry: TestEntry::of(r),
        matched_rules: r.matched_rules.clone(),
    };
    let Ok(json) = serde_json::to_string(&run) else {
        return;
    };
    take_next_number(&dir.join(RECORD_RUNS), "json", json.as_bytes());
}

/// Writes `bytes` as the next numbered file in `dir`, `NNNNNN.<ext>`.
fn take_next_number(dir: &Path, ext: &str, bytes: &[u8]) {
    let _ = std::fs::create_dir_all(dir);
    let taken = std::fs::read_dir(dir).map_or(0, |d| d.count());
    for n in taken.. {
        let path = dir.join(format!("{n:06}.{ext}"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                use std::io::Write;
                let _ = file.write_all(bytes);
                return;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => return,
        }
    }
}

/// The cargo target name of a test executable: its file name without
/// cargo's `-<hash>`.
fn target_name(exe: &Path) -> String {
    let name = exe
        .file_stem()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    match name.rsplit_once('-') {
        Some((target, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            target.to_owned()
        }
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::{scratch_folder_in, target_name};
    use std::path::Path;

    #[test]
    fn the_scratch_folder_is_in_memory_unless_tmpdir_names_a_place() {
        let memory = std::env::temp_dir().join(format!("bg-scratch-{}", std::process::id()));
        std::fs::create_dir_all(&memory).unwrap();
        let made = scratch_folder_in(false, &memory, "run");
        assert_eq!(made, Some(memory.join("run")));
        assert!(memory.join("run").is_dir());
        // Taken already (a pid's folder a killed run left): not shared.
        assert_eq!(scratch_folder_in(false, &memory, "run"), None);
        assert_eq!(scratch_folder_in(true, &memory, "other"), None);
        assert!(!memory.join("other").exists(), "TMPDIR set: nothing made");
        let missing = memory.join("no-such-folder");
        assert_eq!(scratch_folder_in(false, &missing, "run"), None);
        let _ = std::fs::remove_dir_all(&memory);
    }

    #[test]
    fn a_target_name_drops_cargos_hash() {
        assert_eq!(
            target_name(Path::new("/t/deps/files-0123456789abcdef")),
            "files"
        );
        assert_eq!(
            target_name(Path::new("/t/deps/my-tests-0123456789abcdef")),
            "my-tests"
        );
        assert_eq!(target_name(Path::new("/tmp/rust_out")), "rust_out");
    }
}
