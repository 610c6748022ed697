//! The namespace's init: starts the test, reaps everything, and on the
//! test's exit gives what it left behind a moment to finish, then names
//! what is still alive. Its own exit makes the kernel kill the rest.

use crate::args::Args;
use crate::sandbox::{self, Joined};
use crate::{namespace, private_tmp, sys};
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

/// Runs the test under a new init; returns once init and everything in the
/// namespace are gone.
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
    let init = match sys::fork() {
        Err(e) => return failed(format!("fork: {e}")),
        Ok(sys::Fork::Child) => {
            sys::close(read);
            init(args, joined, write)
        }
        Ok(sys::Fork::Parent(pid)) => pid,
    };
    sys::close(write);
    let report = sys::read_and_close(read);
    let _ = sys::waitpid(init, false);
    decode(&report, tmp_size(args, joined))
        .unwrap_or_else(|| failed("init ended without a report".to_owned()))
}

/// In the sandbox, the size of the test's `/tmp` and `/dev/shm`: the
/// memory limit.
fn tmp_size(args: &Args, joined: Option<&Joined>) -> Option<u64> {
    joined.map(|_| args.limits.unwrap_or_default().memory)
}

/// Init's life: PID 1 of the new namespace.
fn init(args: &Args, joined: Option<&Joined>, report: i32) -> ! {
    let _ = sys::die_with_parent();
    let own_proc = namespace::mount_proc();
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
        remaining(own_proc)
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
        match sys::waitpid(-1, true) {
            Err(_) => return false,
            Ok(Some(_)) => continue,
            Ok(None) if Instant::now() >= deadline => return true,
            Ok(None) => sys::sleep_ms(2),
        }
    }
}

/// `pid: command line` of every process but init in the namespace.
fn remaining(own_proc: bool) -> Vec<String> {
    if !own_proc {
        return vec!["processes the test started (no /proc of the namespace to name them)".into()];
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter(|&pid| pid != 1)
        .collect();
    pids.sort_unstable();
    pids.into_iter()
        .map(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let mut text: String = String::from_utf8_lossy(&cmdline)
                .split('\0')
                .filter(|a| !a.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            text.truncate(200);
            format!("{pid}: {text}")
        })
        .collect()
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
