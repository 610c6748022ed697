//! The run as the dashboard knows it: every test and every site, kept up
//! to date from the runner and from the running tests' files. Each change
//! returns the [`Change`]s that the event stream announces.

use super::view::{
    DetailEvent, RunView, SCHEMA, SiteKey, SiteView, TestCall, TestDetail, TestState, TestView,
};
use crate::schema::Outcome;
use blockguard_protocol::tally::Figures;
use blockguard_protocol::trace::Trace;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// A change, as `/events` names it.
#[derive(Debug, Clone)]
pub enum Change {
    /// A test's process started.
    TestStarted(usize),
    /// A test's calls or figures changed while it runs.
    TestUpdated(usize),
    /// A test was judged.
    TestFinished(usize),
    /// A site was seen for the first time.
    Site(usize),
    /// A site's figures changed.
    SiteUpdated(usize),
    /// The run ended.
    Done,
}

/// One call of one test, as its trace and tally say.
#[derive(Debug, Clone)]
struct Call {
    site_id: usize,
    rule: Option<String>,
    figures: Figures,
    stack: Vec<String>,
}

#[derive(Debug, Clone)]
struct Test {
    suite: String,
    binary: String,
    name: String,
    state: TestState,
    outcome: Option<Outcome>,
    started: Option<Instant>,
    duration_ms: Option<u64>,
    message: Option<String>,
    calls: Vec<Call>,
    stderr_tail: String,
}

#[derive(Debug, Clone)]
struct Site {
    key: SiteKey,
    rule: Option<String>,
    /// Per test that made it: its figures.
    by_test: BTreeMap<usize, Figures>,
}

/// The whole run.
#[derive(Debug)]
pub struct LiveState {
    suite: String,
    mode: String,
    started: Instant,
    ended_ms: Option<u64>,
    exit_code: Option<i32>,
    tests: Vec<Test>,
    by_name: HashMap<(String, String, String), usize>,
    sites: Vec<Site>,
    site_ids: HashMap<SiteKey, usize>,
}

/// The end of a test's standard error that the detail keeps.
pub const STDERR_TAIL: usize = 8 * 1024;

impl LiveState {
    /// A run of `suite` in `mode`, with nothing queued yet.
    pub fn new(suite: &str, mode: &str) -> LiveState {
        LiveState {
            suite: suite.to_owned(),
            mode: mode.to_owned(),
            started: Instant::now(),
            ended_ms: None,
            exit_code: None,
            tests: Vec::new(),
            by_name: HashMap::new(),
            sites: Vec::new(),
            site_ids: HashMap::new(),
        }
    }

    /// Names the run's suite and mode, once they are known.
    pub fn describe(&mut self, suite: &str, mode: &str) {
        suite.clone_into(&mut self.suite);
        mode.clone_into(&mut self.mode);
    }

    /// Queues a test of `suite` (the run's own when `None`); its id.
    pub fn queue(&mut self, suite: Option<&str>, binary: &str, name: &str) -> usize {
        let suite = suite.unwrap_or(&self.suite).to_owned();
        let key = (suite.clone(), binary.to_owned(), name.to_owned());
        if let Some(&id) = self.by_name.get(&key) {
            return id;
        }
        let id = self.tests.len();
        self.tests.push(Test {
            suite,
            binary: binary.to_owned(),
            name: name.to_owned(),
            state: TestState::Queued,
            outcome: None,
            started: None,
            duration_ms: None,
            message: None,
            calls: Vec::new(),
            stderr_tail: String::new(),
        });
        self.by_name.insert(key, id);
        id
    }

    /// The id of a queued test.
    pub fn id_of(&self, suite: Option<&str>, binary: &str, name: &str) -> Option<usize> {
        let suite = suite.unwrap_or(&self.suite).to_owned();
        self.by_name
            .get(&(suite, binary.to_owned(), name.to_owned()))
            .copied()
    }

    /// Test `id`'s process started (again, on a retry: its calls so far
    /// are forgotten).
    pub fn start(&mut self, id: usize) -> Vec<Change> {
        let mut changes = self.set_calls(id, Vec::new());
        let Some(test) = self.tests.get_mut(id) else {
            return changes;
        };
        test.state = TestState::Running;
        test.started = Some(Instant::now());
        test.outcome = None;
        changes.insert(0, Change::TestStarted(id));
        changes
    }

