//! Snapshots (DESIGN §6): per test, the sorted, de-duplicated set of
//! attempted blocking calls, asserted with insta under
//! `snapshots/<suite>/<binary>__<test>.snap` (one file per test, see
//! [`file_name`]).
//!
//! Each call is one JSON line, so a review shows exactly the calls that
//! came or went. The assertion is insta's own, so `INSTA_UPDATE`,
//! `INSTA_FORCE_PASS` and `cargo insta review|accept|pending-snapshots` work
//! as in any insta test; its panic is caught and becomes the test's
//! `snapshot` field.

use crate::run_suite::file_name;
use crate::schema::{SnapshotState, TestKey};
use blockguard_protocol::{Class, TraceEvent, Verdict};
use serde::Serialize;
use std::cell::Cell;
use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Once;

/// The result of one snapshot assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// How it compares.
    pub state: SnapshotState,
    /// insta failed the assertion (it did not accept the change itself,
    /// as `INSTA_UPDATE=always` or `INSTA_FORCE_PASS` make it).
    pub failed: bool,
    /// Lines that went (`- `) and came (`+ `), for a changed snapshot.
    pub diff: Vec<String>,
    /// Only compared: nothing was written to review.
    pub compared_only: bool,
}

impl Checked {
    /// Whether it fails the run: a changed snapshot does; a new one with
    /// `--strict`, or when only compared (there is nothing to review).
    pub fn fails_run(&self, strict: bool) -> bool {
        self.failed && (self.state == SnapshotState::Changed || strict || self.compared_only)
    }
}

/// insta could not read or write a snapshot file.
#[derive(Debug, thiserror::Error)]
#[error("snapshot {name}: {message}")]
pub struct SnapshotError {
    name: String,
    message: String,
}

/// One line of a snapshot: a trace event without its rule id (which names
/// a rule's position, not the call), and without where the site is (`file`,
/// `line`, `column`), the way to the call (`chain`) and `outside`: a line
/// added above a call, or a change inside a dependency, must not churn
/// every snapshot below it. Two calls from one site at two lines are one
/// line here; the report keeps both.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
struct Entry {
    call: String,
    class: Class,
    verdict: Verdict,
    escaped: bool,
    site: String,
    via: String,
    rule: Option<String>,
    /// Left out for blockguard's own microthreads, the default, so that
    /// snapshots taken before contexts existed still match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    context: Option<String>,
    /// An executor's own wait (allowed by a `[[machinery]]` rule): whether
    /// a run reaches it, and at which of the executor's sites, is timing;
    /// it is in the report, and in no snapshot.
    #[serde(skip)]
    executor_wait: bool,
}

/// How an over-budget call's reason starts (see `blockguard_protocol::span`).
const OVER_BUDGET: &str = "over budget";

impl Entry {
    fn of(e: &TraceEvent) -> Entry {
        Entry {
            call: e.call.clone(),
            class: e.class,
            verdict: e.verdict,
            escaped: e.escaped,
            site: e.site.clone(),
            via: e.via.clone(),
            // An over-budget reason holds the call's time: only that it
            // ran over belongs in a snapshot.
            rule: e.rule.as_deref().map(|r| match r.starts_with(OVER_BUDGET) {
                true => OVER_BUDGET.to_owned(),
                false => r.to_owned(),
            }),
            context: e
                .context
                .clone()
                .filter(|c| c != blockguard_protocol::trace::MICROTHREAD),
            executor_wait: e
                .rule_id
                .as_deref()
                .is_some_and(|id| id.contains(":machinery[")),
        }
    }

    /// See [`Class::reached_only_under_contention`].
    fn under_contention_only(&self) -> bool {
        self.class.reached_only_under_contention(&self.call)
    }
}

/// The suite's contention snapshot's name (test snapshots all hold `__`).
pub const CONTENTION: &str = "contention_waits";

/// The snapshots of one suite.
#[derive(Debug, Clone)]
pub struct Snapshots {
    dir: PathBuf,
    workspace: PathBuf,
    /// Only compare: write no `.snap.new` (`--snapshots check`).
    compare_only: bool,
}

impl Snapshots {
    /// Snapshots in `dir`; `workspace` is where `cargo insta` runs from.
    pub fn new(dir: PathBuf, workspace: &Path) -> Snapshots {
        install_quiet_panic_hook();
        Snapshots {
            dir,
            workspace: workspace.to_path_buf(),
            compare_only: false,
        }
    }

    /// The same snapshots, compared and never written: a call that is new
    /// or changed fails, and no `.snap.new` appears.
    pub fn compare_only(self) -> Snapshots {
        Snapshots {
            compare_only: true,
            ..self
        }
    }

    /// Where the snapshots are.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The snapshot's name: `<binary>__<test>`, `::` as `__`, and a hash
    /// when that alone could name another test too (see [`file_name`]).
    pub fn name(test: &TestKey) -> String {
        file_name::for_test(test)
    }

