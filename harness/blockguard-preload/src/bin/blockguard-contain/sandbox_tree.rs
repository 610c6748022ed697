//! The sandbox's file tree, built in its new mount namespace and made the
//! root: the host read-only, a fresh `/dev` and `/sys` (whose network
//! folders show only our loopback), a small read-only `/tmp` that each
//! test replaces with its own, and the paths of a [`SandboxPaths`] on top.
//!
//! The new tree is staged on a tmpfs at `/tmp`, with the host's root moved
//! to `/old` by a first `pivot_root`, so every host path stays reachable
//! (even one under the host's `/tmp`) until the second `pivot_root` drops
//! the host's root for good.

use crate::sandbox_error::SandboxError;
use crate::sys_mount::{self, bind, mount, read_only_tree};
use blockguard_protocol::sandbox::{Access, SandboxPaths};
use std::path::{Path, PathBuf};

/// Where the new root is staged, in our own mount namespace.
const STAGE: &str = "/tmp";

/// The device nodes shown in `/dev`, bound from the host's.
const DEVICES: [&str; 6] = ["null", "zero", "full", "random", "urandom", "tty"];

/// The links of `/dev`.
const DEV_LINKS: [(&str, &str); 5] = [
    ("fd", "/proc/self/fd"),
    ("stdin", "/proc/self/fd/0"),
    ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"),
    ("ptmx", "pts/ptmx"),
];

/// A host path as seen while staging.
fn host(path: &Path) -> PathBuf {
    Path::new("/old").join(path.strip_prefix("/").unwrap_or(path))
}

/// A path of the new root as seen while staging.
fn new(path: &Path) -> PathBuf {
    Path::new("/new").join(path.strip_prefix("/").unwrap_or(path))
}

fn step<T>(what: impl FnOnce() -> String, result: std::io::Result<T>) -> Result<T, SandboxError> {
    result.map_err(|e| SandboxError::step(what(), e))
}

fn tmpfs(target: &Path, options: &str) -> Result<(), SandboxError> {
    step(
        || format!("a tmpfs at {}", target.display()),
        mount(
            Some(Path::new("tmpfs")),
            target,
            Some("tmpfs"),
            libc::MS_NOSUID | libc::MS_NODEV,
            Some(options),
        ),
    )
}

/// Makes the mount at `target` read-only, keeping its other flags.
fn remount_read_only(target: &Path) -> Result<(), SandboxError> {
    step(
        || format!("making {} read-only", target.display()),
        mount(
            None,
            target,
            None,
            libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV,
            None,
        ),
    )
}

/// Builds the tree and makes it our root, keeping the working directory
/// when the sandbox shows it (else `/`).
pub fn build(paths: &SandboxPaths) -> Result<(), SandboxError> {
    let cwd = std::env::current_dir().ok();
    step(
        || "making the mounts private".to_owned(),
        mount(
            None,
            Path::new("/"),
            None,
            libc::MS_REC | libc::MS_PRIVATE,
            None,
        ),
    )?;
    let stage = Path::new(STAGE);
    tmpfs(stage, "mode=0755,size=1m")?;
    for dir in ["new", "old"] {
        step(
            || format!("{STAGE}/{dir}"),
            std::fs::create_dir(stage.join(dir)),
        )?;
    }
    step(
        || "moving the host's root aside".to_owned(),
        sys_mount::pivot_root(stage, &stage.join("old")),
    )?;
    step(|| "/".to_owned(), std::env::set_current_dir("/"))?;
    let root = Path::new("/");
    step(
        || "showing the host".to_owned(),
        bind(&host(root), &new(root)),
    )?;
    step(
        || "making the host read-only".to_owned(),
        read_only_tree(&new(root)),
    )?;
    system_folders()?;
    let mut made_read_only = vec![new(Path::new("/tmp")), new(Path::new("/dev"))];
    for (path, access) in paths.plan() {
        if let Some(hidden) = show(&path, access)? {
            made_read_only.push(hidden);
        }
    }
    for target in &made_read_only {
        remount_read_only(target)?;
    }
    step(
        || "entering the new root".to_owned(),
        std::env::set_current_dir("/new"),
    )?;
    let here = Path::new(".");
    step(
        || "making the new root".to_owned(),
        sys_mount::pivot_root(here, here),
    )?;
    step(
        || "dropping the host's root".to_owned(),
        sys_mount::detach(here),
    )?;
    let back = cwd.filter(|dir| std::env::set_current_dir(dir).is_ok());
    if back.is_none() {
        step(|| "/".to_owned(), std::env::set_current_dir("/"))?;
    }
    Ok(())
}