    /// What test `id`'s trace and tally say now: its calls, replaced.
    /// Events without figures (a process that keeps no tally) count once.
    pub fn observe(
        &mut self,
        id: usize,
        trace: &Trace,
        test: Option<&str>,
        tally: &BTreeMap<u64, Figures>,
    ) -> Vec<Change> {
        let seq_of: HashMap<usize, u64> = trace.seqs.iter().map(|(&s, &i)| (i, s)).collect();
        let indices: Vec<usize> = match test.and_then(|t| trace.by_test.get(t)) {
            Some(of_test) => of_test.events.clone(),
            None if test.is_some() => Vec::new(),
            None => (0..trace.events.len()).collect(),
        };
        let mut merged: Vec<(SiteKey, Option<String>, Figures, Vec<String>)> = Vec::new();
        for index in indices {
            let event = &trace.events[index];
            let key = SiteKey::of(event);
            let figures = seq_of
                .get(&index)
                .and_then(|seq| tally.get(seq))
                .copied()
                .unwrap_or(Figures {
                    calls: 1,
                    blocked_ns: 0,
                });
            let stack = trace.stacks.get(&index).cloned().unwrap_or_default();
            match merged.iter_mut().find(|(k, ..)| *k == key) {
                Some((_, _, f, s)) => {
                    f.calls += figures.calls;
                    f.blocked_ns += figures.blocked_ns;
                    if s.is_empty() {
                        *s = stack;
                    }
                }
                None => merged.push((key, event.rule.clone(), figures, stack)),
            }
        }
        let mut changes = Vec::new();
        let calls = merged
            .into_iter()
            .map(|(key, rule, figures, stack)| {
                let site_id = self.site_id(key, &rule, &mut changes);
                Call {
                    site_id,
                    rule,
                    figures,
                    stack,
                }
            })
            .collect();
        changes.extend(self.set_calls(id, calls));
        changes
    }

    /// Test `id` was judged.
    pub fn finish(
        &mut self,
        id: usize,
        outcome: Outcome,
        duration_ms: u64,
        message: Option<String>,
    ) -> Vec<Change> {
        let Some(test) = self.tests.get_mut(id) else {
            return Vec::new();
        };
        test.state = TestState::Finished;
        test.outcome = Some(outcome);
        test.duration_ms = Some(duration_ms);
        test.message = message;
        vec![Change::TestFinished(id)]
    }

    /// Takes on test `id` as another run's dashboard showed it (a nightly's
    /// suites each run in a child of their own): its state and calls, and
    /// with `detail` their stacks and its stderr.
    pub fn absorb(
        &mut self,
        id: usize,
        view: &TestView,
        detail: Option<&TestDetail>,
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        let calls = view
            .blocking
            .iter()
            .map(|c| {
                let stack = detail
                    .and_then(|d| d.events.iter().find(|e| e.call.key == c.key))
                    .map(|e| e.stack.clone())
                    .or_else(|| {
                        self.tests.get(id)?.calls.iter().find_map(|known| {
                            (self.sites[known.site_id].key == c.key).then(|| known.stack.clone())
                        })
                    })
                    .unwrap_or_default();
                Call {
                    site_id: self.site_id(c.key.clone(), &c.rule, &mut changes),
                    rule: c.rule.clone(),
                    figures: Figures {
                        calls: c.count,
                        blocked_ns: c.blocked_ns,
                    },
                    stack,
                }
            })
            .collect();
        changes.extend(self.set_calls(id, calls));
        let Some(test) = self.tests.get_mut(id) else {
            return changes;
        };
        if let Some(detail) = detail {
            detail.stderr_tail.clone_into(&mut test.stderr_tail);
        }
        let was = test.state;
        test.state = view.state;
        test.outcome = view.outcome;
        test.message.clone_from(&view.message);
        match view.state {
            TestState::Running if was != TestState::Running => {
                test.started = Some(Instant::now());
                changes.insert(0, Change::TestStarted(id));
            }
            TestState::Finished => {
                test.duration_ms = view.duration_ms;
                if was != TestState::Finished {
                    changes.push(Change::TestFinished(id));
                }
            }
            _ => {}
        }
        changes
    }

    /// Keeps the end of test `id`'s standard error.
    pub fn stderr(&mut self, id: usize, stderr: &str) {
        if let Some(test) = self.tests.get_mut(id) {
            test.stderr_tail = tail(stderr, STDERR_TAIL).to_owned();
        }
    }

    /// The run ended with `exit_code`.
    pub fn end(&mut self, exit_code: i32) -> Vec<Change> {
        if self.ended_ms.is_some() {
            return Vec::new();
        }
        self.ended_ms = Some(elapsed_ms(self.started));
        self.exit_code = Some(exit_code);
        vec![Change::Done]
    }

