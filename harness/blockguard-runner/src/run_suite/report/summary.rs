//! The closing summary: each denied call as a diagnostic (rustc's form,
//! [`crate::diagnostics::render`]), then one screen with the outcome
//! counts, the tests that did not pass, the top blocking sites, stale
//! rules and snapshot news. It quotes the crate's names and messages as
//! they are: the console that prints it shows them safely.

use crate::diagnostics::site_shown;
use crate::schema::{Outcome, Report, SnapshotState};
use blockguard_protocol::{GuardScope, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Entries shown per list before "… and N more".
const SHOWN: usize = 8;

/// What the summary shows besides the report itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Closing<'a> {
    /// Where the report was written, as shown.
    pub report_path: &'a str,
    /// The findings, rendered: they come first.
    pub diagnostics: &'a str,
    /// Lines on what other outputs left out (GitHub's annotations).
    pub notes: &'a [String],
}

/// The summary text.
pub fn summary(report: &Report, closing: &Closing<'_>) -> String {
    // Each diagnostic ends in a blank line, as cargo leaves one.
    let mut out = format!("\n{}", closing.diagnostics);
    let s = &report.suite;
    let what = if s.packages.is_empty() {
        format!("{} {}", s.krate, s.version)
    } else {
        format!("packages {}", s.packages.join(", "))
    };
    let _ = writeln!(
        out,
        "blockguard: {} ({what}, {}), mode {}, guarding {}",
        s.name,
        serde_json::to_value(s.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        report.mode,
        match report.guard {
            GuardScope::Test => "the test's body and all it runs",
            GuardScope::Tasks => "task polls and spawned microthreads only (--guard tasks)",
        }
    );
    let counts: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| format!("{} {o}", report.summary.get(*o)))
        .collect();
    let _ = writeln!(out, "  {}", counts.join(", "));
    if report.summary.leaky > 0 {
        let _ = writeln!(out, "  {} leaky", report.summary.leaky);
    }
    if let (true, Some(message)) = (report.build.status.failed(), &report.build.message) {
        let cause = message.lines().take(2).collect::<Vec<_>>().join(" ");
        let _ = writeln!(out, "  build failed, no test ran: {cause}");
    }

    let did_not_pass: Vec<String> = report
        .tests
        .iter()
        .filter(|t| t.outcome.is_failure() || t.outcome == Outcome::Suppressed)
        .map(|t| {
            let why = match t.outcome {
                Outcome::Suppressed => t.rule.clone().unwrap_or_default(),
                _ => t.message.clone().unwrap_or_default(),
            };
            // A panic's first line is only its location; keep the next too.
            let why = why.lines().take(2).collect::<Vec<_>>().join(" ");
            format!("{} — {}: {why}", t.key, t.outcome)
        })
        .collect();
    list(&mut out, "did not pass", &did_not_pass);

    let leaky: Vec<String> = report
        .tests
        .iter()
        .filter(|t| !t.leaked.is_empty())
        .map(|t| {
            format!(
                "{} ({}) left {} running, killed: {}",
                t.key,
                t.outcome,
                t.leaked.len(),
                t.leaked.join("; ")
            )
        })
        .collect();
    list(&mut out, "leaky (processes outlived the test)", &leaky);

    // In audit mode nothing was denied: the calls would have been.
    let title = match report.mode {
        blockguard_protocol::Mode::Audit => "top blocking calls that check mode would deny",
        _ => "top denied blocking calls",
    };
    list(&mut out, title, &top_sites(report, false));
    // Whether a run meets a held lock is timing: those waits are apart.
    list(
        &mut out,
        "contended lock waits (reached only while another thread held the lock)",
        &top_sites(report, true),
    );

    let stale: Vec<String> = report
        .stale_rules
        .iter()
        .map(|r| format!("{}:{} {} — {}", r.file, r.line, r.id, r.reason))
        .collect();
    list(&mut out, "stale rules (matched nothing)", &stale);

    let snap = |state| {
        report
            .tests
            .iter()
            .filter(|t| t.snapshot == Some(state))
            .count()
    };
    let (new, changed) = (snap(SnapshotState::New), snap(SnapshotState::Changed));
    if new + changed > 0 {
        let _ = writeln!(
            out,
            "  snapshots: {new} new, {changed} changed; review them with `cargo insta review`"
        );
    }
    if let Some(why) = &report.doctests_not_run {
        let _ = writeln!(out, "  doctests: not run ({why})");
    }
    for note in closing.notes {
        let _ = writeln!(out, "  {note}");
    }
    let _ = writeln!(out, "  report: {}", closing.report_path);
    out
}

