//! Judge: a test's outcome from how its process ended, its output and its
//! trace (DESIGN §4). Suppression is applied afterwards, by the caller.

use crate::process::Ended;
use crate::process::signal;
use crate::schema::Outcome;
use blockguard_protocol::exit::BLOCKED;
use blockguard_protocol::inflight;
use blockguard_protocol::trace::Trace;
use blockguard_protocol::{Mode, TraceEvent, Verdict};
use std::time::Duration;

/// What the judge looks at.
#[derive(Debug, Clone)]
pub struct Evidence<'a> {
    /// How the process ended.
    pub ended: Ended,
    /// Its stdout.
    pub stdout: &'a str,
    /// Its stderr.
    pub stderr: &'a str,
    /// Its trace (empty when unguarded).
    pub trace: &'a Trace,
    /// Whether the guard runtime was preloaded.
    pub guarded: bool,
    /// The mode it ran in.
    pub mode: Mode,
    /// The timeout it had.
    pub timeout: Duration,
    /// The runtime's in-flight file as it stood when the timeout fired
    /// (`None`: no such file, or no timeout).
    pub in_flight: Option<&'a [u8]>,
    /// The sandbox's resource limits, when it ran in the sandbox.
    pub limits: Option<blockguard_protocol::sandbox::Limits>,
    /// In the sandbox: it filled its `/tmp` and `/dev/shm`, which hold
    /// this many bytes together.
    pub filled_tmp: Option<u64>,
}

/// The judge's verdict, before suppression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// The outcome.
    pub outcome: Outcome,
    /// Why, when it did not pass.
    pub message: Option<String>,
}

/// Denied calls listed in a `blocked` message before "and N more".
const LISTED: usize = 5;

/// Judges one test. Order matters: a timeout or a crash says more than the
/// denied calls before it; denied calls (in `deny`/`check`) outrank a
/// failure, since the guard's exit code replaces libtest's.
pub fn judge(e: &Evidence<'_>) -> Judged {
    let enforcing = matches!(e.mode, Mode::Deny | Mode::Check);
    let denied: Vec<&TraceEvent> = e.trace.denied().collect();
    match e.ended {
        Ended::TimedOut => judged(Outcome::Timeout, timeout_message(e)),
        Ended::Signaled(sig) => match e.limits.and_then(|l| limit_hit(sig, e.stderr, l)) {
            Some(why) => judged(Outcome::Limit, why),
            None => match e.filled_tmp {
                Some(size) => judged(Outcome::Limit, filled_tmp_message(size)),
                None => judged(Outcome::Crash, crash_message(sig, e.stderr)),
            },
        },
        Ended::Exited(code) if enforcing && (code == BLOCKED || !denied.is_empty()) => {
            judged(Outcome::Blocked, blocked_message(&denied, e))
        }
        Ended::Exited(0) if e.guarded && e.trace.capabilities.is_none() => judged(
            Outcome::Fail,
            "the guard runtime wrote no trace, so the test ran unguarded (is the test binary statically linked?)"
                .to_owned(),
        ),
        Ended::Exited(0) if e.guarded && !e.trace.body_returned() => judged(
            Outcome::Fail,
            "the process exited before the test body returned (exit status 0)".to_owned(),
        ),
        Ended::Exited(0) => Judged {
            outcome: Outcome::Pass,
            message: None,
        },
        Ended::Exited(code) => {
            let limit = e
                .filled_tmp
                .map(filled_tmp_message)
                .or_else(|| e.limits.and_then(|l| tmp_full(e.stderr, l)))
                .or_else(|| e.limits.and_then(|l| processes_limit_hit(e.stderr, l)));
            match limit {
                Some(why) => judged(Outcome::Limit, why),
                None => judged(Outcome::Fail, fail_message(code, e.stderr)),
            }
        }
    }
}

