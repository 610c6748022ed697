//! The run as the dashboard knows it: every test and every site, kept up
//! to date from the runner and from the running tests' files. Each change
//! returns the [`Change`]s that the event stream announces.

use crate::schema::live::{
    DetailEvent, InFlightCall, MicroView, RunView, SCHEMA, SiteKey, SiteView, TestCall, TestDetail,
    TestState, TestView,
};
use crate::schema::{BlockingCall, ObservedCall, Outcome, Progress, TestKey, TestRecord};
use blockguard_protocol::tally::Figures;
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

/// One call of one test (merged by site), as its progress says.
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
    key: TestKey,
    state: TestState,
    outcome: Option<Outcome>,
    started: Option<Instant>,
    duration_ms: Option<u64>,
    message: Option<String>,
    calls: Vec<Call>,
    in_flight: Vec<InFlightCall>,
    microthreads: Vec<MicroView>,
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
    by_key: HashMap<(String, TestKey), usize>,
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
            by_key: HashMap::new(),
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
    pub fn queue(&mut self, suite: Option<&str>, key: &TestKey) -> usize {
        let suite = suite.unwrap_or(&self.suite).to_owned();
        let at = (suite, key.clone());
        if let Some(&id) = self.by_key.get(&at) {
            return id;
        }
        let id = self.tests.len();
        self.tests.push(Test {
            suite: at.0.clone(),
            key: key.clone(),
            state: TestState::Queued,
            outcome: None,
            started: None,
            duration_ms: None,
            message: None,
            calls: Vec::new(),
            in_flight: Vec::new(),
            microthreads: Vec::new(),
            stderr_tail: String::new(),
        });
        self.by_key.insert(at, id);
        id
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
        test.in_flight.clear();
        test.microthreads.clear();
        changes.insert(0, Change::TestStarted(id));
        changes
    }

    /// What running test `id` has done so far: its calls, replaced, and
    /// what its threads are in now. A finished test takes no more.
    pub fn progress(&mut self, id: usize, progress: &Progress) -> Vec<Change> {
        match self.tests.get_mut(id) {
            Some(test) if test.state != TestState::Finished => {
                test.in_flight.clone_from(&progress.in_flight);
                test.microthreads.clone_from(&progress.microthreads);
            }
            _ => return Vec::new(),
        }
        self.take_calls(id, &progress.calls)
    }

    /// Test `id`'s calls, merged by site.
    fn take_calls(&mut self, id: usize, observed: &[ObservedCall]) -> Vec<Change> {
        let mut merged: Vec<(SiteKey, Option<String>, Figures, Vec<String>)> = Vec::new();
        for call in observed {
            let key = SiteKey::of(&call.call.event);
            let figures = Figures {
                calls: call.call.calls,
                blocked_ns: call.call.blocked_ns,
            };
            match merged.iter_mut().find(|(k, ..)| *k == key) {
                Some((_, _, f, s)) => {
                    f.calls += figures.calls;
                    f.blocked_ns += figures.blocked_ns;
                    if s.is_empty() {
                        s.clone_from(&call.stack);
                    }
                }
                None => merged.push((
                    key,
                    call.call.event.rule.clone(),
                    figures,
                    call.stack.clone(),
                )),
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

    /// Test `id` was judged (or, ignored, was not run). Its calls are
    /// those its progress said, or the record's where none came (a
    /// doctest, a saved report).
    pub fn finish(&mut self, id: usize, record: &TestRecord, stderr_tail: &str) -> Vec<Change> {
        let mut changes = match self.tests.get(id) {
            Some(test) if test.calls.is_empty() && !record.blocking.is_empty() => {
                let observed: Vec<ObservedCall> = record
                    .blocking
                    .iter()
                    .map(|call: &BlockingCall| ObservedCall {
                        call: call.clone(),
                        stack: Vec::new(),
                    })
                    .collect();
                self.take_calls(id, &observed)
            }
            Some(_) => Vec::new(),
            None => return Vec::new(),
        };
        let Some(test) = self.tests.get_mut(id) else {
            return changes;
        };
        test.state = TestState::Finished;
        test.outcome = Some(record.shown_outcome());
        test.duration_ms = Some(u64::try_from(record.duration.as_millis()).unwrap_or(u64::MAX));
        test.message.clone_from(&record.message);
        test.in_flight.clear();
        test.microthreads.clear();
        test.stderr_tail = tail(stderr_tail, STDERR_TAIL).to_owned();
        changes.push(Change::TestFinished(id));
        changes
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
            key: test.key.clone(),
            state: test.state,
            outcome: test.outcome,
            duration_ms,
            message: test.message.clone(),
            blocking: test.calls.iter().map(|c| self.test_call(c)).collect(),
        })
    }

    /// One test in full.
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
            in_flight: test.in_flight.clone(),
            microthreads: test.microthreads.clone(),
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
            calls: site.by_test.values().map(|f| f.calls).sum(),
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
            calls: call.figures.calls,
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
    use blockguard_protocol::{Class, TraceEvent, Verdict};

    fn call(name: &str, site: &str, calls: u64, blocked_ns: u64) -> ObservedCall {
        ObservedCall {
            call: BlockingCall {
                event: TraceEvent {
                    context: Some("microthread".into()),
                    ..TraceEvent::new(
                        name,
                        Class::Sleep,
                        Verdict::Denied,
                        site,
                        "std::thread::sleep",
                    )
                },
                calls,
                blocked_ns,
            },
            stack: vec![site.to_owned()],
        }
    }

    fn progress(calls: Vec<ObservedCall>) -> Progress {
        Progress {
            calls,
            ..Progress::default()
        }
    }

    #[test]
    fn a_site_sums_its_tests_and_new_progress_replaces_a_tests_share() {
        let mut state = LiveState::new("s", "check");
        let a = state.queue(None, &TestKey::new("p", "b", "a"));
        let b = state.queue(None, &TestKey::new("p", "b", "b"));
        state.start(a);
        state.start(b);
        let changes = state.progress(a, &progress(vec![call("nanosleep", "x::naps", 3, 30)]));
        assert!(matches!(changes[0], Change::Site(0)), "{changes:?}");
        state.progress(b, &progress(vec![call("nanosleep", "x::naps", 2, 20)]));
        // A later look at `a`: its figures grew; they replace, not add.
        state.progress(a, &progress(vec![call("nanosleep", "x::naps", 5, 50)]));
        let site = state.site_view(0).unwrap();
        assert_eq!((site.calls, site.tests, site.blocked_ns), (7, 2, 70));
        assert_eq!(site.count, site.calls, "one number under both names");
        let detail = state.detail(a).unwrap();
        assert_eq!(detail.events[0].stack, ["x::naps"]);
        assert_eq!(state.view(0).sites.len(), 1);
    }

    #[test]
    fn calls_of_one_site_merge_and_a_finished_test_takes_no_more_progress() {
        let mut state = LiveState::new("s", "check");
        let id = state.queue(None, &TestKey::new("p", "b", "t"));
        state.start(id);
        let mut other_rule = call("read", "x::reads", 1, 0);
        other_rule.call.event.rule_id = Some("rules:allow[0]".into());
        state.progress(
            id,
            &progress(vec![call("read", "x::reads", 2, 0), other_rule]),
        );
        let test = state.test_view(id).unwrap();
        assert_eq!(test.blocking.len(), 1);
        assert_eq!(test.blocking[0].calls, 3);
        let mut record = TestRecord::ignored(TestKey::new("p", "b", "t"));
        record.outcome = Outcome::Blocked;
        state.finish(id, &record, "said");
        assert!(state.progress(id, &progress(Vec::new())).is_empty());
        assert_eq!(state.test_view(id).unwrap().blocking[0].calls, 3);
    }

    #[test]
    fn a_test_without_progress_shows_its_records_calls_and_a_failed_snapshot_fails_it() {
        let mut state = LiveState::new("nightly", "per suite");
        let key = TestKey::doctest("p", "src/lib.rs - (line 3)");
        let id = state.queue(Some("child@stable"), &key);
        let mut record = TestRecord::ignored(key);
        record.outcome = Outcome::Pass;
        record.snapshot_failed = true;
        record.blocking = vec![call("nanosleep", "x::naps", 4, 9).call];
        let changes = state.finish(id, &record, "it said so");
        assert!(changes.iter().any(|c| matches!(c, Change::TestFinished(_))));
        let detail = state.detail(id).unwrap();
        assert_eq!(detail.test.outcome, Some(Outcome::Fail));
        assert_eq!(detail.test.suite, "child@stable");
        assert_eq!(detail.events[0].call.calls, 4);
        assert_eq!(detail.stderr_tail, "it said so");
    }

    #[test]
    fn the_stderr_tail_is_cut_at_a_character() {
        // The cut falls inside the 2-byte 'é': it moves past it.
        let text = format!("é{}", "a".repeat(STDERR_TAIL - 1));
        assert_eq!(tail(&text, STDERR_TAIL), "a".repeat(STDERR_TAIL - 1));
        assert_eq!(tail("short", STDERR_TAIL), "short");
    }
}
