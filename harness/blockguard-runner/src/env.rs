//! Every environment variable xtask reads, parsed once, strictly.
//!
//! | variable | effect |
//! |----------|--------|
//! | `CARGO` | the cargo to run (set by `cargo run`; default `cargo`) |
//! | `RUSTC` | the rustc whose version the report names (default `rustc`) |
//! | `BLOCKGUARD_PRELOAD` | the guard runtime to preload: a path to a built `.so`, or `none` to run tests unguarded (for testing the runner itself); unset: build it from this workspace |
//! | `BLOCKGUARD_SNAPSHOTS` | the folder that holds one snapshot folder per suite (default `<repo>/snapshots`) |
//! | `BLOCKGUARD_PARENT` | set by xtask for a `run-suite` it starts (nightly, stability, suites-table): the parent's pid; the child then ends (SIGTERM, so its tests are stopped too) when the parent dies |
//! | `GITHUB_ACTIONS`, `GITHUB_WORKSPACE` | set by GitHub Actions: when `GITHUB_ACTIONS` is `true`, run-suite prints each denied call as a workflow command (an annotation), its path relative to `GITHUB_WORKSPACE` |
//! | `INSTA_UPDATE`, `INSTA_FORCE_PASS`, `INSTA_OUTPUT`, `CI` | read by insta itself, with insta's meaning; `.cargo/config.toml` defaults `INSTA_OUTPUT` to `none` because run-suite prints its own snapshot diffs, and test processes never inherit `INSTA_OUTPUT` |

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

/// Which guard runtime the tests get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preload {
    /// Build `blockguard-preload` from this workspace (the default).
    Build,
    /// Use this already built library.
    Prebuilt(PathBuf),
    /// Run without the guard runtime: no trace, no snapshots.
    Disabled,
}

/// Where snapshot folders live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotHome {
    /// One folder per suite under this one (`snapshots/<suite>/`).
    Shared(PathBuf),
    /// This folder, relative to each package's own (`cargo blockguard`):
    /// inside a package, where `cargo insta review` looks.
    InPackage(PathBuf),
}

/// The parsed environment.
#[derive(Debug, Clone)]
pub struct Env {
    /// The repository root (the workspace this xtask belongs to).
    pub root: PathBuf,
    /// The cargo executable.
    pub cargo: PathBuf,
    /// The rustc executable.
    pub rustc: PathBuf,
    /// The guard runtime to preload.
    pub preload: Preload,
    /// Where snapshot folders live.
    pub snapshots: SnapshotHome,
    /// The xtask that started this one, if one did.
    pub parent: Option<u32>,
    /// The target runner that records guarded doctests (`cargo blockguard`
    /// itself); with none, doctests are not run.
    pub doctest_runner: Option<PathBuf>,
    /// Under GitHub Actions (`GITHUB_ACTIONS=true`): its workspace
    /// (`GITHUB_WORKSPACE`), which annotations' paths are relative to.
    pub github: Option<GithubActions>,
}

/// What GitHub Actions says of the job a run is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubActions {
    /// `GITHUB_WORKSPACE`, absolute; `None` when unset.
    pub workspace: Option<PathBuf>,
}

impl GithubActions {
    /// `Some` when `actions` (`GITHUB_ACTIONS`) is `true`.
    pub fn of(
        actions: Option<&std::ffi::OsStr>,
        workspace: Option<&std::ffi::OsStr>,
    ) -> Option<GithubActions> {
        (actions? == "true").then(|| GithubActions {
            workspace: workspace
                .filter(|w| !w.is_empty())
                .map(|w| std::path::absolute(w).unwrap_or_else(|_| w.into())),
        })
    }
}

/// A variable is set to something xtask cannot use.
#[derive(Debug)]
pub struct EnvError {
    var: &'static str,
    value: OsString,
    why: &'static str,
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={:?}: {}", self.var, self.value, self.why)
    }
}

impl std::error::Error for EnvError {}

/// The variable that names the guard runtime.
pub const PRELOAD: &str = "BLOCKGUARD_PRELOAD";
/// The variable that names the snapshots folder.
pub const SNAPSHOTS: &str = "BLOCKGUARD_SNAPSHOTS";
/// The variable a parent xtask sets for the run-suite children it starts.
pub const PARENT: &str = "BLOCKGUARD_PARENT";

impl Env {
    /// Reads the process environment, for the repository (or workspace)
    /// at `root`.
    pub fn from_process(root: &Path) -> Result<Env, EnvError> {
        let root = root.to_path_buf();
        let preload = match std::env::var_os(PRELOAD) {
            None => Preload::Build,
            Some(v) if v == "none" => Preload::Disabled,
            Some(v) if v.is_empty() => return Err(empty(PRELOAD, v)),
            Some(v) => {
                let path = PathBuf::from(&v);
                if !path.is_file() {
                    return Err(EnvError {
                        var: PRELOAD,
                        value: v,
                        why: "not a file (give a built libblockguard_preload.so, or `none`)",
                    });
                }
                Preload::Prebuilt(std::path::absolute(path).unwrap_or_else(|_| v.into()))
            }
        };
        let snapshots = SnapshotHome::Shared(match std::env::var_os(SNAPSHOTS) {
            None => root.join("snapshots"),
            Some(v) if v.is_empty() => return Err(empty(SNAPSHOTS, v)),
            Some(v) => std::path::absolute(&v).unwrap_or_else(|_| v.into()),
        });
        let parent = match std::env::var_os(PARENT) {
            None => None,
            Some(v) => Some(v.to_str().and_then(|p| p.parse().ok()).ok_or(EnvError {
                var: PARENT,
                value: v,
                why: "is not a pid",
            })?),
        };
        Ok(Env {
            parent,
            doctest_runner: None,
            github: GithubActions::of(
                std::env::var_os("GITHUB_ACTIONS").as_deref(),
                std::env::var_os("GITHUB_WORKSPACE").as_deref(),
            ),
            root,
            cargo: tool("CARGO", "cargo"),
            rustc: tool("RUSTC", "rustc"),
            preload,
            snapshots,
        })
    }

    /// Variables meant for xtask's own insta, which test processes must
    /// not inherit.
    pub fn child_env_remove(&self) -> Vec<&'static str> {
        vec!["INSTA_OUTPUT", PARENT]
    }

    /// Ends this process (SIGTERM) when the xtask that started it dies;
    /// if that one is gone already, at once.
    pub fn die_with_parent(&self) {
        use rustix::process::{Signal, getppid, set_parent_process_death_signal};
        let Some(parent) = self.parent else {
            return;
        };
        let _ = set_parent_process_death_signal(Some(Signal::TERM));
        if getppid().map(|p| p.as_raw_nonzero().get() as u32) != Some(parent) {
            std::process::exit(i32::from(crate::schema::exit::interrupted(libc::SIGTERM)));
        }
    }
}

fn tool(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(default), PathBuf::from)
}

fn empty(var: &'static str, value: OsString) -> EnvError {
    EnvError {
        var,
        value,
        why: "is empty; unset it instead",
    }
}
