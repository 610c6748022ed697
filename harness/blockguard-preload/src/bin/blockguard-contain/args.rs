//! The launcher's command line (`blockguard_protocol::contain`).

use blockguard_protocol::contain::{PARENT_ARG, PRELOAD_ARG, SANDBOX_ARG, STATUS_ARG};
use blockguard_protocol::sandbox::{LIMITS_ARG, Limits, SANDBOX_READ_ARG, SandboxPaths};
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
    /// With the sandbox: what the test may see and write.
    pub sandbox: Option<SandboxPaths>,
    /// The resource limits set on the test.
    pub limits: Option<Limits>,
    /// The test's argv, ready for `execvp`.
    pub program: Vec<CString>,
}

impl Args {
    /// Parses `[--preload LIB] [--status FILE] [--sandbox DIRS] --parent PID
    /// -- EXE ARGS…`.
    pub fn parse(mut argv: impl Iterator<Item = OsString>) -> Result<Args, String> {
        let mut preload = None;
        let mut status = None;
        let mut parent = None;
        let mut sandbox: Option<SandboxPaths> = None;
        let mut readable = Vec::new();
        let mut limits = None;
        loop {
            let Some(flag) = argv.next() else {
                return Err("no `--` before the program".to_owned());
            };
            if flag == "--" {
                break;
            }
            let value = argv
                .next()
                .ok_or_else(|| format!("{} needs a value", flag.to_string_lossy()))?;
            match flag.to_str() {
                Some(PRELOAD_ARG) => preload = Some(value),
                Some(STATUS_ARG) => status = Some(PathBuf::from(value)),
                Some(SANDBOX_ARG) => {
                    sandbox = Some(SandboxPaths {
                        readable: Vec::new(),
                        writable: std::env::split_paths(&value).collect(),
                    })
                }
                Some(SANDBOX_READ_ARG) => readable = std::env::split_paths(&value).collect(),
                Some(LIMITS_ARG) => {
                    limits = Some(
                        value
                            .to_str()
                            .and_then(Limits::parse)
                            .ok_or("--limits takes MEMORY:FILE_SIZE:PROCESSES")?,
                    )
                }
                Some(PARENT_ARG) => {
                    parent = Some(
                        value
                            .to_str()
                            .and_then(|v| v.parse::<i32>().ok())
                            .ok_or("--parent takes a pid")?,
                    )
                }
                _ => return Err(format!("unknown flag {}", flag.to_string_lossy())),
            }
        }
        let program = argv
            .map(|a| CString::new(a.into_vec()).map_err(|_| "an argument has a NUL byte"))
            .collect::<Result<Vec<_>, _>>()?;
        if program.is_empty() {
            return Err("no program after `--`".to_owned());
        }
        if let Some(paths) = sandbox.as_mut() {
            paths.readable = readable;
            // The guard runtime must load, wherever it lives.
            if let Some(dir) = preload
                .as_ref()
                .and_then(|p| PathBuf::from(p).parent().map(PathBuf::from))
            {
                paths.readable.push(dir);
            }
        }
        Ok(Args {
            preload,
            status,
            parent: parent.ok_or("--parent is required")?,
            sandbox,
            limits,
            program,
        })
    }
}
