//! The decision for one blocking call made on the microthread: attribute
//! it, match the rules, record it once, and say whether it may run.

use crate::classify::Call;
use crate::stack::{self, MAX_FRAMES, SymbolCache};
use crate::{config, context, errno, exit, rules, scheduler, test_name, trace};
use blockguard_protocol::trace::MICROTHREAD;
use blockguard_protocol::{GuardScope, Mode, TraceEvent, Verdict};
use blockguard_rules::CallQuery;
use blockguard_rules::Placed;
use rustc_hash::{FxHashMap, FxHasher};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the hook must do with the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Run the real call.
    Run,
    /// Do not run it: stop the microthread here (deny mode).
    Stop,
    /// Run it on a worker while the microthread waits (farm mode).
    Farm,
}

#[derive(Default)]
struct State {
    /// Stack fingerprint → verdict and event: the fast path for a site
    /// seen before. The event (its site's file and line too) follows from
    /// the return addresses alone, so calls from two lines, which return
    /// to two addresses, never share an entry.
    seen: FxHashMap<u64, Seen>,
    /// Events already written, with their test (in a process that runs
    /// many), and their lines' `seq`.
    written: HashMap<(usize, TraceEvent), u64>,
    symbols: SymbolCache,
    /// Learned frame sizes for the fast stack walk.
    offsets: stack::Offsets,
}

/// A site seen before.
struct Seen {
    verdict: Verdict,
    event: Arc<TraceEvent>,
    /// Its event, with the rules' verdict, is in the trace.
    written: bool,
    /// That line's `seq`.
    seq: u64,
    /// False for a worker thread's call outside any task poll: not judged.
    judged: bool,
    /// The stack it was first seen with, for its event line.
    stack: Stack,
    /// The allowing rule's budget per call.
    under: Option<Duration>,
    /// It is a lock wait (see [`crate::lock_wait`]).
    lock_wait: bool,
    /// The `seq` of its over-budget line, once written (0: none yet): one
    /// line per site, named for the first call that ran over.
    over_seq: u64,
}

/// Frame names, innermost first, without the guard's own.
pub(crate) type Stack = Arc<[Arc<str>]>;

