//! The guard runtime and the launcher tests run under: built from this
//! workspace (release, the workspace's own target directory) while the
//! suite resolves and builds, unless the environment names a prebuilt runtime (the launcher
//! beside it is used) or none (the launcher is still built: unguarded tests
//! are contained all the same).

use crate::env::{Env, Preload};
use crate::run_suite::console::Console;
use cargo_metadata::{Message, TargetKind};
use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The guard runtime could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PreloadError {
    /// cargo did not start.
    #[error("cannot run cargo to build the guard runtime: {0}")]
    Spawn(std::io::Error),
    /// The build failed.
    #[error("the guard runtime (blockguard-preload) did not build:\n{0}")]
    Failed(String),
    /// The build succeeded but named no library.
    #[error("cargo built blockguard-preload but reported no cdylib")]
    NoLibrary,
    /// The build succeeded but named no launcher.
    #[error("cargo built blockguard-preload but reported no {LAUNCHER} executable")]
    NoLauncher,
    /// The thread building it panicked.
    #[error("the guard runtime's build stopped unexpectedly")]
    Panicked,
}

/// The launcher's binary name.
const LAUNCHER: &str = "blockguard-contain";

/// What the tests run with.
#[derive(Debug, Clone, Default)]
pub struct Runtime {
    /// The library to preload; `None` when tests run unguarded.
    pub library: Option<PathBuf>,
    /// `blockguard-contain`.
    pub launcher: Option<PathBuf>,
}

/// The library to preload (or none) and the launcher.
pub fn guard_runtime(env: &Env, console: &Console) -> Result<Runtime, PreloadError> {
    match &env.preload {
        Preload::Disabled => {
            console.warn("BLOCKGUARD_PRELOAD=none: tests run without the guard runtime");
            let built = build(env, console, "the test launcher", &["--bin", LAUNCHER])?;
            Ok(Runtime {
                library: None,
                launcher: Some(built.launcher.ok_or(PreloadError::NoLauncher)?),
            })
        }
        Preload::Prebuilt(path) => {
            let beside = path.with_file_name(LAUNCHER);
            let launcher = if beside.is_file() {
                beside
            } else {
                let built = build(env, console, "the test launcher", &["--bin", LAUNCHER])?;
                built.launcher.ok_or(PreloadError::NoLauncher)?
            };
            Ok(Runtime {
                library: Some(path.clone()),
                launcher: Some(launcher),
            })
        }
        Preload::Build => {
            let built = build(env, console, "the guard runtime", &[])?;
            Ok(Runtime {
                library: Some(built.library.ok_or(PreloadError::NoLibrary)?),
                launcher: Some(built.launcher.ok_or(PreloadError::NoLauncher)?),
            })
        }
    }
}

/// The guard runtime's build on a thread of its own, so that it overlaps
/// the suite's resolution and build (a no-op cargo build of the runtime
/// costs about 100 ms here, the whole of a quick suite's build).
pub struct RuntimeBuild {
    pending: Option<std::thread::JoinHandle<Result<Runtime, PreloadError>>>,
    done: Option<Runtime>,
}

impl RuntimeBuild {
    /// Starts [`guard_runtime`] in the background.
    pub fn start(env: &Env, console: &std::sync::Arc<Console>) -> RuntimeBuild {
        let (env, console) = (env.clone(), std::sync::Arc::clone(console));
        RuntimeBuild {
            pending: Some(std::thread::spawn(move || guard_runtime(&env, &console))),
            done: None,
        }
    }

    /// No runtime at all (listing runs nothing).
    pub fn none() -> RuntimeBuild {
        RuntimeBuild {
            pending: None,
            done: Some(Runtime::default()),
        }
    }

    /// The runtime, once built.
    pub fn get(&mut self) -> Result<&Runtime, PreloadError> {
        if let Some(pending) = self.pending.take() {
            let built = pending.join().unwrap_or(Err(PreloadError::Panicked))?;
            self.done = Some(built);
        }
        Ok(self.done.get_or_insert_with(Runtime::default))
    }
}

impl Drop for RuntimeBuild {
    fn drop(&mut self) {
        // A run that stopped early still waits for its cargo to finish.
        if let Some(pending) = self.pending.take() {
            let _ = pending.join();
        }
    }
}

/// What one build reported.
#[derive(Default)]
struct Built {
    library: Option<PathBuf>,
    launcher: Option<PathBuf>,
}

fn build(env: &Env, console: &Console, what: &str, only: &[&str]) -> Result<Built, PreloadError> {
    let phase = console.phase(format!("building {what}"));
    let mut child = Command::new(&env.cargo)
        .args(["build", "--release", "-p", "blockguard-preload"])
        .args(only)
        .arg("--message-format=json-render-diagnostics")
        .current_dir(&env.root)
        // The runtime belongs in the workspace's own target directory, not
        // in one the caller set for something else.
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(PreloadError::Spawn)?;
    let mut stderr = child.stderr.take().expect("piped");
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut built = Built::default();
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    for message in Message::parse_stream(stdout).flatten() {
        let Message::CompilerArtifact(a) = message else {
            continue;
        };
        if a.target.kind.contains(&TargetKind::CDyLib) {
            built.library = a
                .filenames
                .iter()
                .find(|f| f.extension() == Some("so"))
                .map(|f| f.clone().into_std_path_buf());
        } else if a.target.name == LAUNCHER {
            built.launcher = a.executable.map(|e| e.into_std_path_buf());
        }
    }
    let status = child.wait().map_err(PreloadError::Spawn)?;
    let stderr = stderr.join().unwrap_or_default();
    phase.finish();
    if !status.success() {
        return Err(PreloadError::Failed(stderr.trim_end().to_owned()));
    }
    Ok(built)
}
