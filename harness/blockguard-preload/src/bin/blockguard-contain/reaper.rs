//! The test's reaper: the launcher's child in the run's PID namespace
//! (or PID 1 of one of the test's own, where there is no run's to join),
//! in the test's own mount namespace. A child subreaper, it keeps below
//! itself whatever the test starts, a `setsid` daemon included: a process
//! whose parent dies becomes its child. It starts the test, reaps
//! everything, and on the test's exit gives what is left a moment to
//! finish, then names it and kills it, until nothing is left.

use crate::args::Args;
use crate::descendants::{Descendant, descendants};
use crate::sandbox::{self, Joined};
use crate::{namespace, private_tmp, sweep, sys, sys_reap};
use blockguard_protocol::contain::Status;
use std::time::{Duration, Instant};

/// How long processes the test started may take to exit after it did
/// before they count as leaked (nextest's leak timeout is the same).
const LEAK_GRACE: Duration = Duration::from_millis(100);

/// How the contained test ended.
pub struct Contained {
    /// The test's wait status, as `waitpid` gives it.
    pub wait_status: i32,
    /// A status worth writing.
    pub status: Option<Status>,
}

/// Runs the test under its reaper; returns once the reaper and everything
/// below it are gone.
pub fn run_contained(args: &Args, joined: Option<&Joined>) -> Contained {
    let failed = |why: String| {
        eprintln!("blockguard-contain: {why}");
        Contained {
            wait_status: 127 << 8,
            status: None,
        }
    };
    sys::survive_ending_signals();
    let (read, write) = match sys::pipe() {
        Ok(ends) => ends,
        Err(e) => return failed(format!("pipe: {e}")),
    };
    let reaper = match sys::fork() {
        Err(e) => return failed(format!("fork: {e}")),
        Ok(sys::Fork::Child) => {
            sys::close(read);
            reaper(args, joined, write)
        }
        Ok(sys::Fork::Parent(pid)) => pid,
    };
    sys::close(write);
    let report = sys::read_and_close(read);
    let _ = sys::waitpid(reaper, false);
    decode(&report, tmp_size(args, joined))
        .unwrap_or_else(|| failed("the test's reaper ended without a report".to_owned()))
}

/// In the sandbox, the size of the test's `/tmp` and `/dev/shm`: the
/// memory limit.
fn tmp_size(args: &Args, joined: Option<&Joined>) -> Option<u64> {
    joined.map(|_| args.limits.unwrap_or_default().memory)
}

/// The reaper's life.
fn reaper(args: &Args, joined: Option<&Joined>, report: i32) -> ! {
    let _ = sys::die_with_parent();
    let _ = sys_reap::become_subreaper();
    namespace::mount_proc();
    // In the sandbox, the test's /tmp and /dev/shm are its own, sized by
    // the memory limit; without them it does not run.
    let tmp_size = tmp_size(args, joined);
    if let Some(Err(why)) = tmp_size.map(private_tmp::make) {
        eprintln!("blockguard-contain: the sandbox: {why}");
        sys::exit_now(blockguard_protocol::contain::NO_SANDBOX);
    }
    let test = match sys::fork() {
        Err(e) => {
            eprintln!("blockguard-contain: fork: {e}");
            sys::exit_now(127);
        }
        Ok(sys::Fork::Child) => {
            sys::own_process_group();
            sys::default_ending_signals();
            if let Some(limits) = args.limits {
                sys::set_limits(limits);
            }
            if let Some(Err(why)) = joined.map(|_| sandbox::confine()) {
                eprintln!("blockguard-contain: the sandbox: {why}");
                sys::exit_now(blockguard_protocol::contain::NO_SANDBOX);
            }
            let error = sys::exec(&args.program);
            eprintln!(
                "blockguard-contain: cannot run {}: {error}",
                args.program[0].to_string_lossy()
            );
            sys::exit_now(127);
        }
        Ok(sys::Fork::Parent(pid)) => pid,
    };
    sys::forward_ending_signals(test);
    let mut wait_status = 127 << 8;
    // Orphans are ours to reap too; the test's own status is what counts.
    while let Ok(Some((pid, status))) = sys::waitpid(-1, false) {
        if pid == test {
            wait_status = status;
            break;
        }
    }
    let leaked = if left_behind() {
        let named: Vec<String> = descendants().iter().map(Descendant::named).collect();
        sweep::kill_all();
        if named.is_empty() {
            vec!["processes the test started (/proc did not show them to name them)".into()]
        } else {
            named
        }
    } else {
        Vec::new()
    };
    let filled = tmp_size.is_some() && private_tmp::filled();
    let mut bytes = wait_status.to_le_bytes().to_vec();
    bytes.push(u8::from(filled));
    bytes.extend(leaked.join("\n").into_bytes());
    sys::write_and_close(report, &bytes);
    sys::exit_now(0)
}

/// Reaps what exits within [`LEAK_GRACE`]; true if anything is left.
fn left_behind() -> bool {
    let deadline = Instant::now() + LEAK_GRACE;
    loop {
        if !sweep::reap_ended() {
            return false;
        }
        if Instant::now() >= deadline {
            return true;
        }
        sys::sleep_ms(2);
    }
}

fn decode(report: &[u8], tmp_size: Option<u64>) -> Option<Contained> {
    let status = i32::from_le_bytes(report.get(..4)?.try_into().ok()?);
    let filled_tmp = tmp_size.filter(|_| report.get(4) == Some(&1));
    let rest = String::from_utf8_lossy(report.get(5..)?);
    let leaked: Vec<String> = rest
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    Some(Contained {
        wait_status: status,
        status: (!leaked.is_empty() || filled_tmp.is_some()).then_some(Status {
            contained: true,
            why: None,
            leaked,
            filled_tmp,
        }),
    })
}
