//! The launcher's command line (`blockguard_protocol::contain`).

use crate::args_error::ArgsError;
use blockguard_protocol::contain::{
    JOIN_PIDS_ARG, JOIN_SANDBOX_ARG, MAKE_SANDBOX_ARG, PARENT_ARG, PRELOAD_ARG, STATUS_ARG,
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
    /// With the run's sandbox: the pid of the process holding it (and the
    /// run's PID namespace in it).
    pub sandbox: Option<i32>,
    /// Without the sandbox: the pid of the process holding the run's PID
    /// namespace.
    pub pids: Option<i32>,
    /// With a sandbox of its own: what it shows.
    pub own_sandbox: Option<SandboxPaths>,
    /// The resource limits set on the test.
    pub limits: Option<Limits>,
    /// The test's argv, ready for `execvp`.
    pub program: Vec<CString>,
}

impl Args {
    /// Parses `[--preload LIB] [--status FILE] [--join-pids PID |
    /// --join-sandbox PID | --sandbox [--ro|--rw|--hide PATH]…] [--limits
    /// L] --parent PID -- EXE ARGS…`.
    pub fn parse(mut argv: impl Iterator<Item = OsString>) -> Result<Args, ArgsError> {
        let mut preload = None;
        let mut status = None;
        let mut parent = None;
        let mut sandbox = None;
        let mut pids = None;
        let mut limits = None;
        let mut own_sandbox = false;
        let mut paths = SandboxPaths::default();
        loop {
            let Some(flag) = argv.next() else {
                return Err(ArgsError::NoSeparator);
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
                .ok_or_else(|| ArgsError::NoValue(flag.to_string_lossy().into_owned()))?;
            match flag.to_str() {
                Some(PRELOAD_ARG) => preload = Some(value),
                Some(STATUS_ARG) => status = Some(PathBuf::from(value)),
                Some(JOIN_SANDBOX_ARG) => sandbox = Some(pid(&value, JOIN_SANDBOX_ARG)?),
                Some(JOIN_PIDS_ARG) => pids = Some(pid(&value, JOIN_PIDS_ARG)?),
                Some(LIMITS_ARG) => {
                    limits = Some(
                        value
                            .to_str()
                            .and_then(Limits::parse)
                            .ok_or(ArgsError::BadLimits)?,
                    )
                }
                Some(PARENT_ARG) => parent = Some(pid(&value, PARENT_ARG)?),
                Some(path_flag) if paths.take_arg(path_flag, &value) => {}
                _ => return Err(ArgsError::UnknownFlag(flag.to_string_lossy().into_owned())),
            }
        }
        let program = argv
            .map(|a| CString::new(a.into_vec()).map_err(|_| ArgsError::NulByte))
            .collect::<Result<Vec<_>, _>>()?;
        if program.is_empty() {
            return Err(ArgsError::NoProgram);
        }
        if own_sandbox && sandbox.is_some() {
            return Err(ArgsError::Exclusive(MAKE_SANDBOX_ARG, JOIN_SANDBOX_ARG));
        }
        if pids.is_some() && (own_sandbox || sandbox.is_some()) {
            let sandbox_arg = if own_sandbox {
                MAKE_SANDBOX_ARG
            } else {
                JOIN_SANDBOX_ARG
            };
            return Err(ArgsError::Exclusive(JOIN_PIDS_ARG, sandbox_arg));
        }
        Ok(Args {
            preload,
            status,
            parent: parent.ok_or(ArgsError::NoParent)?,
            sandbox,
            pids,
            own_sandbox: own_sandbox.then_some(paths),
            limits,
            program,
        })
    }
}

fn pid(value: &std::ffi::OsStr, flag: &'static str) -> Result<i32, ArgsError> {
    value
        .to_str()
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|&pid| pid > 0)
        .ok_or(ArgsError::NotAPid(flag))
}