/// `/sys` of our network namespace, `/dev` with the usual nodes and a
/// pseudo-terminal instance of its own, and a placeholder `/tmp`.
fn system_folders() -> Result<(), SandboxError> {
    let sys = new(Path::new("/sys"));
    step(
        || "a sysfs at /sys".to_owned(),
        mount(
            Some(Path::new("sysfs")),
            &sys,
            Some("sysfs"),
            libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            None,
        ),
    )?;
    tmpfs(&new(Path::new("/tmp")), "mode=1777,size=1m")?;
    let dev = new(Path::new("/dev"));
    tmpfs(&dev, "mode=0755,size=64k")?;
    for name in DEVICES {
        let node = dev.join(name);
        step(|| node.display().to_string(), std::fs::File::create(&node))?;
        let from = host(Path::new("/dev")).join(name);
        step(
            || format!("/dev/{name}"),
            mount(Some(&from), &node, None, libc::MS_BIND, None),
        )?;
    }
    for (name, target) in DEV_LINKS {
        step(
            || format!("/dev/{name}"),
            std::os::unix::fs::symlink(target, dev.join(name)),
        )?;
    }
    for dir in ["shm", "pts"] {
        step(|| format!("/dev/{dir}"), std::fs::create_dir(dev.join(dir)))?;
    }
    step(
        || "a devpts at /dev/pts".to_owned(),
        mount(
            Some(Path::new("devpts")),
            &dev.join("pts"),
            Some("devpts"),
            libc::MS_NOSUID | libc::MS_NOEXEC,
            Some("newinstance,ptmxmode=0666,mode=620"),
        ),
    )
}

/// Shows one host path as `access` says; a hidden folder's tmpfs is
/// returned, to be made read-only once what it shows is in place. A path
/// the host does not have is left out.
fn show(path: &Path, access: Access) -> Result<Option<PathBuf>, SandboxError> {
    let source = host(path);
    let Ok(meta) = std::fs::metadata(&source) else {
        return Ok(None);
    };
    let target = new(path);
    mount_point(&target, meta.is_dir())?;
    let what = || format!("showing {}", path.display());
    match (access, meta.is_dir()) {
        (Access::Hidden, true) => {
            tmpfs(&target, "mode=0755,size=64k")?;
            return Ok(Some(target));
        }
        (Access::Hidden, false) => {
            step(what, bind(&host(Path::new("/dev/null")), &target))?;
            step(what, read_only_tree(&target))?;
        }
        (Access::Readable, _) => {
            step(what, bind(&source, &target))?;
            step(what, read_only_tree(&target))?;
        }
        (Access::Writable, _) => step(what, bind(&source, &target))?,
    }
    Ok(None)
}

/// Makes `target` exist as a folder or a file, if it does not: possible
/// inside a hidden folder or `/tmp`, which are ours.
fn mount_point(target: &Path, dir: bool) -> Result<(), SandboxError> {
    if target.exists() {
        return Ok(());
    }
    let made = if dir {
        std::fs::create_dir_all(target)
    } else {
        target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::File::create(target).map(drop))
    };
    step(|| format!("a mount point at {}", target.display()), made)
}
