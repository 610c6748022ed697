//! The command: what is missing is installed, then the tests run.

use super::disk;
use super::tools::{Install, TOOLS, Tool};
use clap::Args;
use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::Command;

/// `cargo xtask test [--dry-run] [-- CARGO TEST ARGS]`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Say what is missing and how it would be installed, run nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Install what is missing, and run no test (what CI does before its
    /// lint steps).
    #[arg(long, conflicts_with = "dry_run")]
    pub install_only: bool,

    /// Arguments for `cargo test --workspace`, after `--` (a filter,
    /// `--test cli`, libtest's own after another `--`).
    #[arg(last = true)]
    pub cargo_test: Vec<OsString>,
}

/// Installs what is missing, then runs the tests; the exit code.
pub fn run(args: &TestArgs, root: &Path) -> u8 {
    say_free_space(root);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let missing: Vec<&Tool> = TOOLS.iter().filter(|t| !t.is_here(&path, root)).collect();
    let mut installs: Vec<Install> = Vec::new();
    for tool in &missing {
        eprintln!(
            "xtask test: {} is missing (for {})",
            tool.name, tool.for_what
        );
        if !installs.contains(&tool.install) {
            installs.push(tool.install);
        }
    }
    for mut command in installs.iter().flat_map(|i| commands_for(*i, root)) {
        eprintln!("xtask test: installing: {}", shown(&command));
        if args.dry_run {
            continue;
        }
        match command.status() {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!("error: `{}` failed ({status})", shown(&command));
                return 2;
            }
            Err(e) => {
                eprintln!("error: cannot run `{}`: {e}", shown(&command));
                return 2;
            }
        }
    }
    if args.install_only {
        return 0;
    }
    let mut tests = Command::new(cargo());
    tests
        .args(["test", "--workspace"])
        .args(&args.cargo_test)
        .current_dir(root);
    eprintln!("xtask test: running: {}", shown(&tests));
    if args.dry_run {
        return 0;
    }
    match tests.status() {
        Ok(status) => status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(1),
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            2
        }
    }
}

/// Says how much disk is free where the tests build, warning when it is
/// less than a full run writes. Only a warning: a run over an earlier build
/// writes much less.
fn say_free_space(root: &Path) {
    let place = crate::target_dir::target_dir(root);
    match disk::free_bytes(&place) {
        Ok(free) => eprintln!("xtask test: {}", disk::said(free, &place)),
        Err(e) => eprintln!(
            "xtask test: warning: cannot tell the free space at {}: {e}",
            place.display()
        ),
    }
}

/// The commands that install `install`, in order.
fn commands_for(install: Install, root: &Path) -> Vec<Command> {
    match install {
        Install::Cargo(name) => {
            let mut c = Command::new(cargo());
            c.args(["install", name, "--locked"]);
            vec![c]
        }
        Install::Apt(packages) => {
            // A fresh machine has no package lists yet.
            let update = apt_get(&["update", "-qq"]);
            let mut install = apt_get(&["install", "-y", "-q"]);
            install.args(packages);
            vec![update, install]
        }
        Install::Npm(folder) => {
            let mut c = Command::new("npm");
            c.args(["ci", "--silent", "--no-audit", "--no-fund", "--prefix"])
                .arg(root.join(folder));
            vec![c]
        }
    }
}

/// `apt-get ARGS`, through sudo where we are not root.
fn apt_get(args: &[&str]) -> Command {
    let as_root = rustix::process::geteuid().is_root();
    let mut c = Command::new(if as_root { "apt-get" } else { "sudo" });
    if !as_root {
        c.arg("apt-get");
    }
    c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    c
}

fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// A command as a shell would read it.
fn shown(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}
