//! The environment protocol, parsed once at load and strictly.

use crate::config_error::ConfigError;
use crate::under_test::UnderTest;
use blockguard_protocol::{GuardScope, Mode, env};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Farm mode's worker threads when `BLOCKGUARD_FARM_WORKERS` is unset.
pub const DEFAULT_FARM_WORKERS: usize = 16;

/// What the runner asked for.
pub struct Config {
    /// What the guards do with a denied call.
    pub mode: Mode,
    /// Which contexts are guarded.
    pub guard: GuardScope,
    /// Where the trace goes, if anywhere.
    pub trace: Option<PathBuf>,
    /// A rules file whose `[[allow]]` entries apply.
    pub rules: Option<PathBuf>,
    /// The libtest name of the test this process runs.
    pub test: Option<String>,
    /// A whole libtest binary runs in this process: its tests, in the
    /// order libtest starts their threads (see [`crate::test_name`]).
    pub tests: Option<Vec<String>>,
    /// The cargo target name of the test binary.
    pub binary: Option<String>,
    /// The binary has no libtest harness: `main` is the test.
    pub main_is_test: bool,
    /// Farm mode's worker threads.
    pub farm_workers: usize,
    /// Where this run's processes share resolved names.
    pub symbols: Option<PathBuf>,
    /// The code under test.
    pub under_test: UnderTest,
    /// This program is one of the code under test's own (its file name,
    /// less cargo's hash, is a crate under test), not a tool such as cargo.
    pub runs_code_under_test: bool,
}

static CONFIG: OnceLock<Config> = OnceLock::new();

/// The configuration; before load completes, an inert one.
pub fn get() -> Option<&'static Config> {
    CONFIG.get()
}

/// Reads the environment. An invalid value is an error naming the variable.
pub fn from_env() -> Result<Config, ConfigError> {
    let var = |name: &'static str| -> Result<Option<String>, ConfigError> {
        match std::env::var_os(name) {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(None),
            Some(v) => v
                .into_string()
                .map(Some)
                .map_err(|_| ConfigError::NotUtf8 { name }),
        }
    };
    let mode = match var(env::MODE)? {
        None => Mode::default(),
        Some(m) => m.parse().map_err(ConfigError::Mode)?,
    };
    let guard = match var(env::GUARD)? {
        None => GuardScope::default(),
        Some(g) => g.parse().map_err(ConfigError::Guard)?,
    };
    let main_is_test = match var(env::HARNESS)?.as_deref() {
        None | Some("libtest") => false,
        Some("none") => true,
        Some(other) => return Err(ConfigError::Harness(other.to_owned())),
    };
    let farm_workers = match var(env::FARM_WORKERS)? {
        None => DEFAULT_FARM_WORKERS,
        Some(n) => match n.parse::<usize>() {
            Ok(n) if (1..=1024).contains(&n) => n,
            _ => return Err(ConfigError::FarmWorkers(n)),
        },
    };
    let tests = match var(env::TESTS)? {
        None => None,
        Some(path) => Some(
            std::fs::read_to_string(&path)
                .map_err(|source| ConfigError::Tests {
                    path: path.clone(),
                    source,
                })?
                .lines()
                .map(str::to_owned)
                .collect(),
        ),
    };
    let test = var(env::TEST)?;
    if test.is_some() && tests.is_some() {
        return Err(ConfigError::TestAndTests);
    }
    let exe = std::env::current_exe().ok();
    let under_test = UnderTest::from_env(var(env::UNDER_TEST)?.as_deref(), exe.as_deref())
        .map_err(ConfigError::UnderTest)?;
    let runs_code_under_test = exe.as_deref().is_some_and(|e| under_test.owns_program(e));
    Ok(Config {
        mode,
        guard,
        under_test,
        runs_code_under_test,
        test,
        tests,
        main_is_test,
        farm_workers,
        trace: var(env::TRACE)?.map(PathBuf::from),
        rules: var(env::RULES)?.map(PathBuf::from),
        symbols: var(env::SYMBOLS)?.map(PathBuf::from),
        binary: var(env::BINARY)?,
    })
}

/// Installs the configuration for the rest of the process.
pub fn install(config: Config) -> &'static Config {
    CONFIG.get_or_init(|| config)
}
