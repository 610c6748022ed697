//! `cargo blockguard test` on the crate, as its users run it: the real
//! `cargo-blockguard` binary, built from this workspace, in the crate's
//! folder, its report read back.

use super::error::RealCratesError;
use crate::env::Env;
use crate::process::{Ended, Launch, spawn_and_wait};
use crate::schema::Report;
use crate::suite_child::read_report;
use blockguard_protocol::Mode;
use cargo_metadata::Message;
use std::ffi::OsString;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The longest one guarded run may take (its own per-test timeouts end
/// hung tests).
const GUARDED_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// Builds `cargo-blockguard` (release, the workspace's own target
/// directory); its executable.
pub fn build_cargo_blockguard(env: &Env) -> Result<PathBuf, RealCratesError> {
    let out = Command::new(&env.cargo)
        .args([
            "build",
            "--release",
            "-p",
            "cargo-blockguard",
            "--bin",
            "cargo-blockguard",
        ])
        .arg("--message-format=json-render-diagnostics")
        .current_dir(&env.root)
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| RealCratesError::Io {
            path: env.cargo.clone(),
            source,
        })?;
    if !out.status.success() {
        return Err(RealCratesError::Build(format!(
            "cargo exited with {}",
            out.status
        )));
    }
    Message::parse_stream(BufReader::new(&out.stdout[..]))
        .filter_map(Result::ok)
        .find_map(|m| match m {
            Message::CompilerArtifact(a) if a.target.name == "cargo-blockguard" => a.executable,
            _ => None,
        })
        .map(|exe| exe.into_std_path_buf())
        .ok_or_else(|| RealCratesError::Build("cargo reported no executable".to_owned()))
}

/// One guarded run.
pub struct GuardedRun<'a> {
    /// `cargo-blockguard`.
    pub exe: &'a Path,
    /// The crate's folder.
    pub dir: &'a Path,
    /// audit or check.
    pub mode: Mode,
    /// Run the build and tests in the sandbox.
    pub sandbox: bool,
    /// Tests at once.
    pub jobs: usize,
    /// libtest arguments.
    pub libtest: &'a [String],
    /// A rules file (the crate's features), if any.
    pub rules: Option<&'a Path>,
    /// Variables the tests get.
    pub env: &'a std::collections::BTreeMap<String, String>,
    /// Where the report goes.
    pub report: PathBuf,
    /// Where its output goes.
    pub log: PathBuf,
}

impl GuardedRun<'_> {
    /// Runs it; its report, or why there is none.
    pub fn run(&self) -> Result<Report, String> {
        let _ = std::fs::remove_file(&self.report);
        let mut args: Vec<OsString> = vec!["blockguard".into(), "test".into()];
        args.extend(["--mode".into(), self.mode.to_string().into()]);
        args.extend(["-j".into(), self.jobs.to_string().into()]);
        // Compared, never written: the crate's folder stays as it came.
        args.extend(["--snapshots".into(), "none".into()]);
        args.push(
            if self.sandbox {
                "--sandbox"
            } else {
                "--no-sandbox"
            }
            .into(),
        );
        args.extend(["--report".into(), self.report.clone().into()]);
        if let Some(rules) = self.rules {
            args.extend(["--rules".into(), rules.as_os_str().to_owned()]);
        }
        if !self.libtest.is_empty() {
            args.push("--".into());
            args.extend(self.libtest.iter().map(OsString::from));
        }
        let launch = Launch {
            exe: self.exe.to_owned(),
            args,
            cwd: self.dir.to_owned(),
            env: std::iter::once(("CARGO_TERM_COLOR".into(), "never".into()))
                .chain(self.env.iter().map(|(k, v)| (k.into(), v.into())))
                .collect(),
            env_remove: vec![
                "BLOCKGUARD_PRELOAD",
                "BLOCKGUARD_SNAPSHOTS",
                "CARGO_TARGET_DIR",
            ],
            timeout: GUARDED_TIMEOUT,
            label: format!("cargo blockguard test --mode {}", self.mode),
            log: Some(self.log.clone()),
            ..Launch::default()
        };
        let done = spawn_and_wait(&launch).map_err(|e| e.to_string())?;
        match done.ended {
            Ended::Exited(code) if code == i32::from(crate::exit::ERROR) => Err(format!(
                "cargo blockguard test exited with {code}: see {}",
                self.log.display()
            )),
            Ended::Exited(_) => read_report(&self.report).map_err(|e| e.to_string()),
            Ended::Signaled(n) => Err(format!("cargo blockguard test was killed by signal {n}")),
            Ended::TimedOut => Err(format!(
                "cargo blockguard test ran past {} minutes",
                GUARDED_TIMEOUT.as_secs() / 60
            )),
        }
    }
}
