//! `report.md`: the verdict table, the regressions, the most common
//! blocking sites and, per suite, what did not pass.
//!
//! Names, sites and messages are the crates' own text: each goes in as
//! [`untrusted_text::markdown`] makes it, code inside `<code>` (a code
//! span would show its character references as they are written), a
//! message as preformatted HTML.

use super::super::entry::Entry;
use super::super::regressions::{Change, Regressions};
use super::super::results::Results;
use crate::run_suite::xml_escape;
use crate::schema::Outcome;
use crate::schema::Verdict;
use crate::untrusted_text;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The Markdown report.
pub fn markdown(results: &Results, entries: &[Entry]) -> String {
    let mut md = format!("# blockguard nightly, {}\n\n", results.date);
    let mut counts: BTreeMap<Verdict, usize> = BTreeMap::new();
    for s in &results.suites {
        *counts.entry(s.verdict).or_insert(0) += 1;
    }
    let tally: Vec<String> = Verdict::ALL
        .iter()
        .map(|v| format!("{} {v}", counts.get(v).copied().unwrap_or(0)))
        .collect();
    let _ = writeln!(
        md,
        "{} suite × toolchain runs: {}.\n",
        results.suites.len(),
        tally.join(", ")
    );
    md.push_str("| suite | crate | toolchain | verdict | pass | fail | blocked | timeout | crash | suppressed | ignored | denied, tests per class |\n");
    md.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for s in &results.suites {
        let m = &s.summary;
        let _ = writeln!(
            md,
            "| {} | {} {} | {} | **{}** | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&s.suite),
            cell(&s.krate),
            cell(&s.version),
            cell(&s.rustc.clone().unwrap_or_else(|| s.toolchain.clone())),
            s.verdict,
            m.pass,
            m.fail,
            m.blocked,
            m.timeout,
            m.crash,
            m.suppressed,
            m.ignored,
            match s.classes_text() {
                t if t.is_empty() => "—".to_owned(),
                t => t,
            }
        );
    }

    md.push_str("\n## Regressions\n\n");
    match &results.baseline {
        None => md.push_str("No earlier report to compare with.\n"),
        Some(b) => {
            let _ = writeln!(md, "Compared with {b}.\n");
            regressions(&mut md, &results.regressions);
        }
    }

    md.push_str("\n## Most common blocking sites\n\n");
    let common = common_sites(results);
    if common.is_empty() {
        md.push_str("No denied calls.\n");
    }
    for (site, suites) in common.iter().take(15) {
        let _ = writeln!(md, "- {}: {}", code(site), cell(&suites.join(", ")));
    }

    md.push_str("\n## Suites\n");
    for (s, e) in results.suites.iter().zip(entries) {
        let _ = writeln!(md, "\n### {} ({})\n", cell(&s.suite), cell(&s.toolchain));
        let _ = writeln!(md, "Verdict **{}**.", s.verdict);
        if let Some(message) = &s.message {
            let _ = writeln!(md, "\n{}", preformatted(message.trim_end()));
        }
        for site in &s.top_sites {
            let _ = writeln!(md, "- top site: {}", code(site));
        }
        let Some(report) = &e.report else { continue };
        for t in report.tests.iter().filter(|t| t.outcome != Outcome::Pass) {
            let why = t
                .message
                .as_deref()
                .or(t.rule.as_deref())
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("");
            let _ = writeln!(
                md,
                "- {} {}: {}",
                code(&t.key.to_string()),
                t.outcome,
                cell(why)
            );
        }
    }
    md
}

fn regressions(md: &mut String, r: &Regressions) {
    let lists: [(&str, &[Change]); 3] = [
        ("Newly blocking", &r.newly_blocking),
        ("Newly failing", &r.newly_failing),
        ("Fixed", &r.fixed),
    ];
    for (title, changes) in lists {
        let _ = writeln!(md, "**{title}** ({})\n", changes.len());
        for c in changes {
            let what = c
                .test
                .as_deref()
                .map_or_else(|| "the suite".to_owned(), code);
            let _ = writeln!(
                md,
                "- {}@{}: {what}: {} → {}",
                cell(&c.suite),
                cell(&c.toolchain),
                c.was,
                c.now
            );
        }
        md.push('\n');
    }
    let _ = writeln!(md, "**New blocking sites** ({})\n", r.new_sites.len());
    for s in &r.new_sites {
        let _ = writeln!(
            md,
            "- {}@{}: {}",
            cell(&s.suite),
            cell(&s.toolchain),
            code(&s.site)
        );
    }
}

/// Top sites across suites: each site with the suites that reach it, most
/// suites first.
pub fn common_sites(results: &Results) -> Vec<(String, Vec<String>)> {
    let mut by_site: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for s in &results.suites {
        for site in &s.top_sites {
            let key = format!("{}@{}", s.suite, s.toolchain);
            by_site.entry(site).or_default().push(key);
        }
    }
    let mut sites: Vec<(String, Vec<String>)> = by_site
        .into_iter()
        .map(|(site, suites)| (site.to_owned(), suites))
        .collect();
    sites.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    sites
}

/// Text for a cell or a line.
fn cell(text: &str) -> String {
    untrusted_text::markdown(text)
}

/// A name or a site, shown as code.
fn code(text: &str) -> String {
    format!("<code>{}</code>", untrusted_text::markdown(text))
}

/// A message of several lines, as the terminal shows it: an HTML block,
/// which runs to its `</pre>` whatever the lines in it are (a line of
/// backticks in a fenced block would close it).
fn preformatted(text: &str) -> String {
    format!("<pre>{}</pre>", xml_escape(&untrusted_text::visible(text)))
}