/// A failure on a full file system in the sandbox, where the only small
/// ones are the test's `/tmp` and `/dev/shm` (it may have emptied them
/// again before it ended, as a temporary file's drop does).
fn tmp_full(stderr: &str, limits: blockguard_protocol::sandbox::Limits) -> Option<String> {
    stderr
        .lines()
        .any(|l| l.contains("No space left on device") || l.contains("StorageFull"))
        .then(|| filled_tmp_message(limits.memory))
}

/// A failure of a test that filled its `/tmp` and `/dev/shm`.
fn filled_tmp_message(size: u64) -> String {
    format!(
        "hit the sandbox's memory limit ({size} bytes): it filled its /tmp and /dev/shm, \
         which count against it"
    )
}

/// A failure because a process or thread could not be started under the
/// sandbox's process limit (`EAGAIN` from fork or clone).
fn processes_limit_hit(
    stderr: &str,
    limits: blockguard_protocol::sandbox::Limits,
) -> Option<String> {
    let line = stderr.lines().find(|l| {
        l.contains("Resource temporarily unavailable")
            && (l.contains("spawn") || l.contains("fork") || l.contains("os error 11"))
    })?;
    Some(format!(
        "hit the sandbox's process limit ({} processes): {}",
        limits.processes,
        line.trim()
    ))
}

/// Whether a `[[suppress]]` rule may turn this outcome into `suppressed`:
/// failures of the test itself, never the guard's own `blocked`.
pub fn suppressible(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Fail | Outcome::Timeout | Outcome::Crash)
}

fn judged(outcome: Outcome, message: String) -> Judged {
    Judged {
        outcome,
        message: Some(message),
    }
}

/// `futex_wait (sync) at fixture::hangs via std::sync::mpsc::Receiver<T>::recv`.
pub fn describe(event: &TraceEvent) -> String {
    let escaped = if event.escaped { ", escaped" } else { "" };
    let farmed = if event.verdict == Verdict::Farmed {
        ", farmed"
    } else {
        ""
    };
    let contended = if event.contended { ", contended" } else { "" };
    // A call denied after it ran: over its rule's budget.
    let over = match &event.rule {
        Some(why) if event.verdict == Verdict::Denied => format!(", {why}"),
        _ => String::new(),
    };
    // A closure says which one by its place; every site gives its line.
    let site = crate::diagnostics::site_name::readable(&event.site);
    let place = match (&event.file, event.line) {
        (Some(file), Some(line)) => format!(" ({file}:{line})"),
        _ => String::new(),
    };
    format!(
        "{} ({}{escaped}{farmed}{contended}{over}) at {site} via {}{place}",
        event.call, event.class, event.via
    )
}

fn timeout_message(e: &Evidence<'_>) -> String {
    let after = format_duration(e.timeout);
    // The in-flight file names the calls under way when the timeout fired.
    if let Some(seqs) = e.in_flight.and_then(inflight::decode) {
        if seqs.is_empty() {
            return format!("timed out after {after}, no blocking call in flight");
        }
        let named: Option<Vec<String>> = seqs
            .iter()
            .map(|&seq| e.trace.by_seq(seq).map(describe))
            .collect();
        if let Some(named) = named {
            return format!("timed out after {after}, stuck in {}", named.join("; "));
        }
    }
    // Without it (an older runtime), the best guess is the last call first
    // seen: preferably a denied or farmed one (the test's own), else any.
    let stuck = e
        .trace
        .events
        .iter()
        .rev()
        .find(|ev| matches!(ev.verdict, Verdict::Denied | Verdict::Farmed))
        .or_else(|| {
            e.trace
                .events
                .iter()
                .rev()
                .find(|ev| ev.verdict == Verdict::Allowed)
        });
    match stuck {
        Some(event) => format!("timed out after {after}, stuck in {}", describe(event)),
        None if e.guarded => {
            format!("timed out after {after}; the trace names no blocking call")
        }
        None => format!("timed out after {after}"),
    }
}

