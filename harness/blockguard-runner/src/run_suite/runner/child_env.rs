//! The environment of a guarded test process, assembled in one place: what
//! cargo would set for the test, what the guard runtime reads, and what
//! the test must not inherit from the runner.

use crate::run_suite::build::TestBinary;
use blockguard_protocol::{GuardScope, Mode, env as protocol, under_test};
use std::ffi::OsString;
use std::path::Path;

/// Variables a child must not inherit from us: the runtime's (set anew per
/// test) and those `cargo run` set for xtask itself.
const INHERITED: &[&str] = &[
    "LD_PRELOAD",
    protocol::MODE,
    protocol::GUARD,
    protocol::TRACE,
    protocol::RULES,
    protocol::TEST,
    protocol::TESTS,
    protocol::BINARY,
    protocol::HARNESS,
    protocol::FARM_WORKERS,
    protocol::SYMBOLS,
    protocol::UNDER_TEST,
    "BLOCKGUARD_PRELOAD",
    "BLOCKGUARD_SNAPSHOTS",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_BIN_NAME",
    "CARGO_CRATE_NAME",
    "CARGO_PKG_AUTHORS",
    "CARGO_PKG_DESCRIPTION",
    "CARGO_PKG_HOMEPAGE",
    "CARGO_PKG_LICENSE",
    "CARGO_PKG_LICENSE_FILE",
    "CARGO_PKG_README",
    "CARGO_PKG_REPOSITORY",
    "CARGO_PKG_RUST_VERSION",
    "CARGO_PKG_VERSION_MAJOR",
    "CARGO_PKG_VERSION_MINOR",
    "CARGO_PKG_VERSION_PATCH",
    "CARGO_PKG_VERSION_PRE",
];

/// What the guard runtime is told, when the test runs guarded.
pub struct Guard<'a> {
    /// The mode.
    pub mode: Mode,
    /// Which contexts are guarded.
    pub scope: GuardScope,
    /// The test's trace file.
    pub trace: &'a Path,
    /// The rules file in force.
    pub rules: Option<&'a Path>,
    /// Farm mode's worker count.
    pub farm_workers: Option<u16>,
    /// Where the run's processes share resolved names.
    pub symbols: Option<&'a Path>,
}

/// The variables to set for one test of `binary` (with `guard` when it
/// runs guarded), and those to remove: [`INHERITED`] and `also_remove`.
/// `LD_PRELOAD` is left to the caller: with the launcher it is not set
/// here (the launcher sets it for the test alone).
pub fn assemble(
    binary: &TestBinary,
    test: &str,
    guard: Option<Guard>,
    also_remove: &[&'static str],
) -> (Vec<(OsString, OsString)>, Vec<&'static str>) {
    let mut env: Vec<(OsString, OsString)> = vec![
        (
            "CARGO_MANIFEST_DIR".into(),
            binary.package_dir.clone().into(),
        ),
        ("CARGO_PKG_NAME".into(), binary.package.0.clone().into()),
        ("CARGO_PKG_VERSION".into(), binary.package.1.clone().into()),
        // A panic's backtrace is written by the test thread, and those
        // writes would enter its snapshot: pinned, so every machine
        // records the same calls.
        ("RUST_BACKTRACE".into(), "0".into()),
        ("RUST_LIB_BACKTRACE".into(), "0".into()),
    ];
    env.extend(binary.env.iter().map(|(k, v)| (k.into(), v.into())));
    if let Some(guard) = guard {
        env.extend(guard_vars(&guard, binary));
        env.push((protocol::TEST.into(), test.into()));
        if !binary.libtest {
            env.push((protocol::HARNESS.into(), "none".into()));
        }
    }
    let mut remove = INHERITED.to_vec();
    remove.extend(also_remove);
    (env, remove)
}

/// The variables to set, and those to remove, for `binary` run as a whole
/// (plain `cargo test` through the target runner), guarded, with `tests`
/// the file naming the tests it will run. cargo has set the package's own
/// variables, and the caller's `RUST_BACKTRACE` is theirs: no snapshot
/// is taken here.
pub fn assemble_whole(
    binary: &TestBinary,
    tests: &Path,
    guard: Guard,
    preload: &Path,
) -> (Vec<(OsString, OsString)>, Vec<&'static str>) {
    let mut env: Vec<(OsString, OsString)> = vec![
        ("LD_PRELOAD".into(), preload.into()),
        (protocol::TESTS.into(), tests.into()),
    ];
    env.extend(guard_vars(&guard, binary));
    let set: Vec<&str> = env.iter().filter_map(|(k, _)| k.to_str()).collect();
    let remove = INHERITED
        .iter()
        .copied()
        .filter(|k| k.starts_with("BLOCKGUARD_") && !set.contains(k))
        .collect();
    (env, remove)
}

/// What the guard runtime is told in either case.
fn guard_vars(guard: &Guard, binary: &TestBinary) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = vec![
        (protocol::MODE.into(), guard.mode.as_str().into()),
        (protocol::GUARD.into(), guard.scope.as_str().into()),
        (protocol::TRACE.into(), guard.trace.into()),
        (protocol::BINARY.into(), binary.name.clone().into()),
    ];
    if let Some(rules) = guard.rules {
        env.push((protocol::RULES.into(), rules.into()));
    }
    if let Some(symbols) = guard.symbols {
        env.push((protocol::SYMBOLS.into(), symbols.into()));
    }
    if let Some(n) = guard.farm_workers {
        env.push((protocol::FARM_WORKERS.into(), n.to_string().into()));
    }
    let tested = under_test::encode(&binary.under_test);
    if !tested.is_empty() {
        env.push((protocol::UNDER_TEST.into(), tested.into()));
    }
    env
}