    /// Asserts the test's calls against its snapshot: every call but the
    /// waits reached only under contention (see [`Snapshots::check_contention`]).
    pub fn check(&self, test: &TestKey, events: &[TraceEvent]) -> Result<Checked, SnapshotError> {
        let name = Snapshots::name(test);
        let entries: BTreeSet<Entry> = events
            .iter()
            .map(Entry::of)
            .filter(|e| !e.executor_wait && !e.under_contention_only())
            .collect();
        let description = format!("blocking calls attempted by {test}");
        self.assert(&name, &text(&entries), &description)
    }

    /// Asserts the suite's waits reached only under contention, from every
    /// test of this run, against `contention_waits.snap`.
    ///
    /// Which test reaches such a wait in a run is a race between its
    /// threads, so a test's own snapshot cannot hold them; which waits the
    /// suite can reach is a property of its code. The snapshot keeps every
    /// wait it accepted (a run, or a filtered run, that misses one still
    /// compares equal) and a newly reached one is a change to review.
    pub fn check_contention(&self, events: &[&TraceEvent]) -> Result<Checked, SnapshotError> {
        let mut entries: BTreeSet<Entry> = events
            .iter()
            .map(|e| Entry::of(e))
            .filter(|e| !e.executor_wait && e.under_contention_only())
            .collect();
        entries.extend(self.accepted(CONTENTION));
        let description = "waits reached only under contention (another thread holds what is waited for), by any test of the suite";
        self.assert(CONTENTION, &text(&entries), description)
    }

