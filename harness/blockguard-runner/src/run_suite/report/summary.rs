//! The closing summary: one screen with the outcome counts, the tests that
//! did not pass, the top blocking sites, stale rules and snapshot news.
//! It quotes the crate's names and messages as they are: the console that
//! prints it shows them safely.

use crate::schema::{Outcome, Report, SnapshotState};
use blockguard_protocol::{GuardScope, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Entries shown per list before "… and N more".
const SHOWN: usize = 8;

/// The summary text.
pub fn summary(report: &Report, report_path: &str) -> String {
    let mut out = String::new();
    let s = &report.suite;
    let what = if s.packages.is_empty() {
        format!("{} {}", s.krate, s.version)
    } else {
        format!("packages {}", s.packages.join(", "))
    };
    let _ = writeln!(
        out,
        "\nblockguard: {} ({what}, {}), mode {}, guarding {}",
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

    // Sites of denied calls, by the number of tests that made them.
    let mut sites: BTreeMap<String, usize> = BTreeMap::new();
    for test in &report.tests {
        let mut seen = std::collections::BTreeSet::new();
        for call in test
            .blocking
            .iter()
            .filter(|c| c.event.verdict == Verdict::Denied)
        {
            let e = &call.event;
            let key = format!("{} ({}) at {} via {}", e.call, e.class, e.site, e.via);
            if seen.insert(key.clone()) {
                *sites.entry(key).or_default() += 1;
            }
        }
    }
    let mut sites: Vec<(String, usize)> = sites.into_iter().collect();
    sites.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let sites: Vec<String> = sites
        .into_iter()
        .map(|(site, n)| format!("{n:>4} {} {site}", if n == 1 { "test " } else { "tests" }))
        .collect();
    // In audit mode nothing was denied: the calls would have been.
    let title = match report.mode {
        blockguard_protocol::Mode::Audit => "top blocking calls that check mode would deny",
        _ => "top denied blocking calls",
    };
    list(&mut out, title, &sites);

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
    let _ = writeln!(out, "  report: {report_path}");
    out
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