/// Sites of denied calls, contended lock waits or the others, by the
/// number of tests that made them.
fn top_sites(report: &Report, contended: bool) -> Vec<String> {
    let mut sites: BTreeMap<String, usize> = BTreeMap::new();
    for test in &report.tests {
        let mut seen = std::collections::BTreeSet::new();
        for call in test
            .blocking
            .iter()
            .filter(|c| c.event.verdict == Verdict::Denied && c.event.contended == contended)
        {
            let e = &call.event;
            let key = format!(
                "{} ({}) at {} via {}",
                e.call,
                e.class,
                site_shown(e),
                e.via
            );
            if seen.insert(key.clone()) {
                *sites.entry(key).or_default() += 1;
            }
        }
    }
    let mut sites: Vec<(String, usize)> = sites.into_iter().collect();
    sites.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    sites
        .into_iter()
        .map(|(site, n)| format!("{n:>4} {} {site}", if n == 1 { "test " } else { "tests" }))
        .collect()
}

fn list(out: &mut String, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}:");
    for item in items.iter().take(SHOWN) {
        let _ = writeln!(out, "    {item}");
    }
    if items.len() > SHOWN {
        let _ = writeln!(out, "    … and {} more", items.len() - SHOWN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A check run's report of one blocked test, `b::t`, with these calls.
    fn blocked_test_with(blocking: serde_json::Value) -> Report {
        serde_json::from_value(serde_json::json!({
            "schema": "blockguard-report/1",
            "suite": {"name": "s", "crate": "s", "version": "1.0.0", "source": "path"},
            "mode": "check", "toolchain": "rustc", "capabilities": null,
            "build": {"status": "ok", "message": null},
            "tests": [{"binary": "b", "name": "t", "outcome": "blocked", "duration_ms": 1,
                       "message": "blocked", "rule": null, "snapshot": null,
                       "blocking": blocking}],
            "summary": {"pass": 0, "fail": 0, "blocked": 1, "timeout": 0, "crash": 0, "suppressed": 0, "ignored": 0},
            "stale_rules": []
        }))
        .unwrap()
    }

    #[test]
    fn the_diagnostics_come_first_and_the_notes_before_the_report() {
        let report = blocked_test_with(serde_json::json!([
            {"call": "clock_nanosleep", "class": "sleep", "verdict": "denied", "escaped": false,
             "site": "a::b::{{closure}}", "via": "v", "rule": null, "count": 1,
             "file": "src/lib.rs", "line": 3}]));
        let notes = ["GitHub annotations: 2 more error(s) not annotated".to_owned()];
        let text = summary(
            &report,
            &Closing {
                report_path: "r.json",
                diagnostics: "error[blocking::sleep]: …\n\n",
                notes: &notes,
            },
        );
        assert!(
            text.starts_with(
                "\nerror[blocking::sleep]: …\n\nblockguard: s (s 1.0.0, path), mode check, guarding the test's body and all it runs\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "1 test  clock_nanosleep (sleep) at a::b::{closure} at src/lib.rs:3 via v\n"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(
                "  GitHub annotations: 2 more error(s) not annotated\n  report: r.json\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn contended_lock_waits_are_listed_apart_from_the_denied_calls() {
        let call = |site: &str, contended: bool| {
            serde_json::json!({"call": "futex_wait", "class": "sync", "verdict": "denied",
                "escaped": false, "site": site, "via": "std::sync::Mutex<T>::lock",
                "rule": null, "count": 1, "contended": contended})
        };
        let report = blocked_test_with(serde_json::json!([
            call("a::waits", false),
            call("a::pool", true)
        ]));
        let text = summary(&report, &Closing::default());
        let (denied, contended) = text.split_once("contended lock waits").expect(&text);
        assert!(denied.contains("at a::waits via"), "{text}");
        assert!(!denied.contains("a::pool"), "{text}");
        assert!(
            contended.contains("at a::pool via") && !contended.contains("a::waits"),
            "{text}"
        );
    }
}