/// What a call's judgment still needs once it has returned (see
/// [`crate::settle`]).
pub struct Settle {
    /// The site's fingerprint.
    pub key: u64,
    /// The site's event as judged before the call.
    pub event: Arc<TraceEvent>,
    /// The stack it was first seen with.
    pub stack: Stack,
    /// The allowing rule's budget per call.
    pub under: Option<Duration>,
    /// The call is a lock wait (see [`crate::lock_wait`]).
    pub lock_wait: bool,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

/// The guard's state, waited for as long as a first symbolisation may take.
/// Several threads judge at once (the test's, executor workers, probed
/// threads); a call let through unjudged because another thread held the
/// lock would be a miss. Re-entry on one thread (a hook reached from a hook
/// or a signal handler) never gets here: `enter_guard` passes it through.
/// The wait backs off from yields to short sleeps, so that waiting threads
/// leave the CPU to the one symbolising, and it gives up after
/// [`PATIENCE`] rather than risk a deadlock.
fn lock_state() -> Option<std::sync::MutexGuard<'static, Option<State>>> {
    let start = std::time::Instant::now();
    let mut pause = std::time::Duration::ZERO;
    loop {
        match STATE.try_lock() {
            Ok(guard) => return Some(guard),
            Err(std::sync::TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if start.elapsed() < PATIENCE => {
                if pause.is_zero() {
                    std::thread::yield_now();
                } else {
                    std::thread::sleep(pause);
                }
                pause = (pause * 2).clamp(FIRST_PAUSE, LONGEST_PAUSE);
            }
            Err(std::sync::TryLockError::WouldBlock) => return None,
        }
    }
}

/// How long a call waits for the guard's state before it runs unjudged.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);
/// The first and the longest pause between tries.
const FIRST_PAUSE: std::time::Duration = std::time::Duration::from_micros(20);
const LONGEST_PAUSE: std::time::Duration = std::time::Duration::from_millis(1);

/// Judges a blocking call on the microthread. `escaped` marks calls that
/// did not come through an interposed entry point; `direct` names the API
/// for a site that reached the call with no std or libc frame between.
/// Also returns the `seq` of the call's event line (0: none), for the
/// in-flight slots, and for a call whose judgment waits for its end (a
/// budget per call, a lock wait) what settles it; its line is written then.
#[inline(always)]
pub fn judge(
    call: Call,
    escaped: bool,
    direct: &'static str,
    thread_bound: bool,
) -> (Decision, u64, Option<Settle>) {
    let Some(_scope) = context::enter_guard() else {
        return (Decision::Run, 0, None);
    };
    let _errno = errno::Saved::now();
    let Some(cfg) = config::get() else {
        return (Decision::Run, 0, None);
    };
    let at = stack::here();
    // A probed thread is judged as a worker until it proves to be one.
    let probing = context::probing();
    let worker = probing || context::on_executor_thread();
    let Some(mut guard) = lock_state() else {
        return (Decision::Run, 0, None);
    };
    let state = guard.get_or_insert_with(State::default);
    let mut ips = [0usize; MAX_FRAMES];
    // The fast walk stays inside the stack it walks: the microthread's, or
    // a worker thread's own. Escapes arrive through a signal frame, which
    // the fast walk cannot cross.
    let bounds = if worker {
        stack::thread_stack()
    } else {
        scheduler::stack_bounds()
    };
    let n = stack::capture(&mut ips, &mut state.offsets, at, bounds, !escaped);
    let key = fingerprint(&call, escaped, &ips[..n]);
    // One lookup on the hot path: a site seen before.
    let seen = state.seen.entry(key).or_insert_with(|| {
        let how = How {
            escaped,
            direct,
            worker,
            may_farm: !worker && farmable(escaped, thread_bound),
        };
        let sight = first_sight(&mut state.symbols, cfg, &call, &how, &ips[..n]);
        let (sight, judged) = match sight {
            Some(sight) => (sight, true),
            // Never written: it only marks the site as not the guards'.
            None => (
                Sight {
                    verdict: Verdict::Allowed,
                    event: unjudged(&call, escaped),
                    stack: Stack::default(),
                    under: None,
                    lock_wait: false,
                },
                false,
            ),
        };
        Seen {
            verdict: sight.verdict,
            event: Arc::new(sight.event),
            written: !judged,
            seq: 0,
            judged,
            stack: sight.stack,
            under: sight.under,
            lock_wait: sight.lock_wait,
            over_seq: 0,
        }
    });
    // A worker thread's call outside any task poll is not the guards'.
    if !seen.judged {
        return (Decision::Run, 0, None);
    }
    if probing {
        context::set_executor_thread();
        crate::inflight::bind_next();
    }
    let verdict = seen.verdict;
    // An open allow_blocking or expect_blocking scope allows what the
    // rules did not.
    let scope = if verdict == Verdict::Allowed {
        scheduler::count_expected(call.class);
        None
    } else {
        scheduler::active_scope(call.class)
    };
    if let Some(reason) = scope {
        let allowed = TraceEvent {
            verdict: Verdict::Allowed,
            rule: Some(reason),
            rule_id: Some("scope".to_owned()),
            ..(*seen.event).clone()
        };
        return (
            Decision::Run,
            record(&mut state.written, allowed, &seen.stack),
            None,
        );
    }
    let decision = match verdict {
        Verdict::Allowed => Decision::Run,
        Verdict::Farmed => Decision::Farm,
        Verdict::Denied => {
            exit::note_denied();
            if cfg.mode == Mode::Deny {
                Decision::Stop
            } else {
                Decision::Run
            }
        }
    };
    // A call that runs and whose verdict waits for its end is written then.
    if decision == Decision::Run && (seen.under.is_some() || seen.lock_wait) {
        let settle = Settle {
            key,
            event: Arc::clone(&seen.event),
            stack: Arc::clone(&seen.stack),
            under: seen.under,
            lock_wait: seen.lock_wait,
        };
        return (decision, 0, Some(settle));
    }
    if !seen.written {
        seen.written = true;
        seen.seq = record(&mut state.written, (*seen.event).clone(), &seen.stack);
    }
    (decision, seen.seq, None)
}

/// Writes the line of a call settled after it returned; its `seq`.
pub fn record_settled(event: TraceEvent, stack: &Stack) -> u64 {
    let Some(mut guard) = lock_state() else {
        return 0;
    };
    let state = guard.get_or_insert_with(State::default);
    record(&mut state.written, event, stack)
}

/// Writes the over-budget line of the site `key`, unless it has one; its
/// `seq`.
pub fn record_over_budget(key: u64, event: TraceEvent, stack: &Stack) -> u64 {
    let Some(mut guard) = lock_state() else {
        return 0;
    };
    let state = guard.get_or_insert_with(State::default);
    if let Some(&Seen { over_seq, .. }) = state.seen.get(&key)
        && over_seq != 0
    {
        return over_seq;
    }
    let seq = record(&mut state.written, event, stack);
    if let Some(seen) = state.seen.get_mut(&key) {
        seen.over_seq = seq;
    }
    seq
}

/// The placeholder event of a site that is not judged.
fn unjudged(call: &Call, escaped: bool) -> TraceEvent {
    TraceEvent {
        escaped,
        ..TraceEvent::new(call.name, call.class, Verdict::Allowed, "", "")
    }
}

/// Writes `event`, first seen with `stack`, unless an equal one of this
/// thread's test was written; the `seq` of its line.
fn record(
    written: &mut HashMap<(usize, TraceEvent), u64>,
    event: TraceEvent,
    stack: &Stack,
) -> u64 {
    let key = (test_name::index(), event);
    if let Some(&seq) = written.get(&key) {
        return seq;
    }
    let names: Vec<&str> = stack.iter().map(|n| &**n).collect();
    let seq = trace::event(&key.1, &names);
    written.insert(key, seq);
    seq
}

/// Whether farm mode may run this call on a worker: not when its hook
/// declares it tied to the calling thread (locks it would own, its signal
/// mask), and not when it arrived through a signal frame (a raw syscall),
/// which cannot suspend.
fn farmable(escaped: bool, thread_bound: bool) -> bool {
    !escaped && !thread_bound
}

fn fingerprint(call: &Call, escaped: bool, ips: &[usize]) -> u64 {
    let mut h = FxHasher::default();
    call.name.hash(&mut h);
    call.class.hash(&mut h);
    escaped.hash(&mut h);
    // The descriptor matters only where a rule names it.
    call.fd.filter(|&fd| rules::names_fd(fd)).hash(&mut h);
    // Rules may name tests: a site is seen anew by each test.
    test_name::index().hash(&mut h);
    ips.hash(&mut h);
    h.finish()
}

/// Under `--guard tasks`, the test's body (its main microthread) outside
/// any task poll is not a guarded context; the microthreads it spawns are.
fn outside_the_scope(cfg: &config::Config) -> bool {
    cfg.guard == GuardScope::Tasks && scheduler::current() == Some(0)
}

/// How a call reached the guard.
struct How {
    /// It did not come through an interposed entry point.
    escaped: bool,
    /// The API for a site that reached the call with no std or libc frame between.
    direct: &'static str,
    /// It was made on an executor's worker thread.
    worker: bool,
    /// Farm mode may run it on a worker.
    may_farm: bool,
}

/// What a site seen for the first time is judged to be.
struct Sight {
    verdict: Verdict,
    event: TraceEvent,
    stack: Stack,
    /// The allowing rule's budget per call.
    under: Option<Duration>,
    /// It is a lock wait.
    lock_wait: bool,
}

/// The verdict, event and stack of a call at a site seen for the first
/// time; `None` for a worker thread's call outside any task poll.
fn first_sight(
    symbols: &mut SymbolCache,
    cfg: &config::Config,
    call: &Call,
    how: &How,
    ips: &[usize],
) -> Option<Sight> {
    let &How {
        escaped,
        direct,
        worker,
        may_farm,
    } = how;
    let mut frames = Vec::new();
    for &ip in ips {
        let at = symbols.frames(ip);
        let entry = at.iter().any(|f| stack::is_test_entry(&f.name));
        if entry {
            stack::set_test_entry(ip);
        }
        // A std function the innermost caller tail-called left no frame.
        if let Some(callee) = stack::hidden_std_callee(symbols, ip, &at, &frames) {
            frames.extend(callee.iter().cloned());
        }
        frames.extend(at.iter().cloned());
        // Beyond the entry are libtest's and std's thread start-up, which
        // later walks never reach: not resolved (std's units are most of
        // what a first resolve in a process costs).
        if entry {
            break;
        }
    }
    let called = stack::Called {
        call: call.name,
        direct,
    };
    let attribution = stack::attribute(&frames, called, &cfg.under_test);
    // The frames the rules see: all but the guard's own, with where each
    // is among all.
    let kept_at: Vec<usize> = (0..frames.len())
        .filter(|&i| frames[i].kind != stack::Kind::Guard)
        .collect();
    let kept: Vec<&stack::Frame> = kept_at.iter().map(|&i| &frames[i]).collect();
    let names: Vec<&str> = kept.iter().map(|f| &*f.name).collect();
    let stack: Stack = kept.iter().map(|f| Arc::clone(&f.name)).collect();
    let lock_wait = crate::lock_wait::is_lock_wait(call.name, call.class, &names);
    let sight = |verdict, event, under| Sight {
        verdict,
        event,
        stack: Arc::clone(&stack),
        under,
        lock_wait,
    };
    let query = CallQuery {
        call: call.name,
        class: call.class,
        fd: call.fd,
        binary: cfg.binary.as_deref(),
        test: test_name::current().unwrap_or(""),
        frames: &names,
        lock_wait,
    };
    let placed = rules::place(&names);
    // The rules come first (stdout and stderr, std's panic machinery, the
    // suite's allowances), except where the call is not the guards' at all.
    let rule = match placed {
        Placed::Outside if worker || outside_the_scope(cfg) => return None,
        _ => rules::first_allow(&query),
    };
    let mut event = TraceEvent {
        escaped,
        context: Some(MICROTHREAD.to_owned()),
        ..TraceEvent::new(call.name, call.class, Verdict::Denied, "", "")
    };
    let site = attribution.site_index;
    attributed(&mut event, attribution);
    match (placed, rule) {
        (_, Some(rule)) => {
            event.verdict = Verdict::Allowed;
            event.rule = Some(rule.reason.clone());
            event.rule_id = Some(rule.id.clone());
            if let Placed::InTask(e) | Placed::Machinery(e, _) | Placed::Nested { outer: e, .. } =
                placed
            {
                event.context = Some(e.context_on(worker, &names).to_owned());
            }
            return Some(sight(Verdict::Allowed, event, rule.under));
        }
        (Placed::Machinery(executor, rule), None) => {
            event.verdict = Verdict::Allowed;
            event.rule = Some(rule.reason.clone());
            event.rule_id = Some(rule.id.clone());
            event.context = Some(executor.context_on(worker, &names).to_owned());
            return Some(sight(Verdict::Allowed, event, None));
        }
        (Placed::Nested { outer, entry }, None) => {
            // The block_on is the API; the site is the user code that
            // called it from inside the outer executor's task: the code
            // under test out from it, else the first crate frame that is
            // no executor's.
            let out_from = kept_at[entry];
            let site = site
                .filter(|&i| i > out_from && !event.outside)
                .or_else(|| {
                    kept_at[entry + 1..].iter().copied().find(|&i| {
                        frames[i].kind == stack::Kind::User
                            && !rules::is_executor_frame(&frames[i].name)
                    })
                });
            if let Some(site) = site {
                let at = stack::attribute_at(&frames, site, called, &cfg.under_test);
                attributed(&mut event, at);
            }
            event.via = names[entry].to_owned();
            event.context = Some(outer.context_on(worker, &names).to_owned());
            return Some(sight(Verdict::Denied, event, None));
        }
        (Placed::InTask(executor), None) => {
            event.context = Some(executor.context_on(worker, &names).to_owned());
        }
        (Placed::Outside, None) => {}
    }
    event.verdict = if cfg.mode == Mode::Farm && may_farm {
        Verdict::Farmed
    } else {
        Verdict::Denied
    };
    Some(sight(event.verdict, event, None))
}

/// Puts where the call came from into its event.
fn attributed(event: &mut TraceEvent, a: stack::Attribution) {
    event.site = a.site;
    event.via = a.via;
    event.file = a.file;
    event.line = a.line;
    event.column = a.column;
    event.chain = a.chain;
    event.outside = a.outside;
}
