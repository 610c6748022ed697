//! What a sandboxed suite's processes see and may write, step by step.
//! Besides the host read-only and the homes hidden (`host_view`), each
//! step shows the repository read-only and protects its `target/` folder
//! (read-only again, even where a package folder around it is writable),
//! so that nothing a later run outside the sandbox builds or runs can be
//! changed from inside. Writable: the suite's own folders only.

use super::layout::Layout;
use super::preload::Runtime;
use crate::sandbox::host_view;
use blockguard_protocol::sandbox::SandboxPaths;
use std::path::{Path, PathBuf};

/// The paths of every step: the host view, and the repository and its
/// `target/` read-only.
fn base(layout: &Layout) -> SandboxPaths {
    let mut paths = host_view::paths();
    paths
        .readable
        .extend([layout.root().to_path_buf(), layout.target()]);
    paths
}

/// The writable folders made (only paths that exist are shown), then
/// every path with its links resolved, as the sandbox mounts it.
fn finish(mut paths: SandboxPaths) -> SandboxPaths {
    for dir in &paths.writable {
        let _ = std::fs::create_dir_all(dir);
    }
    let real = |list: &mut Vec<PathBuf>| {
        for path in list.iter_mut() {
            if let Some(real) = host_view::real_path(path) {
                *path = real;
            }
        }
    };
    real(&mut paths.readable);
    real(&mut paths.writable);
    paths
}

/// The build: it writes the suite's build folder and its packages
/// (`Cargo.lock`, a build script's output in the source).
pub fn build(layout: &Layout, packages: &[&Path]) -> SandboxPaths {
    let mut paths = base(layout);
    paths.writable.push(layout.build());
    paths
        .writable
        .extend(packages.iter().map(|p| p.to_path_buf()));
    finish(paths)
}

/// The tests: the build folder is read-only now but for its `tmp/`
/// (`CARGO_TARGET_TMPDIR`); they write their traces, the suite's names and
/// their packages. The guard runtime and the launcher are shown read-only
/// wherever they are.
pub fn tests(
    layout: &Layout,
    runtime: &Runtime,
    traces: &Path,
    packages: impl Iterator<Item = PathBuf>,
) -> SandboxPaths {
    finish(tests_unfinished(layout, runtime, traces, packages))
}

fn tests_unfinished(
    layout: &Layout,
    runtime: &Runtime,
    traces: &Path,
    packages: impl Iterator<Item = PathBuf>,
) -> SandboxPaths {
    let mut paths = base(layout);
    paths.readable.push(layout.build());
    paths.readable.extend(runtime_folders(runtime));
    paths.readable.push(layout.inputs());
    paths.writable.extend([
        layout.build().join("tmp"),
        traces.to_path_buf(),
        layout.symbols(),
    ]);
    paths.writable.extend(packages);
    paths
}

/// The doctests, built and run by `cargo test --doc` with `runner` as the
/// target runner: the build's folders and the tests' together.
pub fn doctests(
    layout: &Layout,
    runtime: &Runtime,
    traces: &Path,
    package: &Path,
    runner: &Path,
) -> SandboxPaths {
    let packages = std::iter::once(package.to_path_buf());
    let mut paths = tests_unfinished(layout, runtime, traces, packages);
    paths.readable.retain(|p| *p != layout.build());
    paths.writable.push(layout.build());
    paths
        .readable
        .extend(runner.parent().map(Path::to_path_buf));
    finish(paths)
}

/// The folders of the guard runtime and the launcher.
fn runtime_folders(runtime: &Runtime) -> impl Iterator<Item = PathBuf> + '_ {
    runtime
        .library
        .iter()
        .chain(&runtime.launcher)
        .filter_map(|l| Some(l.parent()?.to_path_buf()))
}
