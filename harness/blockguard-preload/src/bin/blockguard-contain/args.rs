//! The launcher's command line (`blockguard_protocol::contain`).

use blockguard_protocol::contain::{
    JOIN_SANDBOX_ARG, MAKE_SANDBOX_ARG, PARENT_ARG, PRELOAD_ARG, STATUS_ARG,
};
use blockguard_protocol::sandbox::{LIMITS_ARG, Limits, SandboxPaths};
use std::ffi::{CString, OsString};
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

/// What to run, and how.
pub struct Args {
    /// The guard runtime for the test's `LD_PRELOAD`.
    pub preload: Option<OsString>,
    /// Where the status goes.
    pub status: Option<PathBuf>,
    /// The runner's pid.
    pub parent: i32,
    /// With the run's sandbox: the pid of the process holding it.
    pub sandbox: Option<i32>,
    /// With a sandbox of its own: what it shows.
    pub own_sandbox: Option<SandboxPaths>,
    /// The resource limits set on the test.
    pub limits: Option<Limits>,
    /// The test's argv, ready for `execvp`.
    pub program: Vec<CString>,
}

impl Args {
    /// Parses `[--preload LIB] [--status FILE] [--join-sandbox PID |
    /// --sandbox [--ro|--rw|--hide PATH]…] [--limits L] --parent PID --
    /// EXE ARGS…`.
    pub fn parse(mut argv: impl Iterator<Item = OsString>) -> Result<Args, String> {
        let mut preload = None;
        let mut status = None;
        let mut parent = None;
        let mut sandbox = None;
        let mut limits = None;
        let mut own_sandbox = false;
        let mut paths = SandboxPaths::default();
        loop {
            let Some(flag) = argv.next() else {
                return Err("no `--` before the program".to_owned());
            };
            if flag == "--" {
                break;
            }
            if flag == MAKE_SANDBOX_ARG {
                own_sandbox = true;
                continue;
            }
            let value = argv
                .next()
                .ok_or_else(|| format!("{} needs a value", flag.to_string_lossy()))?;
            match flag.to_str() {
                Some(PRELOAD_ARG) => preload = Some(value),
                Some(STATUS_ARG) => status = Some(PathBuf::from(value)),
                Some(JOIN_SANDBOX_ARG) => sandbox = Some(pid(&value, JOIN_SANDBOX_ARG)?),
                Some(LIMITS_ARG) => {
                    limits = Some(
                        value
                            .to_str()
                            .and_then(Limits::parse)
                            .ok_or("--limits takes MEMORY:FILE_SIZE:PROCESSES")?,
                    )
                }
                Some(PARENT_ARG) => parent = Some(pid(&value, PARENT_ARG)?),
                Some(path_flag) if paths.take_arg(path_flag, &value) => {}
                _ => return Err(format!("unknown flag {}", flag.to_string_lossy())),
            }
        }
        let program = argv
            .map(|a| CString::new(a.into_vec()).map_err(|_| "an argument has a NUL byte"))
            .collect::<Result<Vec<_>, _>>()?;
        if program.is_empty() {
            return Err("no program after `--`".to_owned());
        }
        if own_sandbox && sandbox.is_some() {
            return Err(format!(
                "{MAKE_SANDBOX_ARG} and {JOIN_SANDBOX_ARG} exclude each other"
            ));
        }
        Ok(Args {
            preload,
            status,
            parent: parent.ok_or("--parent is required")?,
            sandbox,
            own_sandbox: own_sandbox.then_some(paths),
            limits,
            program,
        })
    }
}

fn pid(value: &std::ffi::OsStr, flag: &str) -> Result<i32, String> {
    value
        .to_str()
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|&pid| pid > 0)
        .ok_or_else(|| format!("{flag} takes a pid"))
}
