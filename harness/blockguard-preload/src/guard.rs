//! The decision for one blocking call made on the microthread: attribute
//! it, match the rules, record it once, and say whether it may run.

use crate::classify::Call;
use crate::stack::{self, MAX_FRAMES, SymbolCache};
use crate::{config, context, errno, rules, scheduler, trace};
use blockguard_protocol::{Mode, TraceEvent, Verdict};
use blockguard_rules::CallQuery;
use rustc_hash::{FxHashMap, FxHasher};
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What the hook must do with the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Run the real call.
    Run,
    /// Do not run it: stop the microthread here (deny mode).
    Stop,
}

#[derive(Default)]
struct State {
    /// Stack fingerprint → verdict: the fast path for a site seen before.
    seen: FxHashMap<u64, Verdict>,
    /// Events already written.
    written: HashSet<TraceEvent>,
    symbols: SymbolCache,
    /// Learned frame sizes for the fast stack walk.
    offsets: stack::Offsets,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);
static DENIED: AtomicUsize = AtomicUsize::new(0);

/// How many calls were denied so far.
pub fn denied_count() -> usize {
    DENIED.load(Ordering::Relaxed)
}

/// Judges a blocking call on the microthread. `escaped` marks calls that
/// did not come through an interposed entry point; `direct` names the API
/// for a site that reached the call with no std or libc frame between.
#[inline(always)]
pub fn judge(call: Call, escaped: bool, direct: &'static str) -> Decision {
    let Some(_scope) = context::enter_guard() else {
        return Decision::Run;
    };
    let _errno = errno::Saved::now();
    let Some(cfg) = config::get() else {
        return Decision::Run;
    };
    let at = stack::here();
    // Never wait for the lock: a hook re-entered while it is held (from a
    // signal handler, say) lets its call through unjudged.
    let Ok(mut guard) = STATE.try_lock() else {
        return Decision::Run;
    };
    let state = guard.get_or_insert_with(State::default);
    let mut ips = [0usize; MAX_FRAMES];
    // Escapes arrive through a signal frame, which the fast walk cannot cross.
    let n = stack::capture(
        &mut ips,
        &mut state.offsets,
        at,
        scheduler::stack_bounds(),
        !escaped,
    );
    let key = fingerprint(&call, escaped, &ips[..n]);
    let verdict = match state.seen.get(&key) {
        Some(v) => *v,
        None => {
            let v = first_sight(state, cfg, call, escaped, direct, &ips[..n]);
            state.seen.insert(key, v);
            v
        }
    };
    drop(guard);
    if verdict != Verdict::Denied {
        return Decision::Run;
    }
    DENIED.fetch_add(1, Ordering::Relaxed);
    if cfg.mode == Mode::Deny {
        Decision::Stop
    } else {
        Decision::Run
    }
}

fn fingerprint(call: &Call, escaped: bool, ips: &[usize]) -> u64 {
    let mut h = FxHasher::default();
    call.name.hash(&mut h);
    call.class.hash(&mut h);
    escaped.hash(&mut h);
    // The descriptor matters only where a rule names it.
    call.fd.filter(|&fd| rules::names_fd(fd)).hash(&mut h);
    ips.hash(&mut h);
    h.finish()
}

fn first_sight(
    state: &mut State,
    cfg: &config::Config,
    call: Call,
    escaped: bool,
    direct: &'static str,
    ips: &[usize],
) -> Verdict {
    let mut frames = Vec::new();
    for &ip in ips {
        let at = state.symbols.frames(ip);
        if at
            .iter()
            .any(|f| f.name.ends_with("__rust_begin_short_backtrace"))
        {
            stack::set_test_entry(ip);
        }
        frames.extend(at.iter().cloned());
    }
    let attribution = stack::attribute(&frames, direct);
    let names: Vec<&str> = frames
        .iter()
        .filter(|f| f.kind != stack::Kind::Guard)
        .map(|f| &*f.name)
        .collect();
    let query = CallQuery {
        call: call.name,
        class: call.class,
        fd: call.fd,
        binary: cfg.binary.as_deref(),
        test: cfg.test.as_deref().unwrap_or(""),
        frames: &names,
    };
    let rule = rules::first_allow(&query);
    let verdict = if rule.is_some() {
        Verdict::Allowed
    } else {
        Verdict::Denied
    };
    let event = TraceEvent {
        call: call.name.to_owned(),
        class: call.class,
        verdict,
        escaped,
        site: attribution.site.to_string(),
        via: attribution.via.to_string(),
        rule: rule.map(|r| r.reason.clone()),
        rule_id: rule.map(|r| r.id.clone()),
    };
    if state.written.insert(event.clone()) {
        trace::event(event);
    }
    verdict
}
