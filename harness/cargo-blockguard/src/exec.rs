//! `cargo blockguard exec -- BINARY ARGS…`: the target runner, and the
//! shim a merged doctest harness runs per doctest.

use crate::cli::ExecArgs;
use crate::exec_error::ExecError;
use crate::{config, fail, runtime};
use blockguard_protocol::Mode;
use blockguard_runner::env::{self, Env, Preload};
use blockguard_runner::target_runner::{self, ExecRequest};
use std::path::{Path, PathBuf};

/// Runs the command; its exit code.
pub fn run(args: &ExecArgs) -> u8 {
    let [exe, rest @ ..] = args.command.as_slice() else {
        return fail("exec: no program to run");
    };
    let how = How {
        mode: args.mode,
        rules: args.rules.clone(),
        record: args.record.clone(),
    };
    match request(PathBuf::from(exe), rest.to_vec(), how) {
        Ok((request, env)) => target_runner::exec(&request, &env),
        Err(e) => fail(e),
    }
}

/// When this process is a merged doctest harness's per-doctest program,
/// runs that doctest under the guards and returns the exit code.
pub fn doctest_shim() -> Option<u8> {
    let number = std::env::var(target_runner::DOCTEST_NUMBER).ok()?;
    let program = std::env::var_os(target_runner::DOCTEST_SHIM)?;
    let how = How {
        mode: std::env::var(target_runner::DOCTEST_SHIM_MODE)
            .ok()
            .and_then(|m| m.parse::<Mode>().ok()),
        rules: std::env::var_os(target_runner::DOCTEST_SHIM_RULES).map(PathBuf::from),
        record: std::env::var_os(target_runner::DOCTEST_SHIM_RECORD).map(PathBuf::from),
    };
    Some(match request(PathBuf::from(program), Vec::new(), how) {
        Ok((request, env)) => target_runner::doctest(&request, &number, &env),
        Err(e) => fail(e),
    })
}

/// What the runner was told beyond the program.
struct How {
    mode: Option<Mode>,
    rules: Option<PathBuf>,
    record: Option<PathBuf>,
}

fn request(exe: PathBuf, args: Vec<String>, how: How) -> Result<(ExecRequest, Env), ExecError> {
    let package_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .ok_or(ExecError::NoPackageFolder)?;
    let found = match how.rules {
        Some(path) => Some(path),
        None => config::find_upwards(&package_dir)?,
    };
    let config = match found {
        Some(path) => Some((path.clone(), blockguard_rules::load(&path)?)),
        None => None,
    };
    let root = config
        .as_ref()
        .and_then(|(p, _)| workspace_of(p))
        .unwrap_or_else(|| package_dir.clone());
    let mut env = Env::from_process(&root)?;
    if std::env::var_os(env::PRELOAD).is_none() {
        env.preload = Preload::Prebuilt(runtime::unpacked()?);
    }
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let request = ExecRequest {
        exe,
        args,
        package_dir,
        package: (var("CARGO_PKG_NAME"), var("CARGO_PKG_VERSION")),
        config,
        mode: how.mode,
        record: how.record,
        shim: std::env::current_exe().map_err(ExecError::CurrentExe)?,
    };
    Ok((request, env))
}

/// The workspace root a configuration file belongs to.
fn workspace_of(config: &Path) -> Option<PathBuf> {
    let dir = config.parent()?;
    Some(if dir.ends_with(".config") {
        dir.parent()?.to_path_buf()
    } else {
        dir.to_path_buf()
    })
}
