//! Builds `cargo-blockguard` in release and packs it where cargo-binstall
//! looks: `<out>/<archive>` with the binary at the manifest's `bin-dir`,
//! and `<archive>.sha256` beside it.

use super::binstall::{self, Layout};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `cargo xtask dist`.
#[derive(Debug, clap::Args)]
pub struct DistArgs {
    /// The target to pack for: the host's (the guard runtime inside is
    /// built for the machine that builds it).
    #[arg(long, default_value = "x86_64-unknown-linux-gnu")]
    pub target: String,
    /// Where the archive and its checksum are written.
    #[arg(long, default_value = "target/dist")]
    pub out: PathBuf,
    /// The release's tag; it must be `v` and the crate's version, the tag
    /// binstall's URL names.
    #[arg(long)]
    pub tag: Option<String>,
    /// Pack this binary rather than building one.
    #[arg(long)]
    pub binary: Option<PathBuf>,
}

/// Runs the command; its exit code.
pub fn run(args: &DistArgs, root: &Path) -> u8 {
    match dist(args, root) {
        Ok(archive) => {
            println!("{}", archive.display());
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

fn dist(args: &DistArgs, root: &Path) -> Result<PathBuf, String> {
    let package = binstall::read(root)?;
    if let Some(tag) = &args.tag
        && *tag != format!("v{}", package.version)
    {
        return Err(format!(
            "tag {tag} is not v{}: binstall would ask for v{} and find nothing",
            package.version, package.version
        ));
    }
    let layout = package.layout(&args.target)?;
    let binary = match &args.binary {
        Some(path) => path.clone(),
        None => build(root, &args.target)?,
    };
    let out = root.join(&args.out);
    pack(&binary, &out, &layout)
}

/// A release build for the host, checked to be `target`.
fn build(root: &Path, target: &str) -> Result<PathBuf, String> {
    let host = host_triple()?;
    if host != target {
        return Err(format!(
            "cannot pack for {target} on {host}: the guard runtime is built for the host"
        ));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--release", "--locked", "-p", binstall::CRATE])
        // What `cargo install` from the registry gives: no debug info.
        .args(["--config", "profile.release.debug=false"])
        .args(["--config", "profile.release.strip=\"debuginfo\""])
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of {} failed", binstall::CRATE));
    }
    Ok(crate::target_dir::target_dir(root)
        .join("release")
        .join(binstall::CRATE))
}

fn host_triple() -> Result<String, String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("rustc -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .ok_or_else(|| "rustc -vV names no host".to_owned())
}

/// Lays the binary out as `bin-dir` says, packs it and writes its checksum.
fn pack(binary: &Path, out: &Path, layout: &Layout) -> Result<PathBuf, String> {
    let stage = out.join(".stage");
    let _ = std::fs::remove_dir_all(&stage);
    let inside = stage.join(&layout.bin_path);
    let io = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
    std::fs::create_dir_all(inside.parent().unwrap_or(&stage)).map_err(|e| io(&stage, e))?;
    std::fs::copy(binary, &inside).map_err(|e| io(binary, e))?;
    let top = layout
        .bin_path
        .split('/')
        .next()
        .unwrap_or(&layout.bin_path);
    let archive = out.join(&layout.archive);
    run_tool(
        Command::new("tar")
            .args(["--owner=0", "--group=0", "--numeric-owner", "-czf"])
            .arg(&archive)
            .arg("-C")
            .arg(&stage)
            .arg(top),
    )?;
    let sum = run_tool(
        Command::new("sha256sum")
            .arg(&layout.archive)
            .current_dir(out),
    )?;
    let sum_file = out.join(format!("{}.sha256", layout.archive));
    std::fs::write(&sum_file, sum).map_err(|e| io(&sum_file, e))?;
    std::fs::remove_dir_all(&stage).map_err(|e| io(&stage, e))?;
    Ok(archive)
}

fn run_tool(cmd: &mut Command) -> Result<Vec<u8>, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{cmd:?}: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(out.stdout)
}
