//! Snapshots (DESIGN §6): per test, the sorted, de-duplicated set of
//! attempted blocking calls, asserted with insta under
//! `snapshots/<suite>/<binary>__<test>.snap`.
//!
//! Each call is one JSON line, so a review shows exactly the calls that
//! came or went. The assertion is insta's own, so `INSTA_UPDATE`,
//! `INSTA_FORCE_PASS` and `cargo insta review|accept|pending-snapshots` work
//! as in any insta test; its panic is caught and becomes the test's
//! `snapshot` field.

use crate::run_suite::layout::file_safe;
use blockguard_protocol::{Class, TraceEvent, Verdict};
use serde::Serialize;
use std::cell::Cell;
use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Once;

/// How a test's calls compare with its accepted snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotState {
    /// Same calls as accepted.
    Match,
    /// No accepted snapshot yet.
    New,
    /// Different calls from the accepted snapshot.
    Changed,
}

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
}

/// insta could not read or write a snapshot file.
#[derive(Debug, thiserror::Error)]
#[error("snapshot {name}: {message}")]
pub struct SnapshotError {
    name: String,
    message: String,
}

/// One line of a snapshot: a trace event without its rule id (which names
/// a rule's position, not the call).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
struct Entry {
    call: String,
    class: Class,
    verdict: Verdict,
    escaped: bool,
    site: String,
    via: String,
    rule: Option<String>,
}

impl Entry {
    /// See [`Class::reached_only_under_contention`].
    fn under_contention_only(&self) -> bool {
        self.class.reached_only_under_contention(&self.call)
    }
}

/// The snapshots of one suite.
#[derive(Debug, Clone)]
pub struct Snapshots {
    dir: PathBuf,
    workspace: PathBuf,
}

impl Snapshots {
    /// Snapshots in `dir`; `workspace` is where `cargo insta` runs from.
    pub fn new(dir: PathBuf, workspace: &Path) -> Snapshots {
        install_quiet_panic_hook();
        Snapshots {
            dir,
            workspace: workspace.to_path_buf(),
        }
    }

    /// The snapshot's name: `<binary>__<test>`, `::` as `__`.
    pub fn name(binary: &str, test: &str) -> String {
        format!("{}__{}", file_safe(binary), file_safe(test))
    }

    /// Asserts the test's calls against its snapshot.
    pub fn check(
        &self,
        binary: &str,
        test: &str,
        events: &[TraceEvent],
    ) -> Result<Checked, SnapshotError> {
        let name = Snapshots::name(binary, test);
        let content = content(events, &self.accepted(&name));
        let (state, diff) = self.compare(&name, &content);

        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&self.dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_description(format!("blocking calls attempted by {binary}::{test}"));
        let asserted = settings.bind(|| {
            quietly(|| {
                insta::_macro_support::assert_snapshot(
                    (name.as_str(), content.as_str()).into(),
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
                    name,
                    message: e.to_string(),
                });
            }
            Err(()) => true,
        };
        Ok(Checked {
            state,
            failed,
            diff,
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
///
/// A snapshot lists the calls a test can make. A wait reached only under
/// contention comes in some runs and not in others; once accepted it stays
/// in the snapshot of a run that did not reach it, so reruns compare equal,
/// and a run that reaches a new one shows it as a change to review.
fn content(events: &[TraceEvent], accepted: &[Entry]) -> String {
    let mut entries: BTreeSet<Entry> = events
        .iter()
        .map(|e| Entry {
            call: e.call.clone(),
            class: e.class,
            verdict: e.verdict,
            escaped: e.escaped,
            site: e.site.clone(),
            via: e.via.clone(),
            rule: e.rule.clone(),
        })
        .collect();
    entries.extend(
        accepted
            .iter()
            .filter(|e| e.under_contention_only())
            .cloned(),
    );
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
            call: call.into(),
            class: Class::Sleep,
            verdict: Verdict::Denied,
            escaped: false,
            site: "a::b".into(),
            via: "std::thread::sleep".into(),
            rule: None,
            rule_id: rule_id.map(Into::into),
        }
    }

    #[test]
    fn an_accepted_wait_under_contention_stays_when_a_run_misses_it() {
        let line = |call: &str, class: &str| {
            format!(
                "{{\"call\":\"{call}\",\"class\":\"{class}\",\"verdict\":\"denied\",\"escaped\":false,\"site\":\"a::b\",\"via\":\"v\",\"rule\":null}}"
            )
        };
        let accepted: Vec<Entry> = [
            line("futex_wait", "sync"),
            line("pthread_join", "sync"),
            line("read", "net"),
        ]
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
        // This run made none of them: only the futex wait is carried over;
        // a join and a read always happen when reached, so their absence
        // is a change.
        assert_eq!(content(&[], &accepted), line("futex_wait", "sync"));
        // A call made now is listed once.
        let mut wait = event("futex_wait", None);
        wait.class = Class::Sync;
        wait.via = "v".into();
        assert_eq!(content(&[wait], &accepted), line("futex_wait", "sync"));
    }

    #[test]
    fn content_is_sorted_deduplicated_and_free_of_rule_ids() {
        let text = content(
            &[
                event("nanosleep", Some("rules:allow[0]")),
                event("clock_nanosleep", None),
                event("nanosleep", Some("rules:allow[1]")),
            ],
            &[],
        );
        assert_eq!(
            text,
            "{\"call\":\"clock_nanosleep\",\"class\":\"sleep\",\"verdict\":\"denied\",\"escaped\":false,\"site\":\"a::b\",\"via\":\"std::thread::sleep\",\"rule\":null}\n\
             {\"call\":\"nanosleep\",\"class\":\"sleep\",\"verdict\":\"denied\",\"escaped\":false,\"site\":\"a::b\",\"via\":\"std::thread::sleep\",\"rule\":null}"
        );
    }

    #[test]
    fn snapshot_names_are_explicit_and_file_safe() {
        assert_eq!(
            Snapshots::name("outcomes", "tests::hangs"),
            "outcomes__tests__hangs"
        );
    }
}
