//! One test, contained: the part a launcher started by the runner and one
//! forked by the launch server share.

use crate::args::Args;
use crate::sandbox_error::SandboxError;
use crate::{namespace, reaper, run_pids, sandbox, sys};
use blockguard_protocol::contain::{NO_SANDBOX, Status};

/// How a containment went.
pub enum Ran {
    /// The test ran in its PID namespace and ended with this wait status.
    Waited(i32),
    /// It was not run: exit with this code.
    NotRun(u8),
    /// No namespace could be made (and no sandbox was asked for): the
    /// caller runs the test as it is.
    Uncontained,
}

/// Runs the test of `args` in the run's PID namespace (in the run's
/// sandbox when asked), or in one of its own where no run's is given (a
/// sandbox of its own, or a launcher started alone), always in a mount
/// namespace of its own; writes the status file when there is something
/// to say.
pub fn contain(args: &Args) -> Ran {
    if let Some(preload) = &args.preload {
        sys::set_preload(preload);
    }
    let joined = match (&args.own_sandbox, args.sandbox) {
        (Some(paths), _) => sandbox::make(paths).map(Some),
        (None, holder) => holder.map(sandbox::join).transpose(),
    };
    let joined = match joined {
        Ok(joined) => joined,
        Err(why) => return no_sandbox(args, why),
    };
    let sandboxed = joined.is_some();
    let entered = match (args.sandbox, args.pids) {
        // Joining the sandbox joined its PID namespace too.
        (Some(_), _) => namespace::own_mounts(),
        (None, Some(holder)) => run_pids::join(holder).and_then(|()| namespace::own_mounts()),
        (None, None) => namespace::enter(),
    };
    match entered {
        Ok(()) => {
            let status = reaper::run_contained(args, joined.as_ref());
            if let Some(status) = &status.status {
                write_status(args, status);
            }
            Ran::Waited(status.wait_status)
        }
        Err(why) if sandboxed => no_sandbox(args, why),
        Err(why) => {
            write_status(
                args,
                &Status {
                    contained: false,
                    why: Some(why.to_string()),
                    leaked: Vec::new(),
                    filled_tmp: None,
                },
            );
            Ran::Uncontained
        }
    }
}

/// Asked for the sandbox and cannot give it: never runs the test.
fn no_sandbox(args: &Args, why: SandboxError) -> Ran {
    eprintln!("blockguard-contain: no sandbox: {why}");
    write_status(
        args,
        &Status {
            contained: false,
            why: Some(format!("no sandbox: {why}")),
            leaked: Vec::new(),
            filled_tmp: None,
        },
    );
    Ran::NotRun(NO_SANDBOX as u8)
}

fn write_status(args: &Args, status: &Status) {
    if let Some(path) = &args.status {
        let _ = std::fs::write(path, status.to_json());
    }
}
