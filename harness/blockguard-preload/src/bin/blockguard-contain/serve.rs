//! `--serve-launches --parent PID`: the launch server
//! (`blockguard_protocol::launch`). It forks a launcher per request, which
//! takes the request's stdio, directory and environment, says its pid,
//! contains the test as a launcher started by the runner would, and says
//! the test's wait status. Forking this small single-threaded process
//! costs far less than the runner's exec of a new launcher.

use crate::args::Args;
use crate::contain::{Ran, contain};
use crate::{sys, sys_fd};
use blockguard_protocol::contain::PARENT_ARG;
use blockguard_protocol::launch::{LaunchRequest, SENT_FDS};
use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::process::ExitCode;

/// Serves requests on stdin until it ends.
pub fn serve(mut argv: impl Iterator<Item = OsString>) -> ExitCode {
    let parent = match (argv.next(), argv.next()) {
        (Some(flag), Some(pid)) if flag == PARENT_ARG => {
            pid.to_str().and_then(|p| p.parse::<i32>().ok())
        }
        _ => None,
    };
    let Some(parent) = parent else {
        eprintln!("blockguard-contain: usage: --serve-launches --parent PID");
        return ExitCode::from(2);
    };
    if sys::die_with_parent().is_err() || sys::parent() != parent {
        return ExitCode::from(127);
    }
    sys_fd::reap_children_automatically(true);
    let mut buffer = sys_fd::request_buffer();
    loop {
        let (length, fds) = match sys_fd::receive(0, SENT_FDS, &mut buffer) {
            Ok(Some(request)) => request,
            Ok(None) => return ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("blockguard-contain: the launch server: {e}");
                return ExitCode::from(1);
            }
        };
        // A malformed request is dropped: its answer socket closes unanswered.
        let (Some(request), Ok(fds)) = (
            LaunchRequest::decode(&buffer[..length]),
            <[OwnedFd; SENT_FDS]>::try_from(fds),
        ) else {
            continue;
        };
        if let Ok(sys::Fork::Child) = sys::fork() {
            launch(request, fds);
        }
    }
}

/// The forked launcher's life.
fn launch(request: LaunchRequest, [answer, stdout, stderr]: [OwnedFd; SENT_FDS]) -> ! {
    sys_fd::reap_children_automatically(false);
    let _ = sys::die_with_parent();
    let null = std::fs::File::open("/dev/null").map(OwnedFd::from);
    let stdio = [(&stdout, 1), (&stderr, 2)]
        .into_iter()
        .chain(null.as_ref().ok().map(|n| (n, 0)))
        .try_for_each(|(fd, target)| sys_fd::install(fd, target));
    drop((stdout, stderr, null));
    sys::own_process_group();
    sys_fd::replace_environment(&request.env);
    let ready = stdio
        .and_then(|()| std::env::set_current_dir(&request.cwd))
        .and_then(|()| sys_fd::write_all(&answer, &std::process::id().to_le_bytes()));
    let wait_status = match (ready, Args::parse(request.argv.into_iter())) {
        (Err(e), _) => {
            eprintln!(
                "blockguard-contain: cannot start in {}: {e}",
                request.cwd.display()
            );
            127 << 8
        }
        (_, Err(e)) => {
            eprintln!("blockguard-contain: {e}");
            2 << 8
        }
        (Ok(()), Ok(args)) => match contain(&args) {
            Ran::Waited(wait_status) => wait_status,
            Ran::NotRun(code) => i32::from(code) << 8,
            Ran::Uncontained => run_plain(&args),
        },
    };
    let _ = sys_fd::write_all(&answer, &wait_status.to_le_bytes());
    sys::exit_now(0)
}

/// Runs the test as our child, without a namespace, for its wait status.
fn run_plain(args: &Args) -> i32 {
    sys::survive_ending_signals();
    match sys::fork() {
        Ok(sys::Fork::Child) => {
            sys::default_ending_signals();
            let error = sys::exec(&args.program);
            eprintln!(
                "blockguard-contain: cannot run {}: {error}",
                args.program[0].to_string_lossy()
            );
            sys::exit_now(127)
        }
        Ok(sys::Fork::Parent(pid)) => {
            sys::forward_ending_signals(pid);
            match sys::waitpid(pid, false) {
                Ok(Some((_, status))) => status,
                _ => 127 << 8,
            }
        }
        Err(e) => {
            eprintln!("blockguard-contain: fork: {e}");
            127 << 8
        }
    }
}