    /// The tests running now.
    pub fn running(&self) -> Vec<usize> {
        (0..self.tests.len())
            .filter(|&id| self.tests[id].state == TestState::Running)
            .collect()
    }

    /// The run as the API shows it; `event_id` is the last event it includes.
    pub fn view(&self, event_id: u64) -> RunView {
        RunView {
            schema: SCHEMA.to_owned(),
            suite: self.suite.clone(),
            mode: self.mode.clone(),
            done: self.ended_ms.is_some(),
            exit_code: self.exit_code,
            elapsed_ms: self.ended_ms.unwrap_or_else(|| elapsed_ms(self.started)),
            event_id,
            tests: (0..self.tests.len())
                .filter_map(|id| self.test_view(id))
                .collect(),
            sites: (0..self.sites.len())
                .filter_map(|id| self.site_view(id))
                .collect(),
        }
    }

    /// One test as the API shows it.
    pub fn test_view(&self, id: usize) -> Option<TestView> {
        let test = self.tests.get(id)?;
        let duration_ms = match (test.state, test.started) {
            (TestState::Running, Some(started)) => Some(elapsed_ms(started)),
            _ => test.duration_ms,
        };
        Some(TestView {
            id,
            suite: test.suite.clone(),
            binary: test.binary.clone(),
            name: test.name.clone(),
            state: test.state,
            outcome: test.outcome,
            duration_ms,
            message: test.message.clone(),
            blocking: test.calls.iter().map(|c| self.test_call(c)).collect(),
        })
    }

    /// One test in full (its in-flight calls are the caller's to add).
    pub fn detail(&self, id: usize) -> Option<TestDetail> {
        let test = self.tests.get(id)?;
        Some(TestDetail {
            test: self.test_view(id)?,
            events: test
                .calls
                .iter()
                .map(|c| DetailEvent {
                    call: self.test_call(c),
                    stack: c.stack.clone(),
                })
                .collect(),
            in_flight: Vec::new(),
            microthreads: Vec::new(),
            stderr_tail: test.stderr_tail.clone(),
        })
    }

    /// One site as the API shows it.
    pub fn site_view(&self, id: usize) -> Option<SiteView> {
        let site = self.sites.get(id)?;
        Some(SiteView {
            id,
            key: site.key.clone(),
            rule: site.rule.clone(),
            count: site.by_test.values().map(|f| f.calls).sum(),
            tests: site.by_test.len(),
            blocked_ns: site.by_test.values().map(|f| f.blocked_ns).sum(),
        })
    }

    /// The site of `key`, added (and announced) if it is new.
    pub fn site_id(
        &mut self,
        key: SiteKey,
        rule: &Option<String>,
        changes: &mut Vec<Change>,
    ) -> usize {
        if let Some(&id) = self.site_ids.get(&key) {
            return id;
        }
        let id = self.sites.len();
        self.sites.push(Site {
            key: key.clone(),
            rule: rule.clone(),
            by_test: BTreeMap::new(),
        });
        self.site_ids.insert(key, id);
        changes.push(Change::Site(id));
        id
    }

    fn test_call(&self, call: &Call) -> TestCall {
        TestCall {
            site_id: call.site_id,
            key: self.sites[call.site_id].key.clone(),
            rule: call.rule.clone(),
            count: call.figures.calls,
            blocked_ns: call.figures.blocked_ns,
        }
    }

