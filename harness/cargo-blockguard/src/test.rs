//! `cargo blockguard test`: the workspace's tests through the engine.

use crate::cli::TestArgs;
use crate::{config, fail, runtime};
use blockguard_runner::env::{self, Env, Preload, SnapshotHome};
use blockguard_runner::run_suite;
use std::path::PathBuf;

/// Where each package's snapshots go, inside the package.
pub const SNAPSHOTS_IN_PACKAGE: &str = "blockguard/snapshots";

/// Runs the command; its exit code.
pub fn run(args: &TestArgs) -> u8 {
    let workspace = match config::find(args.manifest_path.as_deref()) {
        Ok(w) => w,
        Err(e) => return fail(e),
    };
    let mut env = match Env::from_process(&workspace.root) {
        Ok(env) => env,
        Err(e) => return fail(e),
    };
    if std::env::var_os(env::PRELOAD).is_none() {
        env.preload = match runtime::unpacked() {
            Ok(library) => Preload::Prebuilt(library),
            Err(e) => return fail(format!("the guard runtime: {e}")),
        };
    }
    // This program is the target runner that guards and records doctests.
    env.doctest_runner = std::env::current_exe().ok();
    if std::env::var_os(env::SNAPSHOTS).is_none() {
        env.snapshots = SnapshotHome::InPackage(PathBuf::from(SNAPSHOTS_IN_PACKAGE));
    }
    run_suite::run_workspace(
        &workspace.here,
        workspace.config.as_deref(),
        &args.run,
        &env,
    )
}
