//! What the command-line tests share: a fresh copy of a fixture workspace,
//! and `cargo blockguard` run in it.

#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A fresh copy of `fixtures/<name>` under `parent`, named `label`.
pub fn copy_fixture(name: &str, parent: &Path, label: &str) -> PathBuf {
    let to = parent.join(format!("{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&to);
    copy_dir(&root().join("fixtures").join(name), &to);
    to
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == "blockguard" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// The folder the tests write their copies and the runtime cache in.
pub fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cargo-blockguard");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `cargo-blockguard blockguard test ARGS` in `dir`, as cargo runs it.
pub fn blockguard_test(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-blockguard"))
        .args(["blockguard", "test"])
        .args(args)
        .current_dir(dir)
        .env("BLOCKGUARD_CACHE_DIR", scratch().join("cache"))
        .env_remove("BLOCKGUARD_PRELOAD")
        .env_remove("BLOCKGUARD_SNAPSHOTS")
        // New snapshots are written as `.snap.new` even where `CI` is set
        // (insta's default there writes none).
        .env("INSTA_UPDATE", "new")
        .output()
        .expect("run cargo-blockguard")
}

/// The JSON report `cargo blockguard test` wrote at `path`.
pub fn report(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// `package binary name outcome` of every entry, in report order.
pub fn entries(report: &Value) -> Vec<String> {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{} {} {} {}",
                t["package"].as_str().unwrap(),
                t["binary"].as_str().unwrap(),
                t["name"].as_str().unwrap(),
                t["outcome"].as_str().unwrap()
            )
        })
        .collect()
}

/// Both output streams, for assertion messages.
pub fn shown(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The target runner the book's guide sets: the words of its `runner = [...]`.
pub fn guide_runner() -> Vec<String> {
    let guide = root().join("docs/src/guide/cargo-blockguard.md");
    let text = std::fs::read_to_string(&guide).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("runner = ["))
        .unwrap_or_else(|| panic!("{} sets no runner", guide.display()));
    let words = line.trim_start_matches("runner = [").trim_end_matches(']');
    words
        .split(',')
        .map(|w| w.trim().trim_matches('"').to_owned())
        .collect()
}

/// A copy of `fixtures/<fixture>` whose target runner is `cargo-blockguard
/// blockguard exec [runner_args] --`, set as the book's
/// `docs/src/guide/cargo-blockguard.md` says, and a PATH on which
/// `cargo-blockguard` is this build's.
pub fn with_runner(
    fixture: &str,
    label: &str,
    runner_args: &[&str],
) -> (PathBuf, std::ffi::OsString) {
    let dir = copy_fixture(fixture, &scratch(), label);
    std::fs::create_dir_all(dir.join(".cargo")).unwrap();
    let mut runner = guide_runner();
    let last = runner.pop();
    assert_eq!(
        last.as_deref(),
        Some("--"),
        "the guide's runner ends with --"
    );
    runner.extend(runner_args.iter().map(|a| a.to_string()));
    runner.push("--".to_owned());
    let runner: Vec<String> = runner.iter().map(|a| format!("{a:?}")).collect();
    std::fs::write(
        dir.join(".cargo/config.toml"),
        format!(
            "[target.x86_64-unknown-linux-gnu]\nrunner = [{}]\n",
            runner.join(", ")
        ),
    )
    .unwrap();
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_cargo-blockguard"),
        bin.join("cargo-blockguard"),
    )
    .unwrap();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    (dir, path)
}

/// `cargo ARGS` in `dir` with `path` as PATH (see [`with_runner`]).
pub fn cargo_with_runner(dir: &Path, path: &std::ffi::OsStr, args: &[&str]) -> Output {
    cargo_command(dir, path, args)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("cargo")
}

/// The same, building into `target` (shared by copies of one fixture).
pub fn cargo_with_runner_into(
    dir: &Path,
    path: &std::ffi::OsStr,
    target: &Path,
    args: &[&str],
) -> Output {
    cargo_command(dir, path, args)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo")
}

fn cargo_command(dir: &Path, path: &std::ffi::OsStr, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env("BLOCKGUARD_CACHE_DIR", scratch().join("cache"))
        .env_remove("BLOCKGUARD_PRELOAD")
        .env_remove("RUSTFLAGS");
    command
}

/// stdout, then stderr.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
