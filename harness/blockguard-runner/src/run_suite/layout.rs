//! Where run-suite keeps its files: everything under `target/blockguard/`.

use crate::env::SnapshotHome;
use std::path::{Path, PathBuf};

/// The folders of one repository checkout.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
    base: PathBuf,
    snapshots: SnapshotHome,
}

impl Layout {
    /// The layout of the repository at `root`, with snapshot folders
    /// where `snapshots` says.
    pub fn new(root: &Path, snapshots: &SnapshotHome) -> Layout {
        Layout {
            root: root.to_path_buf(),
            base: root.join("target").join("blockguard"),
            snapshots: snapshots.clone(),
        }
    }

    /// The repository root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `suites/`: suite definitions by name.
    pub fn suites(&self) -> PathBuf {
        self.root.join("suites")
    }

    /// A scratch package whose only job is to make cargo download a crate.
    pub fn scratch(&self, label: &str) -> PathBuf {
        self.base.join("scratch").join(label)
    }

    /// Our own copy of a registry crate, which we build (never the
    /// registry's copy).
    pub fn source_copy(&self, name: &str, version: &str) -> PathBuf {
        self.base.join("src").join(format!("{name}-{version}"))
    }

    /// The one target directory all suites share, so dependencies build once.
    pub fn build(&self) -> PathBuf {
        self.base.join("build")
    }

    /// The per-test trace files of this run of a suite: per process, so
    /// that two runs of one suite never share a trace file.
    pub fn traces(&self, suite: &str) -> PathBuf {
        self.base
            .join("traces")
            .join(suite)
            .join(format!("run-{}", std::process::id()))
    }

    /// Where the guard runtime shares the names it resolved, kept between
    /// runs (each runtime build and each object in files of its own, named
    /// by build id: never stale).
    pub fn symbols(&self) -> PathBuf {
        self.base.join("symbols")
    }

    /// Where a finished run's traces are kept: the last run's only.
    pub fn last_traces(&self, suite: &str) -> PathBuf {
        self.base.join("traces").join(suite).join("last")
    }

    /// `target/blockguard/reports/<suite>.json`.
    pub fn report(&self, suite: &str) -> PathBuf {
        self.base.join("reports").join(format!("{suite}.json"))
    }

    /// A suite's (or one package's) snapshot folder: `snapshots/<suite>/`,
    /// or inside the package's folder.
    pub fn snapshots(&self, suite: &str, package_dir: &Path) -> PathBuf {
        match &self.snapshots {
            SnapshotHome::Shared(dir) => dir.join(suite),
            SnapshotHome::InPackage(relative) => package_dir.join(relative),
        }
    }
}