    /// Replaces test `id`'s calls, and its share in every site's figures.
    fn set_calls(&mut self, id: usize, calls: Vec<Call>) -> Vec<Change> {
        let Some(test) = self.tests.get_mut(id) else {
            return Vec::new();
        };
        let before: Vec<(usize, Figures)> =
            test.calls.iter().map(|c| (c.site_id, c.figures)).collect();
        let after: Vec<(usize, Figures)> = calls.iter().map(|c| (c.site_id, c.figures)).collect();
        test.calls = calls;
        if before == after {
            return Vec::new();
        }
        let mut touched: Vec<usize> = before.iter().chain(&after).map(|(s, _)| *s).collect();
        touched.sort_unstable();
        touched.dedup();
        for &site in &touched {
            self.sites[site].by_test.remove(&id);
        }
        for (site, figures) in after {
            self.sites[site].by_test.insert(id, figures);
        }
        let mut changes = vec![Change::TestUpdated(id)];
        changes.extend(touched.into_iter().map(Change::SiteUpdated));
        changes
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The last `max` bytes of `text`, cut at a character boundary.
fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use blockguard_protocol::trace::NumberedEvent;
    use blockguard_protocol::{Class, TraceEvent, Verdict};

    fn event(call: &str, site: &str) -> TraceEvent {
        TraceEvent {
            call: call.into(),
            class: Class::Sleep,
            verdict: Verdict::Denied,
            escaped: false,
            site: site.into(),
            via: "std::thread::sleep".into(),
            rule: None,
            rule_id: None,
            context: Some("microthread".into()),
        }
    }

    /// A trace of `events`, numbered from 1, each with a one-frame stack.
    fn trace(events: &[TraceEvent]) -> Trace {
        let mut text = String::new();
        for (i, e) in events.iter().enumerate() {
            let line = NumberedEvent {
                event: e,
                seq: i as u64 + 1,
                test: None,
                stack: &[&e.site],
            };
            text.push_str(&serde_json::to_string(&line).unwrap());
            text.push('\n');
        }
        Trace::parse(&text)
    }

    fn figures(pairs: &[(u64, u64, u64)]) -> BTreeMap<u64, Figures> {
        pairs
            .iter()
            .map(|&(seq, calls, blocked_ns)| (seq, Figures { calls, blocked_ns }))
            .collect()
    }

    #[test]
    fn a_site_sums_its_tests_and_a_new_look_at_a_test_replaces_its_share() {
        let mut state = LiveState::new("s", "check");
        let a = state.queue(None, "b", "a");
        let b = state.queue(None, "b", "b");
        state.start(a);
        state.start(b);
        let nap = event("clock_nanosleep", "x::naps");
        let changes = state.observe(
            a,
            &trace(std::slice::from_ref(&nap)),
            None,
            &figures(&[(1, 3, 30)]),
        );
        assert!(matches!(changes[0], Change::Site(0)), "{changes:?}");
        state.observe(
            b,
            &trace(std::slice::from_ref(&nap)),
            None,
            &figures(&[(1, 2, 20)]),
        );
        // A later look at `a`: its figures grew; they replace, not add.
        state.observe(a, &trace(&[nap]), None, &figures(&[(1, 5, 50)]));
        let site = state.site_view(0).unwrap();
        assert_eq!((site.count, site.tests, site.blocked_ns), (7, 2, 70));
        let detail = state.detail(a).unwrap();
        assert_eq!(detail.events[0].stack, ["x::naps"]);
        assert_eq!(state.view(0).sites.len(), 1);
    }

    #[test]
    fn events_without_figures_count_once_and_equal_keys_merge() {
        let mut state = LiveState::new("s", "check");
        let id = state.queue(None, "b", "t");
        state.start(id);
        let read = event("read", "x::reads");
        let text = format!(
            "{}\n{}\n",
            serde_json::to_string(&read).unwrap(),
            serde_json::to_string(&read).unwrap()
        );
        state.observe(id, &Trace::parse(&text), None, &BTreeMap::new());
        let test = state.test_view(id).unwrap();
        assert_eq!(test.blocking.len(), 1);
        assert_eq!(test.blocking[0].count, 2);
    }

    #[test]
    fn a_test_taken_from_another_run_keeps_its_state_stacks_and_stderr() {
        let mut source = LiveState::new("child", "check");
        let id = source.queue(None, "b", "t");
        source.start(id);
        source.observe(
            id,
            &trace(&[event("clock_nanosleep", "x::naps")]),
            None,
            &figures(&[(1, 4, 9)]),
        );
        source.stderr(id, "it said so");
        source.finish(id, Outcome::Blocked, 12, Some("why".into()));
        let detail = source.detail(id).unwrap();

        let mut nightly = LiveState::new("nightly", "per suite");
        let there = nightly.queue(Some("child@stable"), "b", "t");
        let changes = nightly.absorb(there, &detail.test, Some(&detail));
        assert!(changes.iter().any(|c| matches!(c, Change::TestFinished(_))));
        let taken = nightly.detail(there).unwrap();
        assert_eq!(taken.test.outcome, Some(Outcome::Blocked));
        assert_eq!(taken.test.suite, "child@stable");
        assert_eq!(taken.events[0].call.count, 4);
        assert_eq!(taken.events[0].stack, ["x::naps"]);
        assert_eq!(taken.stderr_tail, "it said so");
    }

    #[test]
    fn the_stderr_tail_is_cut_at_a_character() {
        // The cut falls inside the 2-byte 'é': it moves past it.
        let text = format!("é{}", "a".repeat(STDERR_TAIL - 1));
        assert_eq!(tail(&text, STDERR_TAIL), "a".repeat(STDERR_TAIL - 1));
        assert_eq!(tail("short", STDERR_TAIL), "short");
    }
}