/// Which of the sandbox's limits a test that died of `sig` ran into, if
/// one: a file past the size limit (SIGXFSZ), or an allocation the memory
/// limit refused (Rust's allocation-failure abort).
fn limit_hit(
    sig: i32,
    stderr: &str,
    limits: blockguard_protocol::sandbox::Limits,
) -> Option<String> {
    if sig == libc::SIGXFSZ {
        return Some(format!(
            "hit the sandbox's file-size limit ({} bytes): a file it wrote grew past it",
            limits.file_size
        ));
    }
    let failed = stderr
        .lines()
        .find(|l| l.contains("memory allocation of"))?;
    (sig == libc::SIGABRT).then(|| {
        format!(
            "hit the sandbox's memory limit ({} bytes): {}",
            limits.memory,
            failed.trim()
        )
    })
}

fn crash_message(sig: i32, stderr: &str) -> String {
    let name = signal::name(sig);
    if stderr.contains("has overflowed its stack") {
        return format!("killed by {name}: the thread overflowed its stack");
    }
    // An abort after a panic (a panic while panicking, a panic in a drop
    // during unwinding) says why in the panic, not in the signal.
    let why = panic_message(stderr).or_else(|| {
        stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_owned())
    });
    match why {
        Some(why) => format!("killed by {name}: {why}"),
        None => format!("killed by {name}"),
    }
}

fn blocked_message(denied: &[&TraceEvent], e: &Evidence<'_>) -> String {
    let mut message = if denied.is_empty() {
        format!("the guard runtime stopped the test at a denied call (exit status {BLOCKED})")
    } else {
        // Contended lock waits come and go with timing: listed apart.
        let (contended, own): (Vec<&TraceEvent>, Vec<&TraceEvent>) =
            denied.iter().partition(|ev| ev.contended);
        let mut parts = Vec::new();
        if !own.is_empty() {
            parts.push(listing(
                &own,
                "denied blocking call",
                "denied blocking calls",
            ));
        }
        if !contended.is_empty() {
            parts.push(listing(
                &contended,
                "contended lock wait (contended = \"allow\" allows it)",
                "contended lock waits (contended = \"allow\" allows them)",
            ));
        }
        parts.join("; and ")
    };
    if e.stdout.contains("test result: FAILED") {
        message.push_str(&format!(
            " (the test also failed: {})",
            panic_message(e.stderr).unwrap_or_else(|| "see its output".to_owned())
        ));
    }
    message
}

/// `N what: call; call; … and M more`.
fn listing(events: &[&TraceEvent], one: &str, many: &str) -> String {
    let n = events.len();
    let what = if n == 1 { one } else { many };
    let listed: Vec<String> = events.iter().take(LISTED).map(|ev| describe(ev)).collect();
    let mut m = format!("{n} {what}: {}", listed.join("; "));
    if n > LISTED {
        m.push_str(&format!("; and {} more", n - LISTED));
    }
    m
}

fn fail_message(code: i32, stderr: &str) -> String {
    panic_message(stderr).unwrap_or_else(|| {
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
        match last {
            Some(line) => format!("exited with status {code}: {}", line.trim()),
            None => format!("exited with status {code}"),
        }
    })
}

/// The last panic in stderr: `panicked at FILE:LINE:COL: MESSAGE…`, up to
/// the note or backtrace that follows it.
fn panic_message(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let start = lines.iter().rposition(|l| l.contains(" panicked at "))?;
    let head = lines[start];
    let head = &head[head.find("panicked at ")?..];
    let body: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with("note:") && !l.starts_with("stack backtrace:"))
        .take(12)
        .copied()
        .collect();
    let mut message = head.trim_end().to_owned();
    for line in body {
        message.push('\n');
        message.push_str(line);
    }
    Some(message.trim_end().to_owned())
}