    fn assert(
        &self,
        name: &str,
        content: &str,
        description: &str,
    ) -> Result<Checked, SnapshotError> {
        let (state, diff) = self.compare(name, content);
        if self.compare_only {
            return Ok(Checked {
                state,
                failed: state != SnapshotState::Match,
                diff,
                compared_only: true,
            });
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&self.dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_description(description);
        let asserted = settings.bind(|| {
            quietly(|| {
                insta::_macro_support::assert_snapshot(
                    (name, content).into(),
                    &self.workspace,
                    "blocking_calls",
                    module_path!(),
                    file!(),
                    line!(),
                    "blocking_calls",
                )
            })
        });
        let failed = match asserted {
            Ok(Ok(())) => false,
            Ok(Err(e)) => {
                return Err(SnapshotError {
                    name: name.to_owned(),
                    message: e.to_string(),
                });
            }
            Err(()) => true,
        };
        Ok(Checked {
            state,
            failed,
            diff,
            compared_only: false,
        })
    }

    /// The accepted snapshot's entries (none when there is none).
    fn accepted(&self, name: &str) -> Vec<Entry> {
        let path = self.dir.join(format!("{name}.snap"));
        let Ok(old) = insta::Snapshot::from_file(&path) else {
            return Vec::new();
        };
        let Some(text) = old.as_text().map(ToString::to_string) else {
            return Vec::new();
        };
        text.lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// Compares with the accepted snapshot the way insta does.
    fn compare(&self, name: &str, content: &str) -> (SnapshotState, Vec<String>) {
        let path = self.dir.join(format!("{name}.snap"));
        let Ok(old) = insta::Snapshot::from_file(&path) else {
            return (SnapshotState::New, Vec::new());
        };
        let Some(old) = old.as_text() else {
            return (SnapshotState::Changed, Vec::new());
        };
        let new = insta::internals::TextSnapshotContents::new(
            content.to_owned(),
            insta::TextSnapshotKind::File,
        );
        if old.matches_latest(&new) {
            return (SnapshotState::Match, Vec::new());
        }
        let old_text = old.to_string();
        let old_lines: BTreeSet<&str> = old_text.lines().collect();
        let new_lines: BTreeSet<&str> = content.lines().collect();
        let gone = old_lines.difference(&new_lines).map(|l| format!("- {l}"));
        let came = new_lines.difference(&old_lines).map(|l| format!("+ {l}"));
        (SnapshotState::Changed, gone.chain(came).collect())
    }
}

/// The snapshot text: one JSON object per distinct call, sorted.
fn text(entries: &BTreeSet<Entry>) -> String {
    entries
        .iter()
        .map(|e| serde_json::to_string(e).expect("an entry serializes"))
        .collect::<Vec<_>>()
        .join("\n")
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// insta fails an assertion by panicking; that panic is our result, not
/// something to print. Other panics still reach the previous hook.
fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

fn quietly<R>(f: impl FnOnce() -> R) -> Result<R, ()> {
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(f)).map_err(|_| ());
    QUIET.with(|q| q.set(false));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(call: &str, rule_id: Option<&str>) -> TraceEvent {
        TraceEvent {
            rule_id: rule_id.map(Into::into),
            ..TraceEvent::new(
                call,
                Class::Sleep,
                Verdict::Denied,
                "a::b",
                "std::thread::sleep",
            )
        }
    }

    #[test]
    fn waits_under_contention_are_told_from_calls_every_run_makes() {
        let mut wait = event("futex_wait", None);
        wait.class = Class::Sync;
        let mut join = event("pthread_join", None);
        join.class = Class::Sync;
        assert!(Entry::of(&wait).under_contention_only());
        assert!(!Entry::of(&join).under_contention_only());
        assert!(!Entry::of(&event("clock_nanosleep", None)).under_contention_only());
    }

    #[test]
    fn an_over_budget_reason_is_snapshot_without_its_times() {
        let mut over = event("clock_nanosleep", None);
        over.rule = Some(blockguard_protocol::span::over_budget(
            std::time::Duration::from_micros(3_200),
            std::time::Duration::from_millis(1),
        ));
        assert_eq!(Entry::of(&over).rule.as_deref(), Some("over budget"));
    }

    #[test]
    fn an_executors_own_wait_is_in_no_snapshot() {
        let park = event("epoll_wait", Some("executors:machinery[0]"));
        let sleep = event("clock_nanosleep", Some("builtin:allow[1]"));
        assert!(Entry::of(&park).executor_wait);
        assert!(!Entry::of(&sleep).executor_wait);
    }

    #[test]
    fn content_is_sorted_deduplicated_and_free_of_rule_ids() {
        let entries: BTreeSet<Entry> = [
            event("nanosleep", Some("rules:allow[0]")),
            event("clock_nanosleep", None),
            event("nanosleep", Some("rules:allow[1]")),
        ]
        .iter()
        .map(Entry::of)
        .collect();
        assert_eq!(
            text(&entries),
            "{\"call\":\"clock_nanosleep\",\"class\":\"sleep\",\"verdict\":\"denied\",\"escaped\":false,\"site\":\"a::b\",\"via\":\"std::thread::sleep\",\"rule\":null}\n\
             {\"call\":\"nanosleep\",\"class\":\"sleep\",\"verdict\":\"denied\",\"escaped\":false,\"site\":\"a::b\",\"via\":\"std::thread::sleep\",\"rule\":null}"
        );
    }

    #[test]
    fn snapshot_names_are_explicit_and_file_safe() {
        assert_eq!(
            Snapshots::name(&TestKey::new("p", "outcomes", "tests::hangs")),
            "outcomes__tests__hangs"
        );
    }

    /// Every accepted snapshot of the repository: its file, and the test
    /// its description names.
    fn accepted_snapshots() -> Vec<(PathBuf, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../snapshots");
        let mut found = Vec::new();
        for suite in std::fs::read_dir(&root).unwrap() {
            let suite = suite.unwrap().path();
            let Ok(files) = std::fs::read_dir(&suite) else {
                continue;
            };
            for file in files {
                let path = file.unwrap().path();
                if path.extension() != Some("snap".as_ref())
                    || path.file_stem() == Some(CONTENTION.as_ref())
                {
                    continue;
                }
                let snapshot = insta::Snapshot::from_file(&path).unwrap();
                let described = snapshot.metadata().description().unwrap();
                let test = described
                    .strip_prefix("blocking calls attempted by ")
                    .unwrap_or_else(|| panic!("{}: {described}", path.display()));
                found.push((path, test.to_owned()));
            }
        }
        found
    }

    #[test]
    fn every_accepted_snapshot_keeps_its_file_name() {
        let accepted = accepted_snapshots();
        assert!(accepted.len() > 1000, "{} snapshots", accepted.len());
        for (path, test) in accepted {
            // A binary's target name holds no `::`: the first one splits.
            let (binary, name) = test.split_once("::").unwrap();
            assert_eq!(
                format!("{}.snap", Snapshots::name(&TestKey::new("", binary, name))),
                path.file_name().unwrap().to_str().unwrap(),
                "{test}"
            );
        }
    }

    /// An accepted snapshot file holding `content`, as insta writes it.
    fn accept(dir: &Path, name: &str, content: &str) {
        std::fs::write(
            dir.join(format!("{name}.snap")),
            format!("---\nsource: test\n---\n{content}\n"),
        )
        .unwrap();
    }

    #[test]
    fn tests_whose_names_differ_only_in_a_non_ascii_letter_are_compared_with_their_own_files() {
        let dir = std::env::temp_dir().join(format!("blockguard-snapshot-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let snapshots = Snapshots::new(dir.clone(), &dir);
        let sleeps = [event("clock_nanosleep", None)];
        let sleeps_text = text(&sleeps.iter().map(Entry::of).collect());
        let key = |name: &str| TestKey::new("p", "t", name);
        accept(&dir, &Snapshots::name(&key("tests::tëst")), &sleeps_text);
        let other = snapshots.check(&key("tests::tåst"), &[]).unwrap();
        let own = snapshots.check(&key("tests::tëst"), &sleeps).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(other.state, SnapshotState::New);
        assert_eq!(own.state, SnapshotState::Match);
    }
}
