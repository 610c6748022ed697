//! Where run-suite keeps its files: everything under `target/blockguard/`.
//! A sandboxed suite's build, source copy, names and traces live in a
//! folder of its own, `sandboxed/<suite>/` (its trust domain): nothing
//! there is ever run or trusted outside that suite's sandbox.

use super::file_name;
use crate::env::SnapshotHome;
use std::path::{Path, PathBuf};

/// The folders of one repository checkout.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
    base: PathBuf,
    /// Where the build, source copies, names and traces are: `base`, or
    /// a sandboxed suite's own folder.
    domain: PathBuf,
    snapshots: SnapshotHome,
}

impl Layout {
    /// The layout of the repository at `root`, with snapshot folders
    /// where `snapshots` says.
    pub fn new(root: &Path, snapshots: &SnapshotHome) -> Layout {
        let base = root.join("target").join("blockguard");
        Layout {
            root: root.to_path_buf(),
            domain: base.clone(),
            base,
            snapshots: snapshots.clone(),
        }
    }

    /// The layout of a sandboxed run of `suite`: its build, source copy,
    /// names and traces in a folder of its own.
    pub fn sandboxed(&self, suite: &str) -> Layout {
        Layout {
            domain: self.base.join("sandboxed").join(file_name::for_name(suite)),
            ..self.clone()
        }
    }

    /// `target/` of the repository (or workspace): shown read-only in the
    /// sandbox, so that nothing there is changed for a later run outside.
    pub fn target(&self) -> PathBuf {
        self.root.join("target")
    }

    /// The runner's inputs to this run's sandboxed processes (the rules
    /// file): read-only inside, so never looked up on the host by path.
    pub fn inputs(&self) -> PathBuf {
        self.domain
            .join("inputs")
            .join(format!("run-{}", std::process::id()))
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
        self.domain.join("scratch").join(label)
    }

    /// Our own copy of a registry crate, which we build (never the
    /// registry's copy).
    pub fn source_copy(&self, name: &str, version: &str) -> PathBuf {
        self.domain.join("src").join(format!("{name}-{version}"))
    }

    /// The target directory: one that all unsandboxed suites share, so
    /// dependencies build once; a sandboxed suite's own.
    pub fn build(&self) -> PathBuf {
        self.domain.join("build")
    }

    /// The per-test trace files of this run of a suite: per process, so
    /// that two runs of one suite never share a trace file.
    pub fn traces(&self, suite: &str) -> PathBuf {
        self.domain
            .join("traces")
            .join(suite)
            .join(format!("run-{}", std::process::id()))
    }

    /// Where the guard runtime shares the names it resolved, kept between
    /// runs (each runtime build and each object in files of its own, named
    /// by build id: never stale).
    pub fn symbols(&self) -> PathBuf {
        self.domain.join("symbols")
    }

    /// Where a finished run's traces are kept: the last run's only.
    pub fn last_traces(&self, suite: &str) -> PathBuf {
        self.domain.join("traces").join(suite).join("last")
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