/// `3s`, `60s`, `1500ms`.
pub fn format_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blockguard_protocol::{Capabilities, Class, Lifecycle};

    fn event(call: &str, verdict: Verdict) -> TraceEvent {
        TraceEvent::new(
            call,
            Class::Sync,
            verdict,
            "fixture::hangs",
            "std::sync::mpsc::Receiver<T>::recv",
        )
    }

    fn trace(events: Vec<TraceEvent>, returned: bool) -> Trace {
        let mut lifecycle = vec![Lifecycle::Started];
        if returned {
            lifecycle.push(Lifecycle::Returned);
        }
        Trace {
            capabilities: Some(Capabilities::default()),
            events,
            lifecycle,
            ..Trace::default()
        }
    }

    fn judge_with(ended: Ended, stderr: &str, trace: &Trace, mode: Mode) -> Judged {
        judge_in_flight(ended, stderr, trace, mode, None)
    }

    fn judge_in_flight(
        ended: Ended,
        stderr: &str,
        trace: &Trace,
        mode: Mode,
        in_flight: Option<&[u8]>,
    ) -> Judged {
        judge(&Evidence {
            ended,
            stdout: "",
            stderr,
            trace,
            guarded: true,
            mode,
            timeout: Duration::from_secs(3),
            in_flight,
            limits: None,
            filled_tmp: None,
        })
    }

    /// The verdict on a test of the sandbox (or, with no `limits`, outside
    /// it) that ended as `ended` with `stderr`.
    fn judge_limited(
        ended: Ended,
        stderr: &str,
        guarded: bool,
        limits: Option<blockguard_protocol::sandbox::Limits>,
        filled_tmp: Option<u64>,
    ) -> Judged {
        judge(&Evidence {
            ended,
            stdout: "",
            stderr,
            trace: &Trace::default(),
            guarded,
            mode: Mode::Audit,
            timeout: Duration::from_secs(3),
            in_flight: None,
            limits,
            filled_tmp,
        })
    }

    #[test]
    fn a_sandboxed_test_killed_by_a_limit_is_limit_and_elsewhere_a_crash() {
        let limits = blockguard_protocol::sandbox::Limits::default();
        let stderr = "memory allocation of 536870912 bytes failed\n";
        let of = |sig: i32, stderr: &str, limits| {
            judge_limited(Ended::Signaled(sig), stderr, true, limits, None)
        };
        let memory = of(libc::SIGABRT, stderr, Some(limits));
        assert_eq!(memory.outcome, Outcome::Limit);
        assert!(
            memory
                .message
                .unwrap()
                .contains("memory allocation of 536870912 bytes failed")
        );
        assert_eq!(of(libc::SIGXFSZ, "", Some(limits)).outcome, Outcome::Limit);
        assert_eq!(of(libc::SIGABRT, "", Some(limits)).outcome, Outcome::Crash);
        assert_eq!(of(libc::SIGABRT, stderr, None).outcome, Outcome::Crash);
        let spawn = "thread 'x' panicked at src/lib.rs:3:9:\nfailed to spawn thread: Os { code: 11, kind: WouldBlock, message: \"Resource temporarily unavailable\" }\n";
        let exited = |limits| judge_limited(Ended::Exited(101), spawn, false, limits, None);
        assert_eq!(exited(Some(limits)).outcome, Outcome::Limit);
        assert!(
            exited(Some(limits))
                .message
                .unwrap()
                .contains("process limit (4096 processes)")
        );
        assert_eq!(exited(None).outcome, Outcome::Fail);
    }

    #[test]
    fn a_sandboxed_test_that_filled_its_tmp_is_limit_even_if_it_emptied_it() {
        let limits = blockguard_protocol::sandbox::Limits::default();
        let full = "called `Result::unwrap()` on an `Err` value: Os { code: 28, kind: StorageFull, message: \"No space left on device\" }";
        let of = |ended, stderr, limits, filled_tmp| {
            judge_limited(ended, stderr, false, limits, filled_tmp)
        };
        let still_full = of(Ended::Exited(101), "", Some(limits), Some(1 << 20));
        assert_eq!(still_full.outcome, Outcome::Limit);
        let message = still_full.message.unwrap();
        assert!(
            message.contains("memory limit (1048576 bytes)"),
            "{message}"
        );
        assert!(message.contains("/tmp and /dev/shm"), "{message}");
        let emptied = of(Ended::Exited(101), full, Some(limits), None);
        assert_eq!(emptied.outcome, Outcome::Limit);
        let aborted = of(
            Ended::Signaled(libc::SIGABRT),
            "",
            Some(limits),
            Some(1 << 20),
        );
        assert_eq!(aborted.outcome, Outcome::Limit);
        // Outside the sandbox a full disk is the test's own failure.
        assert_eq!(
            of(Ended::Exited(101), full, None, None).outcome,
            Outcome::Fail
        );
        // A test that filled them and still passed passed.
        assert_eq!(
            of(Ended::Exited(0), "", Some(limits), Some(1)).outcome,
            Outcome::Pass
        );
    }

    /// A trace whose event lines carry `seq` 1, 2, ... as the runtime writes them.
    fn numbered(events: &[TraceEvent]) -> Trace {
        let mut text = String::from("{\"lifecycle\":\"started\"}\n");
        for (i, ev) in events.iter().enumerate() {
            let line = blockguard_protocol::trace::NumberedEvent {
                event: ev,
                seq: i as u64 + 1,
                test: None,
                stack: &[],
            };
            text.push_str(&serde_json::to_string(&line).unwrap());
            text.push('\n');
        }
        Trace::parse(&text)
    }

    fn slots(in_flight: &[u64]) -> Vec<u8> {
        let mut slots = vec![0; inflight::SLOTS];
        slots[..in_flight.len()].copy_from_slice(in_flight);
        inflight::encode(&slots)
    }

    #[test]
    fn exit_zero_before_the_body_returned_is_a_failure() {
        let j = judge_with(Ended::Exited(0), "", &trace(vec![], false), Mode::Check);
        assert_eq!(j.outcome, Outcome::Fail);
        assert!(j.message.unwrap().contains("before the test body returned"));
        let j = judge_with(Ended::Exited(0), "", &trace(vec![], true), Mode::Check);
        assert_eq!(j.outcome, Outcome::Pass);
    }

    #[test]
    fn a_timeout_names_the_call_it_was_stuck_in() {
        let t = trace(
            vec![
                event("write", Verdict::Allowed),
                event("futex_wait", Verdict::Denied),
            ],
            false,
        );
        let j = judge_with(Ended::TimedOut, "", &t, Mode::Check);
        assert_eq!(j.outcome, Outcome::Timeout);
        assert_eq!(
            j.message.unwrap(),
            "timed out after 3s, stuck in futex_wait (sync) at fixture::hangs via std::sync::mpsc::Receiver<T>::recv"
        );
    }

    #[test]
    fn a_timeout_names_only_the_call_in_flight() {
        let t = numbered(&[
            event("clock_nanosleep", Verdict::Denied),
            event("futex_wait", Verdict::Denied),
            event("write", Verdict::Allowed),
        ]);
        let stuck = |bytes: &[u8]| {
            let j = judge_in_flight(Ended::TimedOut, "", &t, Mode::Check, Some(bytes));
            assert_eq!(j.outcome, Outcome::Timeout);
            j.message.unwrap()
        };
        assert_eq!(
            stuck(&slots(&[1])),
            "timed out after 3s, stuck in clock_nanosleep (sync) at fixture::hangs via std::sync::mpsc::Receiver<T>::recv"
        );
        // The test's thread first, then a farm worker.
        assert_eq!(
            stuck(&slots(&[2, 0, 3])),
            "timed out after 3s, stuck in futex_wait (sync) at fixture::hangs via std::sync::mpsc::Receiver<T>::recv; \
             write (sync) at fixture::hangs via std::sync::mpsc::Receiver<T>::recv"
        );
    }

    #[test]
    fn a_timeout_after_every_call_returned_blames_none() {
        let t = numbered(&[event("clock_nanosleep", Verdict::Denied)]);
        let j = judge_in_flight(Ended::TimedOut, "", &t, Mode::Check, Some(&slots(&[])));
        assert_eq!(
            j.message.unwrap(),
            "timed out after 3s, no blocking call in flight"
        );
    }

    #[test]
    fn an_unreadable_in_flight_file_falls_back_to_the_trace() {
        let t = numbered(&[event("futex_wait", Verdict::Denied)]);
        let want = "timed out after 3s, stuck in futex_wait (sync) at fixture::hangs via std::sync::mpsc::Receiver<T>::recv";
        for bytes in [&b"torn"[..], &slots(&[9])] {
            let j = judge_in_flight(Ended::TimedOut, "", &t, Mode::Check, Some(bytes));
            assert_eq!(j.message.unwrap(), want);
        }
    }

    #[test]
    fn denied_calls_block_in_check_and_deny_but_not_in_audit() {
        let t = trace(vec![event("futex_wait", Verdict::Denied)], true);
        for mode in [Mode::Check, Mode::Deny] {
            let j = judge_with(Ended::Exited(BLOCKED), "", &t, mode);
            assert_eq!(j.outcome, Outcome::Blocked, "{mode}");
        }
        let j = judge_with(Ended::Exited(0), "", &t, Mode::Audit);
        assert_eq!(j.outcome, Outcome::Pass);
    }

    #[test]
    fn a_crash_is_named_by_its_signal() {
        let j = judge_with(
            Ended::Signaled(libc::SIGSEGV),
            "",
            &trace(vec![], false),
            Mode::Check,
        );
        assert_eq!(j.outcome, Outcome::Crash);
        assert_eq!(j.message.unwrap(), "killed by SIGSEGV");
        let overflow =
            "\nthread 't' has overflowed its stack\nfatal runtime error: stack overflow\n";
        let j = judge_with(
            Ended::Signaled(libc::SIGABRT),
            overflow,
            &trace(vec![], false),
            Mode::Check,
        );
        assert_eq!(
            j.message.unwrap(),
            "killed by SIGABRT: the thread overflowed its stack"
        );
    }

    #[test]
    fn an_abort_after_a_panic_quotes_the_panic() {
        let stderr = "\nthread 't' panicked at src/lib.rs:4:9:\nfailed to remove /tmp/x: No such file or directory\nnote: run with `RUST_BACKTRACE=1`\nthread caused non-unwinding panic. aborting.\n";
        let j = judge_with(
            Ended::Signaled(libc::SIGABRT),
            stderr,
            &trace(vec![], false),
            Mode::Check,
        );
        assert_eq!(
            j.message.unwrap(),
            "killed by SIGABRT: panicked at src/lib.rs:4:9:\nfailed to remove /tmp/x: No such file or directory"
        );
        let j = judge_with(
            Ended::Signaled(libc::SIGABRT),
            "\nmalloc(): corrupted top size\n",
            &trace(vec![], false),
            Mode::Check,
        );
        assert_eq!(
            j.message.unwrap(),
            "killed by SIGABRT: malloc(): corrupted top size"
        );
    }

    #[test]
    fn a_failure_quotes_the_panic() {
        let stderr = "\nthread 'fails' panicked at src/lib.rs:9:5:\nassertion `left == right` failed\n  left: 1\n right: 2\nnote: run with `RUST_BACKTRACE=1`\n";
        let j = judge_with(
            Ended::Exited(101),
            stderr,
            &trace(vec![], true),
            Mode::Check,
        );
        assert_eq!(j.outcome, Outcome::Fail);
        assert_eq!(
            j.message.unwrap(),
            "panicked at src/lib.rs:9:5:\nassertion `left == right` failed\n  left: 1\n right: 2"
        );
    }
}
